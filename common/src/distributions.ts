import { z } from 'zod';
import { amountSchema, epochSecondsSchema, idSchema } from './schemas';

/**
 * Distributions (dividends) of a share class, paid at a record time (decision 51). Shared by the chaincode
 * (inputs, records, the rounding rule) and the gateway (routes, response schemas).
 */

/** Fractional digits an amount per unit may carry: entitlements are rounded down from this precision. */
export const RATE_DECIMALS = 6;
const RATE_SCALE = 10n ** BigInt(RATE_DECIMALS);

/** A non-negative decimal with up to 6 fractional digits, greater than zero. */
export const rateSchema = z
  .string()
  .regex(/^(?:0|[1-9][0-9]{0,12})(?:\.[0-9]{1,6})?$/, 'a decimal with at most 13 integer and 6 fractional digits')
  .refine((s) => /[1-9]/.test(s), 'greater than zero');

/** The rate as an integer of millionths of the money token's smallest unit. */
export function scaledRate(rate: string): bigint {
  const [whole = '0', frac = ''] = rate.split('.');
  return BigInt(whole) * RATE_SCALE + BigInt(frac.padEnd(RATE_DECIMALS, '0'));
}

/**
 * What a holding of `units` receives: units × rate, rounded down to the smallest unit of the money token.
 * Each holder's rounding is below one smallest unit, and the residual returns to the issuer.
 */
export function entitlement(units: bigint, rate: string): bigint {
  return (units * scaledRate(rate)) / RATE_SCALE;
}

/** What the issuer escrows for `units`: units × rate, rounded up, so the escrow covers every entitlement. */
export function escrowFor(units: bigint, rate: string): bigint {
  const exact = units * scaledRate(rate);
  return (exact + RATE_SCALE - 1n) / RATE_SCALE;
}

/**
 * The most accounts one payment batch walks. A batch of 1000 holders writes about 3000 private keys (balance,
 * movement, position): some 0.3 MB of hashes in the block and 1 MB of private data, and it endorses in
 * seconds on a loaded 2-core machine, well inside the peer's 30 s chaincode timeout (decision 60).
 */
export const MAX_PAY_BATCH = 1000;

const distributionId = idSchema.describe('The distribution, by the id its operator chose.');

export const declareDistributionSchema = z
  .object({
    distributionId,
    classId: idSchema.describe('The share class whose holders are paid.'),
    tokenId: idSchema.describe("The money token it is paid in: one of the class's trustee (e.g. TrusteeMSP.MYR)."),
    amountPerUnit: rateSchema.describe(
      "Money per unit held at the record time, in the token's smallest unit, with up to 6 decimals (e.g. `2.5`). Each holder receives units × amountPerUnit rounded down; the residual returns to the issuer.",
    ),
    declaredUnits: amountSchema.describe(
      "The units outstanding, as the issuer states them: the issuer's money for declaredUnits × amountPerUnit (rounded up) is escrowed at declaration.",
    ),
    recordAt: epochSecondsSchema.describe(
      'The record time, epoch seconds (UTC), after the declaration: entitlement is the holding at this time.',
    ),
    payAt: epochSecondsSchema.describe('When the trustee may start paying, epoch seconds (UTC), not before recordAt.'),
  })
  .strict();
export type DeclareDistributionInput = z.infer<typeof declareDistributionSchema>;

export const distributionRefSchema = z.object({ distributionId }).strict();

export const payDistributionSchema = z
  .object({
    distributionId,
    max: z
      .number()
      .int()
      .min(1)
      .max(MAX_PAY_BATCH)
      .describe(
        `How many accounts this batch walks (1-${MAX_PAY_BATCH}), in account id order from where the last batch stopped.`,
      ),
  })
  .strict();

export const topUpDistributionSchema = z
  .object({
    distributionId,
    amount: amountSchema.describe(
      "More of the issuer's money for the escrow, when the declared units fell short of the holdings at the record time.",
    ),
  })
  .strict();

export const DistributionStatus = z.enum(['DECLARED', 'PAYING', 'PAID']);
export type DistributionStatus = z.infer<typeof DistributionStatus>;

/** The public record (`distribution`/id): the issuer's announcement and the payment's progress, no holder's amount. */
export const distributionRecordSchema = z
  .object({
    v: z.number().int().describe('Record format version.'),
    id: z.string().describe('The distribution id.'),
    classId: z.string().describe('The share class whose holders are paid.'),
    tokenId: z.string().describe('The money token it is paid in.'),
    issuerAccountId: z.string().describe("The issuer's account, which pays and receives the residual."),
    operatorMspId: z.string().describe("The issuer's operator, which declared it: an MSP ID."),
    trusteeMspId: z.string().describe("The class's trustee, which pays it: an MSP ID."),
    amountPerUnit: z.string().describe("Money per unit held at the record time, in the token's smallest unit."),
    declaredUnits: z.string().describe('The units outstanding as the issuer stated them.'),
    escrowed: z
      .string()
      .describe("The issuer's money escrowed in total: declaredUnits × amountPerUnit rounded up, plus top-ups."),
    recordAt: z.number().int().describe('The record time, epoch seconds (UTC).'),
    payAt: z.number().int().describe('When payment may start, epoch seconds (UTC).'),
    status: DistributionStatus.describe(
      '`DECLARED`, then `PAYING` from the first batch, `PAID` once every account was walked.',
    ),
    cursor: z.string().optional().describe('The last account id the payment batches have walked.'),
    accountsWalked: z.number().int().describe('How many accounts the batches have walked so far.'),
    declaredAt: z.number().int().describe('When it was declared, epoch seconds.'),
    paidAt: z.number().int().optional().describe('When the last batch ran, once PAID.'),
  })
  .strict();
export type Distribution = z.infer<typeof distributionRecordSchema>;

/**
 * The escrow of one distribution, in the issuer's operator collection: what was escrowed, what has been paid
 * and to how many accounts, and the residual returned at the end. Private, because the running total paid
 * would reveal each batch's holdings.
 */
export interface DistributionEscrow {
  v: number;
  distributionId: string;
  tokenId: string;
  issuerAccountId: string;
  escrowed: string;
  paid: string;
  accountsPaid: number;
  /** Entitlements of accounts closed by payment time: returned to the issuer with the rounding residual. */
  withheld: string;
  /** Set at the end: what went back to the issuer. */
  residual?: string;
  done: boolean;
}

/** A holder's units at the record time, kept by the first movement of the class after it (copy on write). */
export interface DistributionSnapshot {
  v: number;
  distributionId: string;
  accountId: string;
  units: string;
}

/** The classes' pending distributions, read by every movement of the class (`distsched`/class). */
export interface DistributionSchedule {
  v: number;
  classId: string;
  pending: Array<{ distributionId: string; recordAt: number }>;
}
