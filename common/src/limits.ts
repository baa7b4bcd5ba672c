import { createHash } from 'node:crypto';
import { z } from 'zod';
import { amountSchema, idSchema, reasonSchema } from './schemas';

/**
 * Investor limits across platforms (decision 49): the regulator caps what one retail investor, as a
 * person, may invest in a year, in total and per issuer, whichever operators it holds accounts at. Each
 * capped investment leaves a claim beside it, in its own operator's collection; the custodian trustee,
 * which sees every operator it serves, checks pending claims against the person's other claims off the
 * ledger and confirms or refuses each in a transaction that touches that investment's keys only.
 */

/**
 * Retired: the collection that held per-person counters until decision 49 moved the counting off the
 * ledger. Fabric keeps a committed collection in every later definition, so it stays configured; nothing
 * writes to it.
 */
export const INVESTOR_LIMITS_COLLECTION = 'investorLimits';

/** Where a claim stands: waiting for the trustee, counted, refused, or closed before a decision (withdrawn). */
export type LimitClaimStatus = 'PENDING' | 'CONFIRMED' | 'REFUSED' | 'CLOSED';

/**
 * One capped investment's claim on its person's caps (`limclaim`/investment, in the account's operator
 * collection). What counts is `amount - returned` of a CONFIRMED claim: refunds give usage back.
 */
export interface LimitClaim {
  v: number;
  investmentId: string;
  kind: 'pledge' | 'buy';
  accountId: string;
  /** The person's beneficial-owner hash: stored only under the collection's seal. */
  owner: string;
  tokenId: string;
  issuerAccountId: string;
  year: number;
  /** The money the investment puts at risk: a pledge's amount, a buy's escrow (limit price × quantity). */
  amount: string;
  /** Money given back to the investor since: refunds, unfilled or better-priced parts of a buy. */
  returned: string;
  status: LimitClaimStatus;
  at: number;
  campaignId?: string;
  classId?: string;
  decidedAt?: number;
  /** A refusal's compliance code and message (naming the cap, never the usage). */
  code?: string;
  message?: string;
}

/** The most claims one review decides, and one `Limits:Decide` records. */
export const MAX_LIMIT_DECISIONS = 200;

/** `Limits:Review`'s argument: how many pending claims to decide at most. */
export const limitReviewSchema = z
  .object({
    max: z
      .number()
      .int()
      .min(1)
      .max(MAX_LIMIT_DECISIONS)
      .default(MAX_LIMIT_DECISIONS)
      .describe('Decide at most this many claims.'),
  })
  .strict();

/** The custodian trustee's decision on one pending claim. */
export const limitDecisionSchema = z
  .object({
    investmentId: idSchema.describe('The pledge or buy order id (the transaction that made it).'),
    operatorMspId: idSchema.describe("The investor's operator, whose collection holds the claim."),
    decision: z.enum(['CONFIRM', 'REFUSE']).describe('CONFIRM counts it; REFUSE refunds the investment.'),
    code: z.string().max(64).describe('For REFUSE: the compliance code.').optional(),
    message: z.string().max(500).describe('For REFUSE: why, naming the cap only.').optional(),
  })
  .strict();
export type LimitDecision = z.infer<typeof limitDecisionSchema>;

/** `Limits:Decide`'s transient payload: decisions on claims of one operator's collection. */
export const limitDecideSchema = z
  .object({
    decisions: z
      .array(limitDecisionSchema)
      .min(1)
      .max(MAX_LIMIT_DECISIONS)
      .describe("Decisions in the order the trustee made them, all of one operator's claims."),
  })
  .strict();

export const limitCheckQuerySchema = z
  .object({
    accountId: idSchema.describe('The investor account that made the investment.'),
    investmentId: idSchema.describe('The pledge id or buy order id.'),
  })
  .strict();

/**
 * One person behind several accounts: a hash of national id and birth date, the same one the audit relay's
 * wash-trade rule keys owners by. Low entropy, so it is only ever stored under a collection's seal.
 */
export function beneficialOwnerHash(p: { nationalId: string; dateOfBirth: string }): string {
  return createHash('sha256').update(`${p.nationalId.trim().toUpperCase()}|${p.dateOfBirth}`).digest('hex');
}

export const limitPolicySchema = z
  .object({
    tokenId: idSchema.describe('The money token the caps are counted in (e.g. TrusteeMSP.MYR).'),
    totalPerYear: amountSchema.describe(
      'What one retail investor, as a person, may invest per calendar year (UTC) across every operator, in the smallest unit of the token (decimal string). Beyond it: COMPLIANCE INVESTOR_LIMIT_EXCEEDED.',
    ),
    perIssuerPerYear: amountSchema.describe(
      'What one retail investor, as a person, may invest in one issuer per calendar year across every operator, in the smallest unit of the token. Beyond it: COMPLIANCE ISSUER_LIMIT_EXCEEDED.',
    ),
    reason: reasonSchema.describe('Why (3-500 characters), kept on the public policy record.'),
  })
  .strict();
export type LimitPolicyInput = z.infer<typeof limitPolicySchema>;

export const limitPolicyQuerySchema = z
  .object({ tokenId: idSchema.describe('The money token (e.g. TrusteeMSP.MYR).') })
  .strict();

export const limitUsageQuerySchema = z
  .object({
    accountId: idSchema.describe("An account of the person: the usage is the person's, across every operator."),
    tokenId: idSchema.describe('The money token the usage is counted in.'),
    issuerAccountId: idSchema
      .describe("An issuer's account: also answer the person's usage of this issuer's cap.")
      .optional(),
  })
  .strict();

/** The regulator's caps for one money token (`lpolicy`/token), public. */
export interface LimitPolicy {
  v: number;
  tokenId: string;
  totalPerYear: string;
  perIssuerPerYear: string;
  reason: string;
  setBy: string;
  setAt: number;
}

/** What one person has used this year, summed from its confirmed claims, and what still waits for a check. */
export interface LimitUsage {
  year: number;
  total: string;
  issuerAccountId?: string;
  issuer?: string;
  pending: string;
}

/** Where one investment's check stands, for the investor, its operator, the trustee and the regulator. */
export interface LimitCheck {
  investmentId: string;
  kind: 'pledge' | 'buy';
  status: LimitClaimStatus;
  amount: string;
  at: number;
  decidedAt?: number;
  code?: string;
  message?: string;
}

const money = (what: string) =>
  z
    .string()
    .regex(/^[0-9]+$/)
    .describe(`${what}. Money, in the smallest unit of the token (decimal string).`);

export const limitPolicyRecordSchema = z
  .object({
    v: z.number().int().describe('Version of the record format, set by the chaincode.'),
    tokenId: z.string().describe('The money token.'),
    totalPerYear: money('Per person and calendar year, across operators'),
    perIssuerPerYear: money('Per person, issuer and calendar year, across operators'),
    reason: z.string().describe("The regulator's reason."),
    setBy: z.string().describe('The MSP ID that set the policy.'),
    setAt: z.number().int().describe('When it was set. Epoch seconds (UTC).'),
  })
  .passthrough();

export const limitUsageSchema = z
  .object({
    year: z.number().int().describe('The calendar year (UTC) of the transaction time.'),
    total: money("The person's investments this year, across operators"),
    issuerAccountId: z.string().describe('The issuer asked about, if any.').optional(),
    issuer: money("The person's investments in that issuer this year, across operators").optional(),
    pending: money("The person's investments this year still waiting for the trustee's check"),
  })
  .passthrough();

export const limitCheckSchema = z
  .object({
    investmentId: z.string().describe('The pledge or buy order id.'),
    kind: z.enum(['pledge', 'buy']).describe('A pledge to a campaign, or a buy order.'),
    status: z
      .enum(['PENDING', 'CONFIRMED', 'REFUSED', 'CLOSED'])
      .describe(
        "PENDING: waiting for the custodian trustee's check; CONFIRMED: counted; REFUSED: over a cap, money returned; CLOSED: withdrawn or cancelled before a decision.",
      ),
    amount: money('The money the investment counts against the caps'),
    at: z.number().int().describe('When the investment was made. Epoch seconds (UTC).'),
    decidedAt: z.number().int().describe('When the trustee decided. Epoch seconds (UTC).').optional(),
    code: z.string().describe('For REFUSED: the compliance code, e.g. INVESTOR_LIMIT_EXCEEDED.').optional(),
    message: z.string().describe('For REFUSED: which cap, never the usage.').optional(),
  })
  .passthrough();

type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type Agree<R extends Known<z.infer<S>>, S extends z.ZodTypeAny> = [R, S];
export type LimitSchemasAgree = [
  Agree<LimitPolicy, typeof limitPolicyRecordSchema>,
  Agree<LimitUsage, typeof limitUsageSchema>,
  Agree<LimitCheck, typeof limitCheckSchema>,
];
