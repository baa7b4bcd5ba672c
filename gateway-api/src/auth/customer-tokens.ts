import { NO_CONTROL_CHARACTERS, Role } from '@ecf/common';
import { z } from 'zod';
import { Scope } from './principal';
import type { TokenRecord } from './tokens';

/**
 * Tokens an operator issues to its own customers through the API (`/v1/accounts/{accountId}/tokens`):
 * what may be asked for and what is shown back. A customer token is bound to the account's wallet
 * identity and to nothing else; the rules that decide whether the caller may issue it live in the
 * route (they need the chain), the shapes and limits here.
 */

/** What a customer credential can be for. `events` is the org's stream and `identities` the CA's work. */
export const CUSTOMER_SCOPES = [Scope.READ, Scope.WRITE] as const;

/** Every customer token expires: 90 days unless asked otherwise, a year at most. */
export const CUSTOMER_TOKEN_DAYS_DEFAULT = 90;
export const CUSTOMER_TOKEN_DAYS_MAX = 365;

export const issueCustomerTokenSchema = z
  .object({
    scopes: z
      .array(z.enum(CUSTOMER_SCOPES))
      .min(1)
      .max(CUSTOMER_SCOPES.length)
      .refine((s) => new Set(s).size === s.length, 'each scope once')
      .describe('What the token may do; default both `read` and `write`.')
      .optional(),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(CUSTOMER_TOKEN_DAYS_MAX)
      .describe(`Days until the token expires; default ${CUSTOMER_TOKEN_DAYS_DEFAULT}.`)
      .optional(),
    label: z
      .string()
      .min(1)
      .max(100)
      .regex(NO_CONTROL_CHARACTERS, 'no control characters')
      .describe('A name for the token, shown in lists (e.g. the device it is for). Not personal data.')
      .optional(),
  })
  .strict();
export type IssueCustomerToken = z.infer<typeof issueCustomerTokenSchema>;

/** A customer token as listed: never its secret or its hash. */
export const customerTokenSchema = z
  .object({
    id: z.string().describe('The token id, for revocation. Not a secret.'),
    accountId: z.string().describe('The customer account the token acts for.'),
    identity: z.string().describe('The wallet identity the token signs with: `acct-<accountId>`.'),
    role: z
      .enum([Role.INVESTOR, Role.ISSUER])
      .describe("The account's role, from its type: what the token may do is that role's."),
    scopes: z.array(z.enum(CUSTOMER_SCOPES)).describe('What the token may do: `read`, `write`.'),
    label: z.string().describe('The name given when it was issued (empty if none).'),
    createdAt: z.string().describe('ISO 8601.'),
    expiresAt: z
      .string()
      .nullable()
      .describe('ISO 8601; after it the token answers 401. null: made with the CLI without an expiry.'),
    expired: z.boolean().describe('Whether expiresAt has passed (the token then answers 401 until revoked).'),
  })
  .strict();
export type CustomerToken = z.infer<typeof customerTokenSchema>;

/** The 201 answer: the listed view plus the secret, which is shown this once and stored only hashed. */
export const issuedCustomerTokenSchema = customerTokenSchema
  .extend({ token: z.string().describe('The bearer secret. Shown once; the gateway keeps only its hash.') })
  .strict();

export const customerTokenListSchema = z
  .object({ items: z.array(customerTokenSchema).describe("The account's tokens, expired ones included.") })
  .strict();

/** The listed view of a stored record that belongs to a customer. */
export function customerTokenView(record: TokenRecord, now = Date.now()): CustomerToken {
  const expiresAt = record.expiresAt ?? null;
  return {
    id: record.id,
    accountId: record.accountId ?? '',
    identity: record.identity,
    role: record.role as CustomerToken['role'],
    scopes: record.scopes.filter((s): s is (typeof CUSTOMER_SCOPES)[number] =>
      (CUSTOMER_SCOPES as readonly string[]).includes(s),
    ),
    label: record.description,
    createdAt: record.createdAt,
    expiresAt,
    expired: expiresAt !== null && Date.parse(expiresAt) <= now,
  };
}
