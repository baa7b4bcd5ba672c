import { z } from 'zod';

/** What the cap table routes answer; the OpenAPI document and the response checks are built from these. */
const units = (what: string) =>
  z
    .string()
    .regex(/^-?\d+$/)
    .describe(`${what} (decimal string, smallest unit).`);
const block = z.string().regex(/^\d+$/);

export const capTableSchema = z
  .object({
    assetId: z.string().describe('The share class or money token.'),
    issuerAccountId: z.string().nullable().describe("The class's issuer account; null for a money token."),
    asOfBlock: block.nullable().describe('The last market block the table includes; null before the first.'),
    asOfTime: z
      .number()
      .int()
      .nullable()
      .describe("That block's time (epoch seconds, its first transaction's); null when unknown."),
    totalUnits: units('Units held by every holder together, including units locked in open orders'),
    holders: z
      .array(
        z
          .object({
            accountId: z.string().describe('The holder: an account id (the register keeps no personal data).'),
            operatorMspId: z.string().nullable().describe("The holder's operator (as now); null if unknown."),
            units: units('Units in the holder’s balance'),
            escrowed: units('Units locked in the holder’s open orders (still the holder’s)'),
            total: units('units + escrowed'),
          })
          .strict(),
      )
      .describe('Every account holding units at that block, by account id.'),
  })
  .strict();
export type CapTable = z.infer<typeof capTableSchema>;

export const positionHistorySchema = z
  .object({
    accountId: z.string().describe('The holder.'),
    items: z
      .array(
        z
          .object({
            block: block.describe('The market block of the change.'),
            txId: z.string().describe('The transaction that made it.'),
            at: z.number().int().describe('The transaction time (epoch seconds).'),
            assetId: z.string().describe('The share class or money token.'),
            kind: z.string().describe('What moved it: the movement kind (issue, transfer, trade…) or `escrow`.'),
            delta: units('Change of the balance'),
            escrowDelta: units('Change of the units locked in open orders'),
            balance: units('Balance after the change'),
            escrowed: units('Units locked in open orders after the change'),
            counterparty: z.string().nullable().describe('The other account, where the movement has one.'),
          })
          .strict(),
      )
      .describe('Every change of the holder’s positions, oldest first.'),
  })
  .strict();
export type PositionHistory = z.infer<typeof positionHistorySchema>;

const basisPoints = (what: string) => z.number().int().min(0).max(10_000).describe(`${what}, in basis points.`);
export const concentrationSchema = z
  .object({
    assetId: z.string().describe('The share class or money token.'),
    asOfBlock: block.nullable().describe('The last market block included; null before the first.'),
    holders: z.number().int().describe('How many accounts hold units.'),
    totalUnits: units('Units held by every holder together'),
    largest: basisPoints('The largest holder’s share'),
    top5: basisPoints('The five largest holders’ share together'),
    top10: basisPoints('The ten largest holders’ share together'),
    herfindahl: basisPoints('Herfindahl–Hirschman index: the sum of squared shares (10000: one holder)'),
  })
  .strict();
export type Concentration = z.infer<typeof concentrationSchema>;

export const capTableStatusSchema = z
  .object({
    projectedThrough: block.nullable().describe('The last market block projected; null before the first.'),
    database: z.enum(['embedded', 'server']).describe('PGlite in the service, or a PostgreSQL server.'),
    schemaVersion: z.number().int().describe('The last schema migration applied.'),
  })
  .strict();
export type CapTableStatus = z.infer<typeof capTableStatusSchema>;

export const reconciliationSchema = z
  .object({
    projectedThrough: block.nullable().describe('The last market block the projection had reached.'),
    holdersChecked: z.number().int().describe('Accounts whose every balance was compared.'),
    breaks: z
      .array(
        z
          .object({
            accountId: z.string().describe('The holder.'),
            assetId: z.string().describe('The asset whose balances differ.'),
            ledger: units('The chaincode’s balance'),
            projected: units('The projection’s balance'),
            difference: units('projected − ledger'),
          })
          .strict(),
      )
      .describe('Every (holder, asset) whose balances differ; empty when the projection agrees.'),
  })
  .strict();
export type Reconciliation = z.infer<typeof reconciliationSchema>;
