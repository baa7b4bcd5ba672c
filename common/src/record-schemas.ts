import { z } from 'zod';
import type { Account, Asset, Campaign, Order, Participant, SupplyReport, Trade } from './records';
import { AccountStatus, AccountType, kycSchema, ParticipantKind, ParticipantStatus } from './schemas';

/**
 * Schemas of the records the chaincode returns, for the gateway's response validation and its OpenAPI
 * document. They pin the fields a client relies on and let later record versions add fields
 * (`passthrough`); the type checks at the bottom keep them in step with `records.ts`.
 */

const decimal = z.string().regex(/^-?[0-9]+$/);
const seconds = z.number().int().min(0);

export const participantRecordSchema = z
  .object({
    v: z.number().int(),
    mspId: z.string(),
    kind: ParticipantKind,
    trusteeMspId: z.string().optional(),
    status: ParticipantStatus,
    statusReason: z.string(),
    admittedAt: seconds,
    updatedAt: seconds,
  })
  .passthrough();

export const accountRecordSchema = z
  .object({
    v: z.number().int(),
    id: z.string(),
    operatorMspId: z.string(),
    type: AccountType,
    status: AccountStatus,
    frozen: z.boolean(),
    kyc: kycSchema,
    personalDataHash: z.string(),
    createdAt: seconds,
    updatedAt: seconds,
  })
  .passthrough();

export const assetRecordSchema = z
  .object({
    v: z.number().int(),
    id: z.string(),
    kind: z.enum(['money', 'equity']),
    trusteeMspId: z.string(),
    decimals: z.number().int(),
    halted: z.boolean(),
    createdAt: seconds,
  })
  .passthrough();

export const campaignRecordSchema = z
  .object({
    v: z.number().int(),
    id: z.string(),
    classId: z.string(),
    issuerAccountId: z.string(),
    operatorMspId: z.string(),
    tokenId: z.string(),
    pricePerUnit: decimal,
    minUnits: decimal,
    maxUnits: decimal,
    openAt: seconds,
    closeAt: seconds,
    status: z.enum(['PROPOSED', 'APPROVED', 'FUNDED', 'SETTLING', 'SUCCEEDED', 'FAILED', 'REJECTED']),
  })
  .passthrough();

export const orderRecordSchema = z
  .object({
    v: z.number().int(),
    id: z.string(),
    classId: z.string(),
    side: z.enum(['BUY', 'SELL']),
    price: decimal,
    quantity: decimal,
    remaining: decimal,
    status: z.enum(['OPEN', 'FILLED', 'CANCELLED', 'EXPIRED']),
  })
  .passthrough();

export const tradeRecordSchema = z
  .object({
    v: z.number().int(),
    id: z.string(),
    classId: z.string(),
    price: decimal,
    quantity: decimal,
    buyOrderId: z.string(),
    sellOrderId: z.string(),
    at: seconds,
  })
  .passthrough();

export const supplyReportSchema = z
  .object({
    assetId: z.string(),
    supply: decimal,
    held: decimal,
    inTransit: decimal,
    escrowed: decimal,
    consistent: z.boolean(),
    collections: z.array(z.string()),
  })
  .passthrough();

export const balanceSchema = z
  .object({ accountId: z.string(), assetId: z.string(), balance: decimal, frozen: decimal })
  .passthrough();
export const portfolioSchema = z
  .object({
    accountId: z.string(),
    positions: z.array(
      z.object({ assetId: z.string(), kind: z.enum(['money', 'equity']), balance: decimal }).passthrough(),
    ),
  })
  .passthrough();

/** One change of a public record, from the key's history (`deleted` entries carry no value). */
const historyEntrySchema = z
  .object({ txId: z.string(), at: seconds, deleted: z.boolean(), value: z.object({}).passthrough().optional() })
  .passthrough();

export const movementRecordSchema = z
  .object({
    v: z.number().int(),
    txId: z.string(),
    accountId: z.string(),
    assetId: z.string(),
    delta: decimal,
    kind: z.string(),
    at: seconds,
  })
  .passthrough();

export const accountHistorySchema = z
  .object({ accountId: z.string(), movements: z.array(movementRecordSchema), changes: z.array(historyEntrySchema) })
  .passthrough();
export const transferCheckSchema = z.object({ allowed: z.boolean(), code: z.string(), message: z.string() }).strict();

/** What `Transfers:Settle` returns: the instruction and whether the custodian credited or refunded it. */
export const settlementResultSchema = z
  .object({ instructionId: z.string(), outcome: z.enum(['SETTLED', 'REFUNDED']), code: z.string() })
  .passthrough();

/** An id the chaincode derived from the transaction id (instruction, pledge, order). */
export const txDerivedIdSchema = z.string().regex(/^[0-9a-f]{64}$/);

/** `Supervision:GetInstrumentHistory`: the asset's record history and its public supply deltas. */
export const instrumentHistorySchema = z
  .object({
    assetId: z.string(),
    changes: z.array(historyEntrySchema),
    supply: z.array(z.object({ key: z.string(), delta: decimal }).passthrough()),
  })
  .passthrough();

/** The private record of a person (`Accounts:GetPersonalData`), readable by the account's readers only. */
export const personalRecordSchema = z
  .object({
    v: z.number().int(),
    accountId: z.string(),
    personal: z.object({ fullName: z.string(), nationalId: z.string(), dateOfBirth: z.string() }).passthrough(),
    salt: z.string(),
    updatedAt: seconds,
  })
  .passthrough();

export const personalDataVerificationSchema = z
  .object({
    accountId: z.string(),
    present: z.boolean(),
    matchesAccount: z.boolean(),
    onChainHash: z.string(),
    accountHash: z.string(),
  })
  .passthrough();

export const pledgeRecordSchema = z
  .object({
    v: z.number().int(),
    id: z.string(),
    campaignId: z.string(),
    accountId: z.string(),
    tokenId: z.string(),
    amount: decimal,
    units: decimal,
    at: seconds,
  })
  .passthrough();

export const orderBookSchema = z
  .object({ classId: z.string(), bids: z.array(orderRecordSchema), asks: z.array(orderRecordSchema) })
  .passthrough();

/** `Market:Match`: how many fills settled, orders expired or withdrawn, and whether the breaker tripped. */
export const matchSummarySchema = z
  .object({
    classId: z.string(),
    fills: z.number().int().min(0),
    expired: z.number().int().min(0),
    withdrawn: z.number().int().min(0),
    halted: z.boolean(),
  })
  .passthrough();

export const releaseSummarySchema = z.object({ classId: z.string(), released: z.number().int().min(0) }).passthrough();

export const supervisionRecordSchema = z
  .object({
    v: z.number().int(),
    txId: z.string(),
    action: z.enum(['FREEZE', 'UNFREEZE', 'PARTIAL_FREEZE', 'HALT', 'RESUME', 'FORCED_TRANSFER']),
    target: z.string(),
    reason: z.string(),
    by: z.string(),
    at: seconds,
  })
  .passthrough();

/** The chaincode event a gateway streams; `Batch` carries several in `events`. */
export const marketEventSchema = z
  .object({ v: z.number().int(), type: z.string(), txId: z.string(), at: seconds })
  .passthrough();

// Compile-time agreement between the records and their schemas: a record must satisfy its schema.
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type Satisfies<R extends Known<z.infer<S>>, S extends z.ZodTypeAny> = [R, S];
export type RecordSchemasAgree = [
  Satisfies<Participant, typeof participantRecordSchema>,
  Satisfies<Account, typeof accountRecordSchema>,
  Satisfies<Asset, typeof assetRecordSchema>,
  Satisfies<Campaign, typeof campaignRecordSchema>,
  Satisfies<Order, typeof orderRecordSchema>,
  Satisfies<Trade, typeof tradeRecordSchema>,
  Satisfies<SupplyReport, typeof supplyReportSchema>,
];
