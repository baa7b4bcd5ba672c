import { z } from 'zod';
import { amountSchema, epochSecondsSchema, idSchema, mspIdSchema, NO_CONTROL_CHARACTERS } from './schemas';

/**
 * Regulatory records on the `audit` channel: what the regulator's relay files about the `market` channel,
 * and the regulator's policy for filing. Shared by the audit contract (which parses every filing) and
 * the relay and gateway (which build and read them).
 */
export const AuditType = z.enum([
  /** A settled trade of the secondary market. */
  'TRADE',
  /** A campaign reaching its outcome (succeeded or failed). */
  'CAMPAIGN_OUTCOME',
  /** A movement at or above the regulator's threshold, travel-rule style. */
  'LARGE_TRANSFER',
  /** A surveillance alert (wash trading, layering, circuit-breaker halt). */
  'ALERT',
  /** A supervisory action taken on the market (freeze, halt, suspension…). */
  'SUPERVISORY_ACTION',
  /** The hash of a market block, so a later rewrite of a peer's ledger is detectable. */
  'CHECKPOINT',
  /** A large withdrawal held for review: its request, and its outcome (executed or cancelled, with the reason). */
  'WITHDRAWAL_REVIEW',
  /**
   * A corporate action: its announcement and its completion (split, tender offer, delisting), a
   * shareholder resolution announced and its published result, a distribution declared and paid.
   */
  'CORPORATE_ACTION',
]);
export type AuditType = z.infer<typeof AuditType>;

export const AlertKind = z.enum([
  'WASH_TRADE_SAME_OWNER',
  'WASH_TRADE_ROUND_TRIP',
  'LAYERING',
  'CIRCUIT_BREAKER',
  'LIMIT_PROBING',
]);
export type AlertKind = z.infer<typeof AlertKind>;

const txIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a transaction id');
const detailValue = z.union([z.string().max(300), z.number(), z.boolean(), z.array(z.string().max(100)).max(50)]);

/**
 * A filing. Its id is derived from the market transaction (or block) it reports on, never chosen
 * freely, so filing the same fact twice names the same record, and the contract keeps the first.
 */
const auditFilingObject = z
  .object({
    id: z
      .string()
      .max(240)
      .regex(/^[a-z-]+:[A-Za-z0-9._:-]+$/, '<type>:<source-derived id>'),
    type: AuditType,
    kind: AlertKind.optional(),
    source: z
      .object({
        blockNumber: z.string().regex(/^[0-9]{1,19}$/),
        txIds: z.array(txIdSchema).max(50),
      })
      .strict(),
    /** Orgs the record concerns: besides the regulator, only they may read it. */
    parties: z.array(mspIdSchema).max(10),
    /** Accounts and instruments the record concerns (search keys). */
    subjects: z.array(idSchema).max(20),
    summary: z.string().min(1).max(300).regex(NO_CONTROL_CHARACTERS, 'no control characters'),
    details: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,40}$/), detailValue)
      .refine((d) => Object.keys(d).length <= 30, {
        message: 'at most 30 details',
      }),
    /** When the reported fact happened: its market transaction's timestamp (epoch seconds). */
    observedAt: epochSecondsSchema,
  })
  .strict();

export const auditFilingSchema = auditFilingObject.refine((f) => (f.type === 'ALERT') === (f.kind !== undefined), {
  message: 'an alert names its kind; other records name none',
  path: ['kind'],
});
export type AuditFiling = z.infer<typeof auditFilingSchema>;

export interface AuditRecord extends AuditFiling {
  v: number;
  /** The audit transaction that filed it, its timestamp, and the filer's MSP. */
  filedTxId: string;
  filedAt: number;
  filedBy: string;
}

/** What a record says about accounts and amounts: kept out of public state whenever the record has parties. */
export const AUDIT_PRIVATE_FIELDS = ['subjects', 'summary', 'details'] as const;
export type AuditPrivateField = (typeof AUDIT_PRIVATE_FIELDS)[number];

/**
 * The private part of a record with parties, as the relay sends it in transient data. The salt is random,
 * drawn by the relay (the chaincode may not draw randomness): it makes the value hash that every member of
 * the audit channel stores impossible to confirm by guessing an amount or an account.
 */
export const auditPrivatePartSchema = auditFilingObject
  .pick({ subjects: true, summary: true, details: true })
  .extend({ salt: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, '32 random bytes, base64') })
  .strict();
export type AuditPrivatePart = z.infer<typeof auditPrivatePartSchema>;

/** A filing split as the relay submits it: the public argument, and the transient private part if any. */
export function splitFiling(
  filing: AuditFiling,
  salt: string,
): { publicPart: Record<string, unknown>; privatePart?: AuditPrivatePart } {
  if (filing.parties.length === 0) return { publicPart: { ...filing } };
  const { subjects, summary, details, ...publicPart } = filing;
  return { publicPart, privatePart: { subjects, summary, details, salt } };
}

export const auditSearchSchema = z.object({ type: AuditType.optional(), subject: idSchema.optional() }).strict();

/** The regulator's filing policy; the relay reads it from the audit channel. */
export const auditPolicySchema = z
  .object({
    /** Per asset: a movement of at least this amount (smallest unit) is a large transfer. */
    largeTransferThresholds: z
      .record(idSchema, amountSchema)
      .describe(
        "Per asset id: a movement of at least this amount is filed as a LARGE_TRANSFER. In the asset's smallest unit: money for a money token, share units for a share class (decimal string). An asset not listed is never filed.",
      ),
    /** A checkpoint of the market channel every this many blocks. */
    checkpointEvery: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .describe('The relay files a CHECKPOINT (the hash of a market block) every this many blocks.'),
    /** A trade reversing an earlier one between the same two accounts within this window is a round trip. */
    roundTripWindowSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86400)
      .describe(
        'Seconds: a trade reversing an earlier one between the same two accounts within it is a round-trip alert.',
      ),
    /** This many orders placed and cancelled by one account in one class within the window, around a trade,
     * is layering. */
    layeringCancels: z
      .number()
      .int()
      .min(2)
      .max(1000)
      .describe(
        'Orders placed and cancelled by one account in one class within layeringWindowSeconds, around a trade, that make a layering alert.',
      ),
    layeringWindowSeconds: z
      .number()
      .int()
      .min(1)
      .max(86400)
      .describe('Seconds: the window layeringCancels counts in.'),
    limitProbes: z
      .number()
      .int()
      .min(2)
      .max(1000)
      .describe(
        "Capped investments of one account refused by its trustee's limit check, or withdrawn or cancelled in full, within limitProbeWindowSeconds, that make a LIMIT_PROBING alert (decision 49: how an operator would probe its customer's usage at other operators). Absent: 4.",
      )
      .optional(),
    limitProbeWindowSeconds: z
      .number()
      .int()
      .min(60)
      .max(30 * 86400)
      .describe('Seconds: the window limitProbes counts in. Absent: 86400.')
      .optional(),
  })
  .strict();
export type AuditPolicy = z.infer<typeof auditPolicySchema>;

export const DEFAULT_AUDIT_POLICY: AuditPolicy = {
  largeTransferThresholds: {},
  checkpointEvery: 10,
  roundTripWindowSeconds: 3600,
  layeringCancels: 3,
  layeringWindowSeconds: 300,
  limitProbes: 4,
  limitProbeWindowSeconds: 86400,
};

/** An audit record as the contract returns it (for response validation and the OpenAPI document). */
export const auditRecordSchema = z
  .object({
    v: z.number().int().describe('Version of the record format, set by the audit chaincode.'),
    id: z
      .string()
      .describe('The record id, `<type>:<source-derived id>`: filing the same fact twice names the same record.'),
    type: AuditType.describe(
      'TRADE, CAMPAIGN_OUTCOME, LARGE_TRANSFER, ALERT, SUPERVISORY_ACTION, CHECKPOINT (the hash of a market block), WITHDRAWAL_REVIEW (a held large withdrawal: its request and its outcome) or CORPORATE_ACTION (a distribution declared or paid).',
    ),
    kind: AlertKind.describe('What an ALERT is about; absent on other types.').optional(),
    source: z
      .object({
        blockNumber: z.string().describe('The market block reported on, as a decimal string.'),
        txIds: z.array(z.string()).describe('The market transactions reported on (64 hex digits each).'),
      })
      .passthrough()
      .describe('Where on the market channel the reported fact is.'),
    parties: z
      .array(z.string())
      .describe('MSP IDs of the orgs the record concerns: besides the regulator, only they may read it.'),
    subjects: z.array(z.string()).describe('Accounts and instruments the record concerns (search keys).'),
    summary: z.string().describe('One line on what happened.'),
    details: z
      .record(z.unknown())
      .describe(
        'Figures by name (amounts as decimal strings in the smallest unit of their asset, times in epoch seconds UTC).',
      ),
    observedAt: z
      .number()
      .int()
      .describe("When the reported fact happened: its market transaction's timestamp, epoch seconds (UTC)."),
    filedTxId: z.string().describe('The audit-channel transaction that filed the record (64 hex digits).'),
    filedAt: z.number().int().describe('When it was filed, epoch seconds (UTC).'),
    filedBy: z.string().describe("The MSP ID of the filer (the regulator's relay)."),
  })
  .passthrough();

/** A filing's id in a path: `<type>:<source-derived id>`. */
export const auditIdSchema = z
  .string()
  .max(240)
  .regex(/^[a-z-]+:[A-Za-z0-9._:-]+$/);
