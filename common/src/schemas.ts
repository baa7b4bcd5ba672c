import { z } from 'zod';

/**
 * One schema per payload, shared by chaincode and gateway. Every object schema is strict (unknown fields,
 * including `__proto__`, are refused) and every string is free of control characters.
 */

/** Opaque identifiers: accounts, share classes, bank references. Never a person's name. */
export const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, underscore and hyphen only');

/**
 * The id of a new account. Its holder is registered at the org's Fabric CA as `acct-<accountId>`, which
 * becomes the certificate's CN, and a CN holds at most 64 characters (X.509 ub-common-name). Ids of
 * existing accounts keep idSchema, so accounts onboarded before this limit stay addressable.
 */
export const newAccountIdSchema = idSchema.max(
  59,
  "at most 59 characters: the holder's identity at the CA is acct-<accountId>, and its CN holds 64",
);

export const mspIdSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,40}MSP$/, 'an MSP ID such as OperatorAMSP');

/** Free text recorded with supervisory actions: printable, bounded. */
export const reasonSchema = z
  .string()
  .min(3)
  .max(500)
  .regex(/^[^\p{Cc}]*$/u, 'no control characters');

/**
 * A regular expression source matching the decimal integers from 1 to `max`, without leading zeros. The
 * bound lives in the pattern itself, not only in a refinement, so the JSON Schema the gateway publishes
 * (which carries patterns, not refinements) refuses the same strings zod does.
 */
export function decimalUpTo(max: bigint): string {
  const digits = max.toString();
  const n = digits.length;
  // Shorter numbers: any digits, no leading zero.
  const alternatives = n > 1 ? [`[1-9][0-9]{0,${n - 2}}`] : [];
  // As many digits as max: equal to max up to position i, smaller at i, anything after.
  for (let i = 0; i < n; i++) {
    const low = i === 0 ? 1 : 0;
    const d = Number(digits[i]);
    if (d - 1 < low) continue;
    const rest = n - i - 1;
    alternatives.push(`${digits.slice(0, i)}[${low}-${d - 1}]${rest ? `[0-9]{${rest}}` : ''}`);
  }
  alternatives.push(digits);
  return `^(?:${alternatives.join('|')})$`;
}

/** The largest amount: a signed 64-bit integer, so every peer and client can hold it exactly. */
export const MAX_AMOUNT = 2n ** 63n - 1n;

/** An amount in the asset's smallest unit: a positive integer up to 2^63-1, as a decimal string. */
export const amountSchema = z
  .string()
  .regex(new RegExp(decimalUpTo(MAX_AMOUNT)), 'a positive whole number of the smallest unit, at most 2^63-1')
  .describe('A positive whole number of the smallest unit, as a decimal string: 1 to 9223372036854775807 (2^63-1).');

/** Epoch seconds (UTC), as every time on the ledger comes from transaction timestamps. */
export const epochSecondsSchema = z.number().int().min(0).max(32503680000);

export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code');

export const InvestorClass = z.enum(['retail', 'sophisticated', 'angel']);
export type InvestorClass = z.infer<typeof InvestorClass>;

export const AccountType = z.enum(['investor', 'issuer']);
export type AccountType = z.infer<typeof AccountType>;

export const ParticipantKind = z.enum(['trustee', 'operator']);
export type ParticipantKind = z.infer<typeof ParticipantKind>;

export const ParticipantStatus = z.enum(['ACTIVE', 'SUSPENDED', 'REVOKED']);
export type ParticipantStatus = z.infer<typeof ParticipantStatus>;

export const AccountStatus = z.enum(['ACTIVE', 'SUSPENDED', 'OFFBOARDED']);
export type AccountStatus = z.infer<typeof AccountStatus>;

export const ShareKind = z.enum(['ordinary', 'preference', 'restricted']);

export const kycSchema = z
  .object({
    validUntil: epochSecondsSchema,
    investorClass: InvestorClass,
    jurisdiction: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 country code'),
  })
  .strict();
export type Kyc = z.infer<typeof kycSchema>;

/**
 * Personal text: no control characters, and no U+FFFD or lone surrogate. A U+FFFD is what a decoder puts
 * where the client's bytes were not valid UTF-8, so storing it would keep a mangled name as if it were the
 * person's; a lone surrogate cannot be encoded as UTF-8 at all.
 */
const printable = z
  .string()
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, 'no control characters')
  .regex(/^[^\uFFFD\p{Cs}]*$/u, 'not valid UTF-8 text (contains U+FFFD, the replacement character)');

/** The earliest and latest birth dates accepted: fixed bounds, since a schema has no clock (chaincode). */
const BIRTH_DATES = { from: '1900-01-01', to: '2100-12-31' } as const;

/** Whether `s` is a real date of the proleptic Gregorian calendar, YYYY-MM-DD (no Date: chaincode uses it). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

export const dateOfBirthSchema = z
  .string()
  .refine(isCalendarDate, 'a calendar date, YYYY-MM-DD')
  // Fixed-width ISO dates compare correctly as strings.
  .refine(
    (s) => !isCalendarDate(s) || (s >= BIRTH_DATES.from && s <= BIRTH_DATES.to),
    `between ${BIRTH_DATES.from} and ${BIRTH_DATES.to}`,
  );

/** Personal data: lives only in the operator's private collection, arrives only in transient data. */
export const personalDataSchema = z
  .object({
    fullName: printable.min(1),
    nationalId: printable.min(1),
    dateOfBirth: dateOfBirthSchema,
    address: printable.optional(),
    email: printable.optional(),
  })
  .strict();
export type PersonalData = z.infer<typeof personalDataSchema>;

// ---- transaction payloads ----

export const admitParticipantSchema = z
  .object({ mspId: mspIdSchema, kind: ParticipantKind, trusteeMspId: mspIdSchema.optional(), reason: reasonSchema })
  .strict()
  .refine((p) => (p.kind === 'operator') === (p.trusteeMspId !== undefined), {
    message: 'an operator names its trustee; a trustee names none',
    path: ['trusteeMspId'],
  });

export const participantStatusSchema = z
  .object({ mspId: mspIdSchema, status: ParticipantStatus, reason: reasonSchema })
  .strict();

export const onboardAccountSchema = z
  .object({
    accountId: newAccountIdSchema,
    type: AccountType,
    kyc: kycSchema,
    personal: personalDataSchema,
    /** Random salt chosen by the operator; makes the on-chain hash of the personal data unguessable. */
    salt: z.string().regex(/^[A-Za-z0-9+/=_-]{16,128}$/, 'at least 16 characters of base64'),
  })
  .strict();

export const updateKycSchema = z
  .object({
    accountId: idSchema,
    kyc: kycSchema,
    personal: personalDataSchema.optional(),
    salt: z
      .string()
      .regex(/^[A-Za-z0-9+/=_-]{16,128}$/)
      .optional(),
  })
  .strict()
  .refine((p) => (p.personal === undefined) === (p.salt === undefined), {
    message: 'new personal data comes with a new salt',
    path: ['salt'],
  });

export const accountStatusSchema = z
  .object({ accountId: idSchema, status: AccountStatus, reason: reasonSchema })
  .strict();

export const accountFreezeSchema = z
  .object({ accountId: idSchema, frozen: z.boolean(), reason: reasonSchema })
  .strict();

export const partialFreezeSchema = z
  .object({
    accountId: idSchema,
    assetId: idSchema,
    amount: z.union([amountSchema, z.literal('0')]),
    reason: reasonSchema,
  })
  .strict();

export const createMoneyTokenSchema = z
  .object({ currency: currencySchema, decimals: z.number().int().min(0).max(8) })
  .strict();

export const moneyMovementSchema = z
  .object({ accountId: idSchema, tokenId: idSchema, amount: amountSchema, bankReference: idSchema })
  .strict();

export const createShareClassSchema = z
  .object({
    classId: idSchema,
    issuerAccountId: idSchema,
    kind: ShareKind,
    decimals: z.number().int().min(0).max(8),
    lockupUntil: epochSecondsSchema.default(0),
    allowedInvestorClasses: z.array(InvestorClass).min(1).max(3),
    /** Most units of this class a retail investor may acquire per calendar year (UTC); absent: no cap. */
    retailCapPerYear: amountSchema.optional(),
  })
  .strict();

export const unitsMovementSchema = z
  .object({
    classId: idSchema,
    accountId: idSchema,
    amount: amountSchema,
    purpose: z.enum(['offering', 'redemption', 'buyback', 'correction']),
  })
  .strict();

export const haltSchema = z.object({ assetId: idSchema, halted: z.boolean(), reason: reasonSchema }).strict();

export const transferSchema = z
  .object({ from: idSchema, to: idSchema, assetId: idSchema, amount: amountSchema })
  .strict();

export const forcedTransferSchema = z
  .object({ from: idSchema, to: idSchema, assetId: idSchema, amount: amountSchema, reason: reasonSchema })
  .strict();

export const settleTransferSchema = z.object({ instructionId: idSchema, fromOperatorMspId: mspIdSchema }).strict();

export const balanceQuerySchema = z.object({ accountId: idSchema, assetId: idSchema }).strict();
export const accountQuerySchema = z.object({ accountId: idSchema }).strict();
export const assetQuerySchema = z.object({ assetId: idSchema }).strict();

export type AdmitParticipant = z.infer<typeof admitParticipantSchema>;
export type OnboardAccount = z.infer<typeof onboardAccountSchema>;
export type Transfer = z.infer<typeof transferSchema>;

// ---- primary offerings ----

export const proposeCampaignSchema = z
  .object({
    campaignId: idSchema,
    classId: idSchema,
    /** Money token the units are priced in, and the price of one unit in its smallest unit. */
    tokenId: idSchema,
    pricePerUnit: amountSchema,
    /** Targets in units: below minUnits nothing is sold; above maxUnits pledges are scaled down. */
    minUnits: amountSchema,
    maxUnits: amountSchema,
    openAt: epochSecondsSchema,
    closeAt: epochSecondsSchema.describe('Epoch seconds; must be after openAt.'),
    /** Per pledge, in money. */
    minPledge: amountSchema,
    maxPledge: amountSchema,
    /** Most money one investor may pledge to this campaign in total; absent: maxPledge bounds each pledge only. */
    perInvestorCap: amountSchema.optional(),
    allowedInvestorClasses: z.array(InvestorClass).min(1).max(3),
    coolingOffSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86400),
  })
  .strict()
  .refine((c) => BigInt(c.minUnits) <= BigInt(c.maxUnits), { message: 'minUnits above maxUnits', path: ['minUnits'] })
  .refine((c) => c.openAt < c.closeAt, { message: 'closeAt must follow openAt', path: ['closeAt'] })
  .refine((c) => BigInt(c.minPledge) <= BigInt(c.maxPledge), {
    message: 'minPledge above maxPledge',
    path: ['minPledge'],
  });

export const campaignRefSchema = z.object({ campaignId: idSchema }).strict();

export const pledgeSchema = z.object({ campaignId: idSchema, accountId: idSchema, amount: amountSchema }).strict();

export const withdrawPledgeSchema = z
  .object({ campaignId: idSchema, accountId: idSchema, pledgeId: idSchema })
  .strict();

export const settleBatchSchema = z
  .object({ campaignId: idSchema, batchSize: z.number().int().min(1).max(500).default(100) })
  .strict();

// ---- secondary market ----

export const OrderSide = z.enum(['BUY', 'SELL']);
export type OrderSide = z.infer<typeof OrderSide>;

export const placeOrderSchema = z
  .object({
    accountId: idSchema,
    classId: idSchema,
    tokenId: idSchema,
    side: OrderSide,
    /** Limit price: money (smallest unit) per unit. */
    price: amountSchema,
    quantity: amountSchema,
    expiresAt: epochSecondsSchema.optional(),
  })
  .strict();

export const cancelOrderSchema = z.object({ accountId: idSchema, orderId: idSchema, classId: idSchema }).strict();

export const matchSchema = z
  .object({ classId: idSchema, maxFills: z.number().int().min(1).max(200).default(50) })
  .strict();

export const circuitBreakerSchema = z
  .object({
    classId: idSchema,
    referencePrice: amountSchema,
    /** Allowed distance from the reference price, in basis points (100 = 1%). */
    bandBps: z.number().int().min(1).max(10000),
    /** How long a breaker halt lasts unless the regulator resumes earlier. */
    coolingSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86400),
    reason: reasonSchema,
  })
  .strict();

export const releaseOrdersSchema = z
  .object({ classId: idSchema, max: z.number().int().min(1).max(500).default(100) })
  .strict();

// ---- collection seals (privacy against non-members) ----

/** An operator collection's name, as the chaincode definition derives it from the operator's MSP ID. */
export const collectionSchema = z
  .string()
  .regex(/^pdc[A-Za-z0-9]{1,40}$/, 'an operator collection such as pdcOperatorA');

/** Transient input of `Privacy:Seal`: the collection and its secret, drawn by the sealing client. */
export const sealCollectionSchema = z
  .object({
    collection: collectionSchema,
    /** base64 of 32 to 64 random bytes. */
    secret: z.string().regex(/^[A-Za-z0-9+/]{43,86}={0,2}$/, 'base64 of 32 to 64 random bytes'),
  })
  .strict();

/** Transient input of `Privacy:Migrate`: records written before sealing, by their stored keys. */
export const migrateRecordsSchema = z
  .object({ collection: collectionSchema, keys: z.array(z.string().min(1).max(400)).min(1).max(200) })
  .strict();

export const legacyQuerySchema = z
  .object({ collection: collectionSchema, limit: z.number().int().min(1).max(200) })
  .strict();
