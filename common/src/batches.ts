import { z } from 'zod';
import { amountSchema, idSchema, onboardAccountSchema } from './schemas';

/**
 * Bulk onboarding and funding (decision 62): many accounts per transaction, for an operator migrating
 * its customer base and a trustee booking a day's deposits, and for the benchmark's 100,000-account
 * market. Each entry obeys exactly the rules of its single-account transaction; a batch is all or nothing.
 */

/** The most accounts one `Accounts:OnboardBatch` or `Money:DepositBatch` transaction takes. */
export const ACCOUNT_BATCH_MAX = 200;

const eachOnce =
  <T>(key: (item: T) => string) =>
  (items: readonly T[]) =>
    new Set(items.map(key)).size === items.length;

export const onboardBatchSchema = z
  .object({
    accounts: z
      .array(onboardAccountSchema)
      .min(1)
      .max(ACCOUNT_BATCH_MAX)
      .refine(
        eachOnce((a) => a.accountId),
        'each accountId once per batch',
      )
      .describe(`The accounts to open, 1 to ${ACCOUNT_BATCH_MAX}, each as for \`Accounts:Onboard\`.`),
  })
  .strict();
export type OnboardBatch = z.infer<typeof onboardBatchSchema>;

export const depositBatchSchema = z
  .object({
    tokenId: idSchema.describe('The money token, created by the calling trustee (e.g. TrusteeMSP.MYR).'),
    deposits: z
      .array(
        z
          .object({
            accountId: idSchema.describe('The account credited.'),
            amount: amountSchema.describe('Money, in the smallest unit of the token (decimal string).'),
            bankReference: idSchema.describe("The trustee's bank reference for the deposit, for reconciliation."),
          })
          .strict(),
      )
      .min(1)
      .max(ACCOUNT_BATCH_MAX)
      // One credit per account: a second would be checked against the balance before the first.
      .refine(
        eachOnce((d) => d.accountId),
        'each accountId once per batch',
      )
      .describe(`The deposits, 1 to ${ACCOUNT_BATCH_MAX}, each as for \`Money:Deposit\`.`),
  })
  .strict();
export type DepositBatch = z.infer<typeof depositBatchSchema>;
