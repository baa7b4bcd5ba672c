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

/**
 * Text without control characters (Unicode category Cc: U+0000–U+001F and U+007F–U+009F). Written as
 * explicit ranges rather than `\p{Cc}` because the pattern is published in the OpenAPI document, and
 * clients' regex engines (Python's among them) do not all know Unicode property escapes.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what the pattern refuses
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001F\u007F-\u009F]*$/;

/** Text that was valid UTF-8: no U+FFFD replacement character and no lone surrogate (U+D800–U+DFFF). */
export const VALID_UTF8_TEXT = /^[^\uFFFD\uD800-\uDFFF]*$/;

/** Free text recorded with supervisory actions: printable, bounded. */
export const reasonSchema = z.string().min(3).max(500).regex(NO_CONTROL_CHARACTERS, 'no control characters');

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
    validUntil: epochSecondsSchema.describe(
      'When the KYC check expires, in epoch seconds (UTC); after it the account can no longer receive or pledge. Set by the operator.',
    ),
    investorClass: InvestorClass.describe(
      "The holder's investor class, as the operator assessed it: decides which share classes and campaigns it may buy, and whether retail caps apply.",
    ),
    jurisdiction: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 country code')
      .describe("The holder's country of residence, ISO 3166 alpha-2 (e.g. MY)."),
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
  .regex(NO_CONTROL_CHARACTERS, 'no control characters')
  .regex(VALID_UTF8_TEXT, 'not valid UTF-8 text (contains U+FFFD, the replacement character)');

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
    fullName: printable.min(1).describe("The holder's full legal name (at most 200 characters)."),
    nationalId: printable.min(1).describe("The holder's national identity or passport number."),
    dateOfBirth: dateOfBirthSchema.describe(
      `The holder's date of birth, YYYY-MM-DD, from ${BIRTH_DATES.from} to ${BIRTH_DATES.to}.`,
    ),
    address: printable.describe("The holder's postal address.").optional(),
    email: printable.describe("The holder's e-mail address.").optional(),
  })
  .strict();
export type PersonalData = z.infer<typeof personalDataSchema>;

// ---- transaction payloads ----

export const admitParticipantSchema = z
  .object({
    mspId: mspIdSchema.describe('The MSP ID of the org being admitted, as in its certificates (e.g. OperatorAMSP).'),
    kind: ParticipantKind.describe(
      '`trustee`: holds assets in custody, creates money tokens and share classes; `operator`: onboards and serves customers.',
    ),
    trusteeMspId: mspIdSchema
      .describe(
        "An operator's trustee, custodian of its customers' assets (required for an operator, absent for a trustee).",
      )
      .optional(),
    reason: reasonSchema.describe('Why the regulator admits it (3-500 characters), kept on the record.'),
  })
  .strict()
  .refine((p) => (p.kind === 'operator') === (p.trusteeMspId !== undefined), {
    message: 'an operator names its trustee; a trustee names none',
    path: ['trusteeMspId'],
  });

export const participantStatusSchema = z
  .object({
    mspId: mspIdSchema.describe('The participant whose status the regulator changes.'),
    status: ParticipantStatus.describe('The new status: ACTIVE, SUSPENDED (can be lifted) or REVOKED (final).'),
    reason: reasonSchema.describe('Why (3-500 characters), kept on the record.'),
  })
  .strict();

export const onboardAccountSchema = z
  .object({
    accountId: newAccountIdSchema.describe(
      'The new account id, chosen by the operator: opaque (never a name), at most 59 characters, unique on the market.',
    ),
    type: AccountType.describe(
      '`investor` (pledges and trades) or `issuer` (issues share classes, proposes campaigns).',
    ),
    kyc: kycSchema.describe(
      "The operator's know-your-customer claims about the holder (public on the account record).",
    ),
    personal: personalDataSchema.describe(
      "The holder's personal data: kept only in the operator's private collection; the account record holds its salted hash.",
    ),
    /** Random salt chosen by the operator; makes the on-chain hash of the personal data unguessable. */
    salt: z
      .string()
      .regex(/^[A-Za-z0-9+/=_-]{16,128}$/, 'at least 16 characters of base64')
      .describe('Random salt hashed with the personal data, so the public hash cannot be confirmed by guessing.'),
  })
  .strict();

export const updateKycSchema = z
  .object({
    accountId: idSchema.describe("The account whose KYC claims change (one of the calling operator's customers)."),
    kyc: kycSchema.describe('The new KYC claims, replacing the old ones.'),
    personal: personalDataSchema.describe('New personal data, if it changed; comes with a new salt.').optional(),
    salt: z
      .string()
      .regex(/^[A-Za-z0-9+/=_-]{16,128}$/)
      .describe('A new random salt for the new personal data (16-128 base64 characters).')
      .optional(),
  })
  .strict()
  .refine((p) => (p.personal === undefined) === (p.salt === undefined), {
    message: 'new personal data comes with a new salt',
    path: ['salt'],
  });

export const accountStatusSchema = z
  .object({
    accountId: idSchema.describe("The account whose status its operator changes (one of the operator's customers)."),
    status: AccountStatus.describe('The new status: ACTIVE, SUSPENDED, or OFFBOARDED (final; revokes its API tokens).'),
    reason: reasonSchema.describe('Why (3-500 characters), kept on the record.'),
  })
  .strict();

export const accountFreezeSchema = z
  .object({
    accountId: idSchema.describe('The account the regulator freezes or unfreezes.'),
    frozen: z.boolean().describe('true: the account can neither send nor receive; false: lift the freeze.'),
    reason: reasonSchema.describe('Why (3-500 characters), kept on the supervision record.'),
  })
  .strict();

export const partialFreezeSchema = z
  .object({
    accountId: idSchema.describe('The account whose balance is partly frozen.'),
    assetId: idSchema.describe('The asset frozen: a money token or a share class.'),
    amount: z
      .union([amountSchema, z.literal('0')])
      .describe(
        "How much of the balance to freeze, replacing any earlier partial freeze; '0' lifts it. In the asset's smallest unit: money for a money token, share units for a share class (decimal string).",
      ),
    reason: reasonSchema.describe('Why (3-500 characters), kept on the supervision record.'),
  })
  .strict();

export const createMoneyTokenSchema = z
  .object({
    currency: currencySchema.describe(
      "The ISO 4217 currency the token represents; the token's id is `<trustee MSP ID>.<currency>`.",
    ),
    decimals: z
      .number()
      .int()
      .min(0)
      .max(8)
      .describe('Digits after the decimal point: amounts are in units of 10^-decimals of the currency (2: cents).'),
  })
  .strict();

export const moneyMovementSchema = z
  .object({
    accountId: idSchema.describe('The account credited (deposit) or debited (withdrawal).'),
    tokenId: idSchema.describe('The money token, created by the calling trustee (e.g. TrusteeMSP.MYR).'),
    amount: amountSchema.describe(
      'Money, in the smallest unit of the token (decimal string, 1 to 2^63-1): what arrived at or left the bank.',
    ),
    bankReference: idSchema.describe(
      "The trustee's bank reference for the movement of real money, for reconciliation.",
    ),
  })
  .strict();

export const createShareClassSchema = z
  .object({
    classId: idSchema.describe('The new share class id, chosen by the trustee; unique on the market.'),
    issuerAccountId: idSchema.describe('The issuer account whose shares the class represents.'),
    kind: ShareKind.describe('The kind of share: ordinary, preference or restricted.'),
    decimals: z
      .number()
      .int()
      .min(0)
      .max(8)
      .describe('Digits after the decimal point of a share: amounts of the class are in units of 10^-decimals shares.'),
    lockupUntil: epochSecondsSchema
      .default(0)
      .describe('Until when units may not be transferred between investors, in epoch seconds (UTC); 0: no lock-up.'),
    allowedInvestorClasses: z
      .array(InvestorClass)
      .min(1)
      .max(3)
      .describe("The investor classes that may hold the class (from each account's KYC)."),
    /** Most units of this class a retail investor may acquire per calendar year (UTC); absent: no cap. */
    retailCapPerYear: amountSchema
      .describe(
        'The most share units of this class (smallest unit) a retail investor may acquire per calendar year (UTC), pledges included; absent: no cap.',
      )
      .optional(),
  })
  .strict();

export const unitsMovementSchema = z
  .object({
    classId: idSchema.describe('The share class, created by the calling trustee.'),
    accountId: idSchema.describe('The account whose units are issued or burned.'),
    amount: amountSchema.describe('Share units of the class, in its smallest unit (decimal string, 1 to 2^63-1).'),
    purpose: z
      .enum(['offering', 'redemption', 'buyback', 'correction'])
      .describe('Why the units are issued or burned, kept on the movement.'),
  })
  .strict();

export const haltSchema = z
  .object({
    assetId: idSchema.describe('The asset the regulator halts or resumes: a money token or a share class.'),
    halted: z.boolean().describe('true: nothing in this asset moves; false: resume.'),
    reason: reasonSchema.describe('Why (3-500 characters), kept on the supervision record.'),
  })
  .strict();

export const transferSchema = z
  .object({
    from: idSchema.describe('The sending account (a customer credential implies its own).'),
    to: idSchema.describe('The receiving account.'),
    assetId: idSchema.describe('The asset sent: a money token or a share class.'),
    amount: amountSchema.describe(
      "In the asset's smallest unit: money for a money token, share units for a share class (decimal string, 1 to 2^63-1).",
    ),
  })
  .strict();

export const forcedTransferSchema = z
  .object({
    from: idSchema.describe('The account the regulator takes the asset from (e.g. by court order).'),
    to: idSchema.describe('The account that receives it.'),
    assetId: idSchema.describe('The asset moved: a money token or a share class.'),
    amount: amountSchema.describe(
      "In the asset's smallest unit: money for a money token, share units for a share class (decimal string, 1 to 2^63-1).",
    ),
    reason: reasonSchema.describe('Why (3-500 characters), kept on the supervision record.'),
  })
  .strict();

export const settleTransferSchema = z
  .object({
    instructionId: idSchema.describe('The instruction to settle: the id returned when it was made.'),
    fromOperatorMspId: mspIdSchema.describe("The sender's operator, whose collection holds the instruction."),
  })
  .strict();

export const balanceQuerySchema = z
  .object({
    accountId: idSchema.describe('The account whose balance is read.'),
    assetId: idSchema.describe('The asset: a money token or a share class.'),
  })
  .strict();
export const accountQuerySchema = z.object({ accountId: idSchema.describe('The account read.') }).strict();
export const assetQuerySchema = z
  .object({ assetId: idSchema.describe('The asset: a money token or a share class.') })
  .strict();

export type AdmitParticipant = z.infer<typeof admitParticipantSchema>;
export type OnboardAccount = z.infer<typeof onboardAccountSchema>;
export type Transfer = z.infer<typeof transferSchema>;

// ---- primary offerings ----

export const proposeCampaignSchema = z
  .object({
    campaignId: idSchema.describe('The new campaign id, chosen by the proposer; unique on the market.'),
    classId: idSchema.describe("The share class offered: one of the issuer's classes."),
    /** Money token the units are priced in, and the price of one unit in its smallest unit. */
    tokenId: idSchema.describe("The money token pledges are made in; the class's trustee must have created it."),
    pricePerUnit: amountSchema.describe(
      'The price of one share unit (smallest unit of the class): money, in the smallest unit of tokenId (decimal string).',
    ),
    /** Targets in units: below minUnits nothing is sold; above maxUnits pledges are scaled down. */
    minUnits: amountSchema.describe(
      'Share units of the class that must be pledged for the campaign to succeed; below it every pledge is refunded. At most maxUnits.',
    ),
    maxUnits: amountSchema.describe(
      'Share units on offer, minted into escrow when funded; pledges above it are scaled down pro rata. maxUnits × pricePerUnit must not exceed 2^63-1 (LIMIT_EXCEEDED).',
    ),
    openAt: epochSecondsSchema.describe('When pledging opens, in epoch seconds (UTC).'),
    closeAt: epochSecondsSchema.describe(
      'When pledging closes, in epoch seconds (UTC): after openAt and in the future. Withdrawals stop and settlement may start then.',
    ),
    /** Per pledge, in money. */
    minPledge: amountSchema.describe(
      'The least one pledge may be: money, in the smallest unit of tokenId; a whole multiple of pricePerUnit and at most maxPledge (else INVALID_ARGUMENT).',
    ),
    maxPledge: amountSchema.describe(
      'The most one pledge may be: money, in the smallest unit of tokenId; a whole multiple of pricePerUnit (else INVALID_ARGUMENT).',
    ),
    /** Most money one investor may pledge to this campaign in total; absent: maxPledge bounds each pledge only. */
    perInvestorCap: amountSchema
      .describe(
        'The most money (smallest unit of tokenId) one investor may have pledged to this campaign, all its pledges together (withdrawn ones not counted); a pledge above it is refused with COMPLIANCE INVESTMENT_CAP_EXCEEDED. Absent: only maxPledge bounds each pledge.',
      )
      .optional(),
    allowedInvestorClasses: z
      .array(InvestorClass)
      .min(1)
      .max(3)
      .describe(
        "The investor classes (from each account's KYC) that may pledge; others get COMPLIANCE INVESTOR_CLASS_NOT_ALLOWED.",
      ),
    coolingOffSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86400)
      .describe(
        'Seconds after each pledge during which the investor may withdraw it (at most 30 days); withdrawal also ends at closeAt.',
      ),
  })
  .strict()
  .refine((c) => BigInt(c.minUnits) <= BigInt(c.maxUnits), { message: 'minUnits above maxUnits', path: ['minUnits'] })
  .refine((c) => c.openAt < c.closeAt, { message: 'closeAt must follow openAt', path: ['closeAt'] })
  .refine((c) => BigInt(c.minPledge) <= BigInt(c.maxPledge), {
    message: 'minPledge above maxPledge',
    path: ['minPledge'],
  });

/** A campaign, by the id its proposer chose. */
const campaignIdSchema = idSchema.describe('The campaign, by the id its proposer chose.');

export const campaignRefSchema = z.object({ campaignId: campaignIdSchema }).strict();

export const pledgeSchema = z
  .object({
    campaignId: campaignIdSchema,
    accountId: idSchema.describe('The investor account that pledges (a customer credential implies its own).'),
    amount: amountSchema.describe(
      "Money to escrow, in the smallest unit of the campaign's tokenId (decimal string). Must be a whole multiple of the campaign's pricePerUnit (else INVALID_ARGUMENT: amount must be a whole multiple of the price) and between its minPledge and maxPledge (else INVALID_ARGUMENT); with earlier pledges, within perInvestorCap (else COMPLIANCE INVESTMENT_CAP_EXCEEDED). Buys amount ÷ pricePerUnit share units, fewer if oversubscribed.",
    ),
  })
  .strict();

export const withdrawPledgeSchema = z
  .object({
    campaignId: campaignIdSchema,
    accountId: idSchema.describe('The investor account that pledged (a customer credential implies its own).'),
    pledgeId: idSchema.describe('The pledge to withdraw: the id returned when it was made.'),
  })
  .strict();

/**
 * The issuer's operator closes a campaign before its deadline (decision 64): the new close is never later
 * than the current one and never earlier than the transaction time plus the cooling-off period.
 */
export const closeCampaignEarlySchema = z
  .object({
    campaignId: campaignIdSchema,
    closeAt: epochSecondsSchema
      .describe(
        "The new close, in epoch seconds (UTC): at least the transaction's time plus the campaign's coolingOffSeconds, so every pledge already made keeps its whole cooling-off period, and before the current closeAt (else INVALID_ARGUMENT). Absent: exactly the transaction's time plus coolingOffSeconds, the earliest allowed.",
      )
      .optional(),
  })
  .strict();

/**
 * The most pledges one `Campaigns:Settle` call processes: about 10 ledger calls each, so a batch of 1000
 * runs for about 10 s on a loaded 2-core machine, inside the peer's 30 s execution timeout (decision 59).
 */
export const MAX_SETTLE_BATCH = 1000;

export const settleBatchSchema = z
  .object({
    campaignId: campaignIdSchema,
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(MAX_SETTLE_BATCH)
      .default(100)
      .describe(
        `The most pledges this call processes (1-${MAX_SETTLE_BATCH}, default 100); call again until SUCCEEDED or FAILED (or FUNDED: a campaign closed early whose tally missed the minimum reopens, decision 64). Larger batches take fewer transactions but each runs longer: a batch must finish within the peer's chaincode execution timeout (decision 59).`,
      ),
  })
  .strict();

// ---- secondary market ----

export const OrderSide = z.enum(['BUY', 'SELL']);
export type OrderSide = z.infer<typeof OrderSide>;

export const placeOrderSchema = z
  .object({
    accountId: idSchema.describe('The account that places the order (a customer credential implies its own).'),
    classId: idSchema.describe('The share class traded.'),
    tokenId: idSchema.describe('The money token paid.'),
    side: OrderSide.describe('BUY: escrows price × quantity in money; SELL: escrows quantity in units.'),
    /** Limit price: money (smallest unit) per unit. */
    price: amountSchema.describe(
      'Limit price per share unit (smallest unit of the class): money, in the smallest unit of tokenId (decimal string).',
    ),
    quantity: amountSchema.describe('Share units of the class, in its smallest unit (decimal string).'),
    expiresAt: epochSecondsSchema
      .describe(
        'When the order lapses, in epoch seconds (UTC); the next match closes it and returns its escrow. Absent: never.',
      )
      .optional(),
  })
  .strict();

export const cancelOrderSchema = z
  .object({
    accountId: idSchema.describe('The account that placed the order (a customer credential implies its own).'),
    orderId: idSchema.describe('The order: the id returned when it was placed.'),
    classId: idSchema.describe('The share class of the order.'),
  })
  .strict();

export const matchSchema = z
  .object({
    classId: idSchema.describe('The share class whose book is matched.'),
    maxFills: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(50)
      .describe('The most trades this call settles (1-200, default 50); call again while orders cross.'),
  })
  .strict();

export const circuitBreakerSchema = z
  .object({
    classId: idSchema.describe('The share class guarded.'),
    referencePrice: amountSchema.describe(
      'The price the band is centred on, per share unit: money, in the smallest unit of the money token (decimal string).',
    ),
    /** Allowed distance from the reference price, in basis points (100 = 1%). */
    bandBps: z
      .number()
      .int()
      .min(1)
      .max(10000)
      .describe(
        'Allowed distance of a trade from the reference price, in basis points (100 = 1%); a trade outside halts the class.',
      ),
    /** How long a breaker halt lasts unless the regulator resumes earlier. */
    coolingSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86400)
      .describe('Seconds a breaker halt lasts unless the regulator resumes earlier (at most 7 days).'),
    reason: reasonSchema.describe('Why (3-500 characters), kept on the supervision record.'),
  })
  .strict();

export const releaseOrdersSchema = z
  .object({
    classId: idSchema.describe('The share class whose open orders are released.'),
    max: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(100)
      .describe('The most orders this call cancels (1-500, default 100); call again until none is left.'),
  })
  .strict();

// ---- collection seals (privacy against non-members) ----

/**
 * A sealed collection's name: an operator's, as the chaincode definition derives it from the operator's
 * MSP ID, or the investor-limits collection (decision 49).
 */
export const collectionSchema = z
  .string()
  .regex(/^(pdc[A-Za-z0-9]{1,40}|investorLimits)$/, 'an operator collection such as pdcOperatorA, or investorLimits');

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
