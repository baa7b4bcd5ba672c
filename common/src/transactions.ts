import { z } from 'zod';

const txIdSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe('The Fabric transaction id (64 hex digits).');

/**
 * A write's answer when its transaction was sent for ordering and its commit status did not arrive in
 * time (decision 63): it may still commit, exactly once, under `txId`. Never a 5xx, since it may commit.
 */
export const acceptedWriteSchema = z
  .object({
    txId: txIdSchema.describe(
      'The transaction sent for ordering (64 hex digits): follow it at `Location` (`GET /v1/transactions/{txId}`).',
    ),
    status: z
      .literal('PENDING')
      .describe('Sent for ordering; whether it committed is not known yet. It commits at most once.'),
  })
  .strict()
  .describe('Accepted: the write was sent for ordering and its outcome is not known yet.');
export type AcceptedWrite = z.infer<typeof acceptedWriteSchema>;

export const TRANSACTION_STATUSES = ['COMMITTED', 'INVALID', 'PENDING'] as const;

/** What `GET /v1/transactions/{txId}` tells: the outcome only, never what the transaction carried. */
export const transactionStatusSchema = z
  .object({
    txId: txIdSchema,
    status: z
      .enum(TRANSACTION_STATUSES)
      .describe(
        "COMMITTED: in a block and valid, the write happened. INVALID: in a block and marked invalid, the write did not happen (see `validationCode`). PENDING: not in a block on this org's peer yet.",
      ),
    blockNumber: z
      .string()
      .regex(/^[0-9]+$/)
      .optional()
      .describe('The block that holds the transaction, as a decimal string; absent while PENDING.'),
    validationCode: z
      .string()
      .regex(/^[A-Z_]+$/)
      .optional()
      .describe("Fabric's validation code (VALID, MVCC_READ_CONFLICT, DUPLICATE_TXID…); absent while PENDING."),
  })
  .strict()
  .describe('The outcome of a transaction the caller sent.');
export type TransactionStatus = z.infer<typeof transactionStatusSchema>;
