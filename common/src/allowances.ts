import { z } from 'zod';
import { amountSchema, epochSecondsSchema, idSchema, mspIdSchema } from './schemas';

/**
 * Custodial allowances (decision 48): an account's holder, signing with its own credential, lets another
 * admitted party move up to an amount of one asset out of the account until an expiry. The party moves
 * within it without the holder's signature; every move lowers what is left and passes every compliance
 * rule of an ordinary transfer. Shared by the chaincode (inputs, records) and the gateway (routes).
 */

export const approveAllowanceSchema = z
  .object({
    accountId: idSchema.describe("The account the allowance draws on: the signing holder's own account."),
    spenderMspId: mspIdSchema.describe(
      "The party allowed to move: the account's own operator (its trading desk) or that operator's trustee (a venue it runs). Other orgs cannot read the account's collection, so they are refused (INVALID_ARGUMENT).",
    ),
    assetId: idSchema.describe('The asset it may move: a money token or a share class.'),
    amount: amountSchema.describe(
      "The most it may move in total, in the asset's smallest unit (decimal string). Approving again replaces the allowance, with this as its new total.",
    ),
    expiresAt: epochSecondsSchema.describe(
      'When the allowance lapses, in epoch seconds (UTC); from then on a move is refused with COMPLIANCE ALLOWANCE_EXPIRED.',
    ),
  })
  .strict();
export type ApproveAllowanceInput = z.infer<typeof approveAllowanceSchema>;

/** Names one allowance: an account, a spender, an asset. */
export const allowanceRefSchema = approveAllowanceSchema
  .pick({ accountId: true, spenderMspId: true, assetId: true })
  .strict();
export type AllowanceRef = z.infer<typeof allowanceRefSchema>;

export const allowanceListQuerySchema = z
  .object({ accountId: idSchema.describe('The account whose allowances are listed.') })
  .strict();

/** A move under an allowance: the spender is the calling org, never an argument. */
export const spendAllowanceSchema = z
  .object({
    from: idSchema.describe('The account the allowance draws on.'),
    to: idSchema.describe(
      'The receiving account. At the same operator the move is one transfer; at another operator it is an instruction the custodian settles.',
    ),
    assetId: idSchema.describe("The asset moved: the allowance's asset."),
    amount: amountSchema.describe(
      "In the asset's smallest unit (decimal string); at most what the allowance has left (else COMPLIANCE ALLOWANCE_EXCEEDED).",
    ),
  })
  .strict();
export type SpendAllowanceInput = z.infer<typeof spendAllowanceSchema>;

export type AllowanceStatus = 'ACTIVE' | 'REVOKED';

/** An allowance (`alw`/account/spender/asset), in the account's operator collection, sealed. */
export interface AllowanceRecord {
  v: number;
  accountId: string;
  spenderMspId: string;
  assetId: string;
  /** What the holder approved in total. */
  limit: string;
  /** What is left to move. */
  remaining: string;
  expiresAt: number;
  status: AllowanceStatus;
  approvedAt: number;
  updatedAt: number;
}

/**
 * What a move under an allowance answers. The block records the answer for every member, so it names
 * nothing of the allowance or the amount: read the allowance (`Get`, an evaluation) for what is left.
 */
export interface AllowanceSpendResult {
  /** Across operators: the instruction's id, which the custodian settles. Absent for a transfer. */
  instructionId?: string;
}

const time = (what: string) =>
  z.number().int().min(0).describe(`${what}. Epoch seconds (UTC), from a transaction timestamp.`);
const units = (what: string) =>
  z
    .string()
    .regex(/^[0-9]+$/)
    .describe(`${what}, in the smallest unit of the asset (decimal string).`);

export const allowanceRecordSchema = z
  .object({
    v: z.number().int().describe('Version of the record format, set by the chaincode.'),
    accountId: z.string().describe('The account the allowance draws on.'),
    spenderMspId: z.string().describe('The org allowed to move.'),
    assetId: z.string().describe('The asset it may move.'),
    limit: units('What the holder approved in total'),
    remaining: units('What is left to move; 0 once exhausted or revoked'),
    expiresAt: time('When it lapses'),
    status: z
      .enum(['ACTIVE', 'REVOKED'])
      .describe('ACTIVE: usable until expiresAt while something remains; REVOKED: the holder withdrew it.'),
    approvedAt: time('When the holder approved it (last approval)'),
    updatedAt: time('When it last changed (a move, a revocation)'),
  })
  .passthrough();

export const allowanceListSchema = z
  .object({
    accountId: z.string().describe('The account.'),
    allowances: z.array(allowanceRecordSchema).describe("The account's allowances, active or revoked."),
  })
  .passthrough();

export const allowanceSpendResultSchema = z
  .object({
    instructionId: z
      .string()
      .describe(
        'Across operators, the move is an instruction in transit until the custodian settles it: its id. Absent for a transfer within one operator, which moved at once.',
      )
      .optional(),
  })
  .passthrough();

// Compile-time agreement between the records and their schemas.
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type Agree<R extends Known<z.infer<S>>, S extends z.ZodTypeAny> = [R, S];
export type AllowanceSchemasAgree = [
  Agree<AllowanceRecord, typeof allowanceRecordSchema>,
  Agree<AllowanceSpendResult, typeof allowanceSpendResultSchema>,
];
