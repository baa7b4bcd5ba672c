import { z } from 'zod';
import { mspIdSchema, reasonSchema } from './schemas';

/**
 * An operator's wind-down (decision 37): the regulator names a successor of the same trustee, and the
 * custodian trustee moves the exiting operator's book there in bounded, resumable batches. The phases
 * run in this order; each batch call says which phase the wind-down is in afterwards.
 */
export const WindDownPhase = z.enum(['RELEASING', 'MOVING', 'SWEEPING', 'DONE']);
export type WindDownPhase = z.infer<typeof WindDownPhase>;

/** The public record of a wind-down (`winddown`/exiting MSP ID): no account and no amount in it. */
export interface WindDown {
  v: number;
  exitingMspId: string;
  successorMspId: string;
  trusteeMspId: string;
  phase: WindDownPhase;
  reason: string;
  /** The last account moved: where the next batch of moves continues. */
  cursor?: string;
  ordersCancelled: number;
  pledgesRefunded: number;
  accountsMoved: number;
  recordsSwept: number;
  namedAt: number;
  updatedAt: number;
  completedAt?: number;
}

const batch = (what: string) =>
  z
    .number()
    .int()
    .min(1)
    .max(200)
    .default(50)
    .describe(`The most ${what} this call handles (1-200, default 50); call again until the phase changes.`);

const exiting = mspIdSchema.describe('The exiting operator, by its MSP ID.');

export const nameSuccessorSchema = z
  .object({
    exitingMspId: exiting,
    successorMspId: mspIdSchema.describe('The operator that takes over the customers; it has the same trustee.'),
    reason: reasonSchema.describe('Why the operator exits (3-500 characters), kept on the record.'),
  })
  .strict();

export const windDownRefSchema = z.object({ exitingMspId: exiting }).strict();

export const windDownBatchSchema = z
  .object({ exitingMspId: exiting, max: batch('orders, pledges or accounts') })
  .strict();

export const leftoverQuerySchema = z
  .object({
    exitingMspId: exiting,
    limit: z.number().int().min(1).max(200).default(200).describe('The most stored keys listed (1-200, default 200).'),
  })
  .strict();

/** Transient input of `WindDown:Sweep`: stored keys listed by `WindDown:ListLeftovers`. */
export const sweepSchema = z
  .object({
    exitingMspId: exiting,
    keys: z
      .array(z.string().min(1).max(400).describe('A stored (sealed) key from the leftover listing.'))
      .min(1)
      .max(200)
      .describe('Stored keys of records left in the exiting collection, as listed (1-200).'),
  })
  .strict();

const count = (what: string) => z.number().int().min(0).describe(what);
const seconds = (what: string) => z.number().int().min(0).describe(`${what}. Epoch seconds (UTC).`);

export const windDownRecordSchema = z
  .object({
    v: z.number().int().describe('Version of the record format, set by the chaincode.'),
    exitingMspId: z.string().describe('The exiting operator.'),
    successorMspId: z.string().describe('The operator that takes over its customers.'),
    trusteeMspId: z.string().describe('Their trustee, which moves the book.'),
    phase: WindDownPhase.describe(
      'RELEASING (open orders cancelled, pledges in open campaigns refunded), MOVING (accounts moved), SWEEPING (history and supply records moved, the rest purged), DONE.',
    ),
    reason: z.string().describe("The regulator's reason."),
    cursor: z.string().optional().describe('The last account moved; the next batch continues after it.'),
    ordersCancelled: count('Open orders cancelled so far, their escrow returned.'),
    pledgesRefunded: count('Pledges in open campaigns refunded so far.'),
    accountsMoved: count('Accounts moved to the successor so far.'),
    recordsSwept: count('Records moved or purged from the exiting collection by sweeps so far.'),
    namedAt: seconds('When the regulator named the successor'),
    updatedAt: seconds('When the record last changed'),
    completedAt: seconds('When the wind-down completed').optional(),
  })
  .passthrough();

export const leftoversSchema = z
  .object({
    exitingMspId: z.string().describe('The exiting operator.'),
    collection: z.string().describe("The exiting operator's collection."),
    keys: z.array(z.string()).describe('Stored keys of live records still in it (empty: only purged history is left).'),
  })
  .strict();
