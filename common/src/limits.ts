import { createHash } from 'node:crypto';
import { z } from 'zod';
import { amountSchema, idSchema, reasonSchema } from './schemas';

/**
 * Investor limits across platforms (decision 49): the regulator caps what one retail investor, as a
 * person, may invest in a year, in total and per issuer, whichever operators it holds accounts at. Each
 * person's usage is counted under its beneficial-owner hash in a collection of the trustees and the
 * regulator, which no operator is a member of.
 */

/** The collection of the cross-platform counters: members are the trustees and the regulator. */
export const INVESTOR_LIMITS_COLLECTION = 'investorLimits';

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

/** What one person has used this year (`lim`/owner/token/year[/issuer]), in the limits collection, sealed. */
export interface LimitUsage {
  year: number;
  total: string;
  issuerAccountId?: string;
  issuer?: string;
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
  })
  .passthrough();

type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type Agree<R extends Known<z.infer<S>>, S extends z.ZodTypeAny> = [R, S];
export type LimitSchemasAgree = [
  Agree<LimitPolicy, typeof limitPolicyRecordSchema>,
  Agree<LimitUsage, typeof limitUsageSchema>,
];
