import { z } from 'zod';
import { amountSchema, epochSecondsSchema, idSchema, reasonSchema } from './schemas';

/**
 * Corporate actions on a share class after its offering (decisions 52–54): splits and consolidations,
 * tender offers, delisting with an optional final redemption, and the regulator's open-market buyback
 * limit. The issuer announces through its operator; the class's custodian trustee, a member of every
 * collection the class is held in, executes in bounded, resumable batches.
 */
export const CorporateActionKind = z.enum(['SPLIT', 'TENDER', 'DELISTING']);
export type CorporateActionKind = z.infer<typeof CorporateActionKind>;

/**
 * ANNOUNCED: recorded, nothing moved yet (a tender accepts tenders until it closes). RELEASING: the class
 * is locked and its open orders are cancelled, escrow back to the owners. APPLYING: holdings are scaled
 * (split) or redeemed (delisting). TALLY and ALLOCATE: a closed tender counts its tenders, then buys pro
 * rata. DONE: finished; the record stays.
 */
export const CorporateActionPhase = z.enum(['ANNOUNCED', 'RELEASING', 'APPLYING', 'TALLY', 'ALLOCATE', 'DONE']);
export type CorporateActionPhase = z.infer<typeof CorporateActionPhase>;

/** The public record of a corporate action (`caction`/id): terms and progress, no holding of anyone. */
export interface CorporateAction {
  v: number;
  id: string;
  kind: CorporateActionKind;
  classId: string;
  issuerAccountId: string;
  trusteeMspId: string;
  phase: CorporateActionPhase;
  reason: string;
  announcedBy: string;
  announcedAt: number;
  /** SPLIT: every holding of h units becomes floor(h × numerator / denominator). */
  numerator?: number;
  denominator?: number;
  /** TENDER: the money token and price per unit paid; DELISTING: of the final redemption, if any. */
  tokenId?: string;
  price?: string;
  /** TENDER: the most units bought, and when tendering closes. */
  maxUnits?: string;
  closesAt?: number;
  /** TENDER, once tallied: units tendered in total, and units bought (at most maxUnits). */
  unitsTendered?: string;
  unitsBought?: string;
  /** SPLIT, when done: whole units the fractions added up to, credited to the issuer (decision 52). */
  residualUnits?: string;
  /** The last account (split, redemption) or tender (tender offer) handled: the next batch continues after it. */
  cursor?: string;
  ordersCancelled: number;
  accountsProcessed: number;
  tendersProcessed: number;
  /** DELISTING: holdings left on the register because the account was frozen at redemption. */
  accountsSkipped: number;
  updatedAt: number;
  completedAt?: number;
}

/** The public index entry of one tender: names the offer, the tender and the operator, never the account. */
export interface TenderRef {
  v: number;
  actionId: string;
  tenderId: string;
  operatorMspId: string;
}

/** The regulator's open-market buyback limit for a class (`bbpolicy`/class), in the spirit of SEC Rule 10b-18. */
export interface BuybackPolicy {
  v: number;
  classId: string;
  /** The issuer's daily maximum, in basis points of the trailing average daily volume. */
  maxBps: number;
  /** How many whole UTC days before today the average runs over. */
  windowDays: number;
  reason: string;
  setBy: string;
  at: number;
}

const actionId = idSchema.describe('The corporate action, by the id its announcer chose.');
const classIdField = idSchema.describe('The share class the action applies to.');
const reasonField = reasonSchema.describe('Why (3-500 characters), kept on the public record.');

export const announceSplitSchema = z
  .object({
    actionId,
    classId: classIdField,
    numerator: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .describe('N of N:M: each M units held become N units (2:1 doubles every holding; 1:10 consolidates).'),
    denominator: z.number().int().min(1).max(1000).describe('M of N:M.'),
    reason: reasonField,
  })
  .strict();

export const announceTenderSchema = z
  .object({
    actionId,
    classId: classIdField,
    tokenId: idSchema.describe("The money token the issuer pays in; the class's trustee issued it."),
    price: amountSchema.describe('Price per unit, in the smallest unit of the money token.'),
    maxUnits: amountSchema.describe('The most units the issuer buys; more tendered scales every tender pro rata.'),
    closesAt: epochSecondsSchema.describe('When tendering closes (epoch seconds, UTC); settlement starts after it.'),
    reason: reasonField,
  })
  .strict();

export const announceDelistingSchema = z
  .object({
    actionId,
    classId: classIdField,
    redemption: z
      .object({
        tokenId: idSchema.describe('The money token of the redemption; issued by the class trustee.'),
        price: amountSchema.describe('Price paid per unit redeemed, in the smallest unit of the money token.'),
      })
      .strict()
      .optional()
      .describe(
        "A final redemption: every holder is paid this price per unit from the issuer's balance, and the units are burned.",
      ),
    reason: reasonField,
  })
  .strict();

export const tenderSchema = z
  .object({
    actionId,
    accountId: idSchema.describe('The tendering account; an investor credential fills in its own.'),
    units: amountSchema.describe('Units tendered; they are escrowed until the offer settles.'),
  })
  .strict();

export const advanceActionSchema = z
  .object({
    actionId,
    max: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(50)
      .describe('The most orders, accounts or tenders this call handles (1-200, default 50); call again until DONE.'),
  })
  .strict();

export const actionRefSchema = z.object({ actionId }).strict();

export const buybackPolicySchema = z
  .object({
    classId: classIdField,
    maxBps: z
      .number()
      .int()
      .min(0)
      .max(10000)
      .describe(
        "The issuer's daily maximum of buy orders, in basis points of the trailing average daily volume (2500: Rule 10b-18's 25%).",
      ),
    windowDays: z
      .number()
      .int()
      .min(1)
      .max(90)
      .describe(
        'The trailing window of the average, in whole UTC days before today (Rule 10b-18: four weeks, 20 trading days).',
      ),
    reason: reasonField,
  })
  .strict();

export const buybackQuerySchema = z.object({ classId: classIdField }).strict();

const count = (what: string) => z.number().int().describe(what);
const seconds = (what: string) => z.number().int().describe(`${what} (epoch seconds, UTC).`);

export const corporateActionRecordSchema = z
  .object({
    v: z.number().int().describe('Version of the record format, set by the chaincode.'),
    id: z.string().describe('The action id.'),
    kind: CorporateActionKind.describe('SPLIT (or consolidation), TENDER (tender offer) or DELISTING.'),
    classId: z.string().describe('The share class.'),
    issuerAccountId: z.string().describe("The class's issuer account."),
    trusteeMspId: z.string().describe('The custodian trustee, which executes the action.'),
    phase: CorporateActionPhase.describe(
      'ANNOUNCED, RELEASING (class locked, open orders cancelled), APPLYING (holdings scaled or redeemed), TALLY and ALLOCATE (tender settlement), DONE.',
    ),
    reason: z.string().describe('Why, as announced.'),
    announcedBy: z.string().describe('The MSP ID that announced it.'),
    announcedAt: seconds('When it was announced'),
    numerator: z.number().int().optional().describe('SPLIT: N of N:M.'),
    denominator: z.number().int().optional().describe('SPLIT: M of N:M.'),
    tokenId: z.string().optional().describe('TENDER or redemption: the money token paid.'),
    price: z.string().optional().describe('TENDER or redemption: price per unit in the smallest money unit.'),
    maxUnits: z.string().optional().describe('TENDER: the most units bought.'),
    closesAt: seconds('TENDER: when tendering closes').optional(),
    unitsTendered: z.string().optional().describe('TENDER, once tallied: units tendered in total.'),
    unitsBought: z.string().optional().describe('TENDER, once tallied: units bought, at most maxUnits.'),
    residualUnits: z
      .string()
      .optional()
      .describe("SPLIT, when done: whole units the holders' fractions added up to, credited to the issuer."),
    cursor: z.string().optional().describe('The last account or tender handled; the next batch continues after it.'),
    ordersCancelled: count('Open orders of the class cancelled so far, escrow returned.'),
    accountsProcessed: count('Accounts whose holding was scaled or redeemed so far.'),
    tendersProcessed: count('Tenders counted (TALLY) or settled (ALLOCATE) so far.'),
    accountsSkipped: count('DELISTING: frozen holdings left on the register, unredeemed.'),
    updatedAt: seconds('When the record last changed'),
    completedAt: seconds('When the action completed').optional(),
  })
  .passthrough();

export const buybackPolicyRecordSchema = z
  .object({
    v: z.number().int().describe('Version of the record format, set by the chaincode.'),
    classId: z.string().describe('The share class.'),
    maxBps: z.number().int().describe('Daily maximum in basis points of the trailing average daily volume.'),
    windowDays: z.number().int().describe('Trailing window in whole UTC days.'),
    reason: z.string().describe("The regulator's reason."),
    setBy: z.string().describe('The MSP ID that set it.'),
    at: seconds('When it was set'),
  })
  .passthrough();

export const buybackAllowanceSchema = z
  .object({
    classId: z.string().describe('The share class.'),
    day: z.number().int().describe('The UTC day the allowance is for, as whole days since 1970-01-01.'),
    averageDailyVolume: z.string().describe('Units traded per day on average over the window, rounded down.'),
    limit: z.string().describe("The issuer's maximum of buy-order units for the day."),
    used: z.string().describe("Units of the issuer's buy orders placed today."),
  })
  .strict();
export type BuybackAllowance = z.infer<typeof buybackAllowanceSchema>;

export const tenderIdResultSchema = z.string().describe('The tender id: the transaction id of the tender.');
