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
  .object({ accountId: z.string(), positions: z.array(z.object({}).passthrough()) })
  .passthrough();
export const accountHistorySchema = z
  .object({ accountId: z.string(), movements: z.array(z.object({}).passthrough()) })
  .passthrough();
export const transferCheckSchema = z.object({ allowed: z.boolean(), code: z.string(), message: z.string() }).strict();

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
