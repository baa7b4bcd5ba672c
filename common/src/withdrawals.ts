import { z } from 'zod';
import { amountSchema, idSchema, MAX_AMOUNT, reasonSchema } from './schemas';

/**
 * Time-locked large withdrawals: a withdrawal above the regulator's threshold for a money token is only
 * requested; its amount leaves the balance into a pending record (the hold), and the trustee executes it
 * once the token's review window has passed. The trustee or the regulator may cancel it until then, which
 * returns the hold. Shared by the chaincode (inputs, records) and the gateway (routes, response schemas).
 */

/** The defaults in force until the regulator sets a policy for a token (decision 40). */
export const WITHDRAWAL_REVIEW_DEFAULTS = {
  /** Whole currency units: the EU's occasional-transaction threshold for customer due diligence (EUR 15,000). */
  thresholdWholeUnits: 15_000n,
  /** One day: long enough for the trustee's and the regulator's staff to look at it on a working day. */
  reviewSeconds: 86_400,
} as const;

/** The longest review window the regulator may set: 30 days. */
export const MAX_REVIEW_SECONDS = 30 * 86_400;

/** The default threshold of a token, in its smallest unit (capped at the largest amount). */
export function defaultWithdrawalThreshold(decimals: number): bigint {
  const t = WITHDRAWAL_REVIEW_DEFAULTS.thresholdWholeUnits * 10n ** BigInt(decimals);
  return t > MAX_AMOUNT ? MAX_AMOUNT : t;
}

export const withdrawalPolicySchema = z
  .object({
    tokenId: idSchema.describe('The money token the policy applies to (e.g. TrusteeMSP.MYR).'),
    threshold: amountSchema.describe(
      'A withdrawal of more than this, in the smallest unit of the token (decimal string), is only requested: its amount is held until the trustee executes it after the review window.',
    ),
    reviewSeconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_REVIEW_SECONDS)
      .describe(
        'Seconds from the request (its transaction time) before the trustee may execute a held withdrawal (1 s to 30 days).',
      ),
    reason: reasonSchema.describe('Why (3-500 characters), kept on the public policy record.'),
  })
  .strict();
export type WithdrawalPolicyInput = z.infer<typeof withdrawalPolicySchema>;

export const tokenQuerySchema = z
  .object({ tokenId: idSchema.describe('The money token (e.g. TrusteeMSP.MYR).') })
  .strict();

/** Names one held withdrawal: the account's operator collection holds it under the account. */
export const withdrawalRefSchema = z
  .object({
    accountId: idSchema.describe('The account the withdrawal is paid out of.'),
    withdrawalId: idSchema.describe('The withdrawal: the id returned when it was requested.'),
  })
  .strict();

export const cancelWithdrawalSchema = withdrawalRefSchema
  .extend({
    reason: reasonSchema.describe(
      'Why (3-500 characters), kept in the withdrawal record in the operator collection (private, not in public state).',
    ),
  })
  .strict();

export type WithdrawalStatus = 'PENDING' | 'EXECUTED' | 'CANCELLED';

/** The public policy of one token (`wpolicy`/token), written by the regulator. */
export interface WithdrawalPolicy {
  v: number;
  tokenId: string;
  threshold: string;
  reviewSeconds: number;
  reason: string;
  setBy: string;
  setAt: number;
}

/** The policy in force: the regulator's, or the defaults (`isDefault`), which have no reason or setter. */
export interface WithdrawalPolicyView {
  tokenId: string;
  threshold: string;
  reviewSeconds: number;
  isDefault: boolean;
  reason?: string;
  setBy?: string;
  setAt?: number;
}

/** A held withdrawal (`wdr`/account/id) in the account's operator collection; kept after its outcome. */
export interface WithdrawalRecord {
  v: number;
  id: string;
  accountId: string;
  tokenId: string;
  amount: string;
  bankReference: string;
  status: WithdrawalStatus;
  requestedAt: number;
  executableFrom: number;
  decidedAt?: number;
  decidedBy?: string;
  reason?: string;
}

/** What `Money:Withdraw` answers: paid out at once, or held for review. */
export interface WithdrawalResult {
  withdrawalId: string;
  status: 'EXECUTED' | 'PENDING';
  executableFrom?: number;
}

/**
 * What `ExecuteWithdrawal` and `CancelWithdrawal` answer. A submitted transaction's answer is recorded in
 * the block for every member to read, so it names the decision only; the amount, the bank reference and
 * the reason stay in the sealed record (`GET` the withdrawal to read them).
 */
export interface WithdrawalDecision {
  withdrawalId: string;
  status: 'EXECUTED' | 'CANCELLED';
  decidedAt: number;
  decidedBy: string;
}

const time = (what: string) =>
  z.number().int().min(0).describe(`${what}. Epoch seconds (UTC), from a transaction timestamp.`);
const money = (what: string) =>
  z
    .string()
    .regex(/^[0-9]+$/)
    .describe(`${what}. Money, in the smallest unit of the token (decimal string).`);

export const withdrawalPolicyRecordSchema = z
  .object({
    tokenId: z.string().describe('The money token.'),
    threshold: money('A withdrawal of more than this is held for review'),
    reviewSeconds: z.number().int().describe('Seconds from the request before the trustee may execute it.'),
    isDefault: z
      .boolean()
      .describe(
        'true: the regulator set no policy for this token, and the defaults apply (15,000 whole currency units, 86400 s).',
      ),
    reason: z.string().describe("The regulator's reason; absent for the defaults.").optional(),
    setBy: z.string().describe('The MSP ID that set the policy; absent for the defaults.').optional(),
    setAt: time('When the policy was set; absent for the defaults').optional(),
  })
  .passthrough();

export const withdrawalRecordSchema = z
  .object({
    v: z.number().int().describe('Version of the record format, set by the chaincode.'),
    id: z.string().describe('The withdrawal id: the id of the transaction that requested it (64 hex digits).'),
    accountId: z.string().describe('The account paid out of.'),
    tokenId: z.string().describe('The money token.'),
    amount: money('The amount held, and paid out on execution'),
    bankReference: z.string().describe("The trustee's bank reference for the payout."),
    status: z
      .enum(['PENDING', 'EXECUTED', 'CANCELLED'])
      .describe(
        'PENDING: held, waiting for the review window; EXECUTED: paid out (burned); CANCELLED: the hold went back to the balance.',
      ),
    requestedAt: time('When it was requested'),
    executableFrom: time('When the review window ends: the trustee may execute it from this time on'),
    decidedAt: time('When it was executed or cancelled').optional(),
    decidedBy: z.string().describe('The MSP ID that executed or cancelled it.').optional(),
    reason: z.string().describe('Why it was cancelled (cancellations only).').optional(),
  })
  .passthrough();

export const withdrawalResultSchema = z
  .object({
    withdrawalId: z
      .string()
      .describe('The id of the withdrawal: the id of the transaction that made it (64 hex digits).'),
    status: z
      .enum(['EXECUTED', 'PENDING'])
      .describe(
        "EXECUTED: paid out now; PENDING: above the token's threshold, so the amount is held until the trustee executes it after the review window.",
      ),
    executableFrom: time('For a PENDING withdrawal: when the review window ends').optional(),
  })
  .passthrough();

export const withdrawalDecisionSchema = z
  .object({
    withdrawalId: z.string().describe('The withdrawal decided (64 hex digits).'),
    status: z
      .enum(['EXECUTED', 'CANCELLED'])
      .describe('EXECUTED: paid out (burned); CANCELLED: the hold went back to the balance.'),
    decidedAt: time('When it was executed or cancelled'),
    decidedBy: z.string().describe('The MSP ID that executed or cancelled it.'),
  })
  .strict();

export const withdrawalListSchema = z
  .object({
    accountId: z.string().describe('The account.'),
    withdrawals: z.array(withdrawalRecordSchema).describe("The account's held withdrawals, pending or decided."),
  })
  .passthrough();

// Compile-time agreement between the records and their schemas.
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type Agree<R extends Known<z.infer<S>>, S extends z.ZodTypeAny> = [R, S];
export type WithdrawalSchemasAgree = [
  Agree<WithdrawalRecord, typeof withdrawalRecordSchema>,
  Agree<WithdrawalPolicyView, typeof withdrawalPolicyRecordSchema>,
  Agree<WithdrawalResult, typeof withdrawalResultSchema>,
  Agree<WithdrawalDecision, typeof withdrawalDecisionSchema>,
];
