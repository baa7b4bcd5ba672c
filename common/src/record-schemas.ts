import { z } from 'zod';
import type { Account, Asset, CampaignView, Order, Participant, SupplyReport, Trade } from './records';
import { AccountStatus, AccountType, InvestorClass, kycSchema, ParticipantKind, ParticipantStatus } from './schemas';

/**
 * Schemas of the records the chaincode returns, for the gateway's response validation and its OpenAPI
 * document. They pin the fields a client relies on and let later record versions add fields
 * (`passthrough`); the type checks at the bottom keep them in step with `records.ts`.
 */

const decimal = z.string().regex(/^-?[0-9]+$/);
const seconds = z.number().int().min(0);

/** Field helpers: each says what the field is and its unit, so no record field goes undescribed. */
const version = z
  .number()
  .int()
  .describe('Version of the record format, set by the chaincode. Later versions only add fields.');
const time = (what: string) =>
  seconds.describe(`${what}. Epoch seconds (UTC), from the timestamp of the transaction that wrote it.`);
const money = (what: string) =>
  decimal.describe(`${what}. Money, in the smallest unit of the campaign's or order's money token (decimal string).`);
const units = (what: string) =>
  decimal.describe(`${what}. Share units of the class, in its smallest unit (decimal string).`);
/** An amount of an asset that may be either kind: money for a money token, share units for a share class. */
const assetAmount = (what: string) =>
  decimal.describe(
    `${what}. In the asset's smallest unit: money for a money token, share units for a share class (decimal string).`,
  );
const text = (what: string) => z.string().describe(what);
const mspId = (what: string) => z.string().describe(`${what}: an MSP ID such as OperatorAMSP.`);
const txId = (what: string) => z.string().describe(`${what}: a Fabric transaction id (64 hex digits).`);

export const participantRecordSchema = z
  .object({
    v: version,
    mspId: mspId('The participant, by its MSP ID'),
    kind: ParticipantKind.describe(
      '`trustee` (holds assets in custody, mints money and units) or `operator` (onboards and serves customers).',
    ),
    trusteeMspId: mspId(
      "An operator's trustee, the custodian of its customers' assets; absent for a trustee",
    ).optional(),
    status: ParticipantStatus.describe(
      'Set by the regulator. Only an ACTIVE participant may act; SUSPENDED can be lifted, REVOKED is final.',
    ),
    statusReason: text(
      'Why the regulator admitted the participant or last changed its status (free text from the regulator).',
    ),
    admittedAt: time('When the regulator admitted the participant'),
    updatedAt: time('When the record last changed'),
  })
  .passthrough();

export const accountRecordSchema = z
  .object({
    v: version,
    id: text('The account id, chosen by its operator at onboarding. Opaque: never a name.'),
    operatorMspId: mspId('The operator that onboarded the account and holds its personal data and balances'),
    type: AccountType.describe(
      '`investor` (pledges and trades) or `issuer` (issues share classes and proposes campaigns).',
    ),
    status: AccountStatus.describe('Set by the operator: ACTIVE, SUSPENDED, or OFFBOARDED (final).'),
    frozen: z.boolean().describe('Frozen by the regulator: while true the account can neither send nor receive.'),
    kyc: kycSchema.describe("The operator's know-your-customer claims about the holder."),
    personalDataHash: text(
      "SHA-256 (hex) of the salted personal data in the operator's private collection: proves what was recorded without revealing it.",
    ),
    createdAt: time('When the account was onboarded'),
    updatedAt: time('When the record last changed'),
  })
  .passthrough();

export const assetRecordSchema = z
  .object({
    v: version,
    id: text('The asset id: a money token (e.g. its currency) or a share class id, chosen by its trustee.'),
    kind: z.enum(['money', 'equity']).describe('`money`: a money token; `equity`: a share class.'),
    trusteeMspId: mspId('The trustee that created the asset and holds it in custody'),
    decimals: z
      .number()
      .int()
      .describe('How many of the smallest units make one whole unit, as a power of ten (e.g. 2: amounts are cents).'),
    halted: z.boolean().describe('Halted by the regulator (or a circuit breaker): while true the asset does not move.'),
    createdAt: time('When the asset was created'),
  })
  .passthrough();

/**
 * How far a campaign's settlement has got, in public terms. Strict, unlike the records: the chaincode keeps
 * its walk cursor (a composite ledger key) in state, and a gateway refuses to pass one on.
 */
export const campaignSettlementSchema = z
  .object({
    phase: z
      .enum(['TALLY', 'ALLOCATE', 'REFUND', 'DONE'])
      .describe(
        'TALLY: counting the pledges; then ALLOCATE (the minimum was reached: units to investors, money to the issuer) or REFUND (it was not: every pledge refunded); DONE when finished.',
      ),
    pledgesCounted: z
      .number()
      .int()
      .min(0)
      .describe(
        'Pledges counted by the tally so far; all of them once the tally is over. Absent only for a settlement begun by an earlier chaincode version.',
      )
      .optional(),
    pledgesTotal: z
      .number()
      .int()
      .min(0)
      .describe('Every pledge being settled, known once the tally is over (absent during TALLY).')
      .optional(),
    pledgesSettled: z
      .number()
      .int()
      .min(0)
      .describe(
        'Pledges allocated or refunded so far; equals pledgesTotal when DONE. Absent only for a settlement begun by an earlier chaincode version.',
      )
      .optional(),
    totalUnits: units('Units pledged in total, as counted by the tally so far'),
    unitsAllocated: units('Units credited to investors so far'),
    moneyToIssuer: money('Money paid to the issuer so far (units allocated × pricePerUnit)'),
    outcome: z
      .enum(['SUCCEEDED', 'FAILED'])
      .describe('The result, once DONE: SUCCEEDED (the minimum was reached) or FAILED (everything refunded).')
      .optional(),
  })
  .strict();

export const campaignRecordSchema = z
  .object({
    v: version,
    id: text('The campaign id, chosen by its proposer.'),
    classId: text('The share class whose units are offered.'),
    issuerAccountId: text('The issuer account that owns the class and is paid when the campaign succeeds.'),
    operatorMspId: mspId("The issuer's operator, which approves or rejects the campaign"),
    trusteeMspId: mspId('The trustee of the class, which funds (escrows the units) and settles the campaign'),
    tokenId: text('The money token pledges are made in and the issuer is paid in.'),
    pricePerUnit: money('The price of one share unit'),
    minUnits: units('The least that must be pledged for the campaign to succeed; below it every pledge is refunded'),
    maxUnits: units(
      'The units on offer, minted into escrow when funded; pledges above it are scaled down pro rata and the rest refunded',
    ),
    openAt: time('When pledging opens'),
    closeAt: time('When pledging closes; withdrawals stop then too. Moved earlier by an early close (see earlyClose)'),
    minPledge: money('The least one pledge may be; a whole multiple of pricePerUnit'),
    maxPledge: money('The most one pledge may be; a whole multiple of pricePerUnit'),
    perInvestorCap: money(
      'The most one investor may have pledged to this campaign at once, all pledges together; absent: only maxPledge bounds each pledge',
    ).optional(),
    allowedInvestorClasses: z
      .array(InvestorClass)
      .describe("The investor classes (from each account's KYC) that may pledge."),
    coolingOffSeconds: z
      .number()
      .int()
      .describe(
        'Seconds after a pledge during which the investor may withdraw it; withdrawal also ends at closeAt, whichever comes first.',
      ),
    status: z
      .enum(['PROPOSED', 'APPROVED', 'FUNDED', 'SETTLING', 'SUCCEEDED', 'FAILED', 'REJECTED'])
      .describe(
        'PROPOSED by the issuer; APPROVED or REJECTED by its operator; FUNDED by the trustee (pledges accepted from openAt to closeAt); SETTLING after the first settlement batch; SUCCEEDED or FAILED when settled. A campaign closed early whose tally finds the minimum not reached goes back to FUNDED until its original close (decision 64).',
      ),
    escrowUnits: units(
      "Units held in the campaign's escrow: maxUnits once funded, falling as settlement allocates; 0 when settled (unsold units are burned)",
    ),
    settleableFrom: time(
      'When `Campaigns:Settle` (POST /v1/campaigns/{campaignId}/settlement) is first accepted: the close time, since pledges and withdrawals both stop then. The campaign must also be FUNDED by then. Absent when the campaign was REJECTED',
    ).optional(),
    settlement: campaignSettlementSchema
      .describe('How far settlement has got; absent until the first settlement batch.')
      .optional(),
    earlyClose: z
      .object({
        at: time('When the operator closed the campaign early (`Campaigns:CloseEarly`)'),
        by: mspId("The operator that closed it early, the campaign's own"),
        originalCloseAt: time(
          'The close the proposer set, which the early close replaced; the campaign reopens until then if the tally at the early close finds the minimum not reached',
        ),
        reopenedAt: time(
          'When the tally found the minimum not reached at the early close, so the campaign reopened for pledges until originalCloseAt',
        ).optional(),
      })
      .strict()
      .describe(
        "Present when the issuer's operator closed the campaign before its deadline (decision 64); closeAt is then the new close.",
      )
      .optional(),
    createdAt: time('When the campaign was proposed'),
    updatedAt: time('When the record last changed'),
  })
  .passthrough();

export const orderRecordSchema = z
  .object({
    v: version,
    id: text('The order id: the id of the transaction that placed it.'),
    classId: text('The share class traded.'),
    side: z.enum(['BUY', 'SELL']).describe('BUY: pay money for units; SELL: deliver units for money.'),
    price: money('Limit price per share unit'),
    quantity: units('Units ordered'),
    remaining: units('Units not yet filled'),
    status: z
      .enum(['OPEN', 'FILLED', 'CANCELLED', 'EXPIRED'])
      .describe('OPEN until filled, cancelled by its owner, or expired (closed by the next match after expiresAt).'),
    epoch: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        "The class's book epoch when the order was placed (each match opens the next). Priority is price, then epoch; orders of one epoch at one price share fills pro rata. 0 or absent: placed before epochs existed.",
      ),
    limitCheck: z
      .literal('PENDING')
      .optional()
      .describe(
        "PENDING: a retail investor's buy in a capped token, waiting for the custodian trustee's check against the person's caps (GET /v1/accounts/{accountId}/limit-checks/{orderId}); it is neither in the order book nor matched until confirmed, and is cancelled with its escrow returned if refused. Absent otherwise.",
      ),
  })
  .passthrough();

export const tradeRecordSchema = z
  .object({
    v: version,
    id: text('The trade id, derived from the matching transaction.'),
    classId: text('The share class traded.'),
    price: money(
      "Price per share unit the trade settled at: the resting order's price against an order of an earlier epoch, or the epoch's single clearing price between orders of the same epoch",
    ),
    quantity: units('Units delivered'),
    buyOrderId: text('The buy order filled.'),
    sellOrderId: text('The sell order filled.'),
    at: time('When the trade settled'),
  })
  .passthrough();

export const supplyReportSchema = z
  .object({
    assetId: text('The asset checked: a money token or a share class.'),
    supply: assetAmount('Minted minus burned, from the public supply deltas'),
    held: assetAmount('Balances across every collection the caller can read, plus transfers in transit'),
    inTransit: assetAmount('In cross-operator transfers not yet settled'),
    escrowed: assetAmount('Held by pledges, open orders and campaign escrow'),
    pendingWithdrawals: assetAmount('Held by large withdrawals waiting for their review window'),
    consistent: z
      .boolean()
      .describe(
        'Whether supply equals held + in transit + escrowed + pending withdrawals, i.e. no asset was created or lost.',
      ),
    collections: z.array(z.string()).describe('The private data collections the report could read.'),
  })
  .passthrough();

export const balanceSchema = z
  .object({
    accountId: text('The account.'),
    assetId: text('The asset: a money token or a share class.'),
    balance: assetAmount('What the account holds, frozen part included'),
    frozen: assetAmount('The part of the balance the regulator froze; it cannot be sent'),
  })
  .passthrough();
export const portfolioSchema = z
  .object({
    accountId: text('The account.'),
    positions: z
      .array(
        z
          .object({
            assetId: text('The asset: a money token or a share class.'),
            kind: z.enum(['money', 'equity']).describe('`money`: a money token; `equity`: a share class.'),
            balance: assetAmount('What the account holds'),
          })
          .passthrough(),
      )
      .describe('One entry per asset the account holds.'),
  })
  .passthrough();

/** One change of a public record, from the key's history (`deleted` entries carry no value). */
const historyEntrySchema = z
  .object({
    txId: txId('The transaction that made the change'),
    at: time('When'),
    deleted: z.boolean().describe('The record was deleted by this transaction (no value).'),
    value: z.object({}).passthrough().describe('The record as written by this transaction.').optional(),
  })
  .passthrough();

export const movementRecordSchema = z
  .object({
    v: version,
    txId: txId('The transaction that moved the balance'),
    accountId: text('The account whose balance moved.'),
    assetId: text('The asset moved: a money token or a share class.'),
    delta: decimal.describe(
      "Signed change of the balance, in the asset's smallest unit: money for a money token, share units for a share class (decimal string).",
    ),
    kind: text(
      'What moved it: deposit, withdrawal, issue, burn, transfer, forced, instruction, settlement, refund, pledge, order, trade or distribution.',
    ),
    at: time('When'),
  })
  .passthrough();

export const accountHistorySchema = z
  .object({
    accountId: text('The account.'),
    movements: z
      .array(movementRecordSchema)
      .describe("Balance movements, from the operator's private collection, oldest first."),
    changes: z
      .array(historyEntrySchema)
      .describe("Changes of the account's public record, from the ledger's key history."),
  })
  .passthrough();
export const transferCheckSchema = z
  .object({
    allowed: z.boolean().describe('Whether the transfer would be accepted now.'),
    code: text('OK, or the compliance code that would refuse it (e.g. INVESTOR_CLASS_NOT_ALLOWED).'),
    message: text('Why, in words.'),
  })
  .strict();

/** What `Transfers:Settle` returns: the instruction and whether the custodian credited or refunded it. */
export const settlementResultSchema = z
  .object({
    instructionId: text('The instruction settled.'),
    outcome: z
      .enum(['SETTLED', 'REFUNDED'])
      .describe(
        'SETTLED: the receiver was credited; REFUNDED: the sender got it back (the receiver could not take it).',
      ),
    code: text('OK, or the compliance code that made the custodian refund.'),
  })
  .passthrough();

/** An id the chaincode derived from the transaction id (instruction, pledge, order). */
export const txDerivedIdSchema = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe('The id of what was created (pledge, order, instruction): the id of the transaction that created it.');

/** `Supervision:GetInstrumentHistory`: the asset's record history and its public supply deltas. */
export const instrumentHistorySchema = z
  .object({
    assetId: text('The asset.'),
    changes: z.array(historyEntrySchema).describe("Changes of the asset's public record."),
    supply: z
      .array(
        z
          .object({
            key: text('The ledger key of the supply delta (opaque).'),
            delta: assetAmount('Minted (positive) or burned (negative)'),
          })
          .passthrough(),
      )
      .describe('Every mint and burn, as public supply deltas.'),
  })
  .passthrough();

/** The private record of a person (`Accounts:GetPersonalData`), readable by the account's readers only. */
export const personalRecordSchema = z
  .object({
    v: version,
    accountId: text('The account the person holds.'),
    personal: z
      .object({
        fullName: text("The holder's full name."),
        nationalId: text("The holder's national identity number."),
        dateOfBirth: text('YYYY-MM-DD.'),
      })
      .passthrough()
      .describe("The holder's personal data, as the operator recorded it."),
    salt: text("The salt hashed with the personal data into the account's personalDataHash."),
    updatedAt: time('When the personal data was last recorded'),
  })
  .passthrough();

export const personalDataVerificationSchema = z
  .object({
    accountId: text('The account.'),
    present: z.boolean().describe("Whether the operator's collection holds personal data for the account."),
    matchesAccount: z.boolean().describe("Whether its hash equals the account record's personalDataHash."),
    onChainHash: text('The hash of the private record, as the ledger holds it (hex).'),
    accountHash: text("The account record's personalDataHash (hex)."),
  })
  .passthrough();

export const pledgeRecordSchema = z
  .object({
    v: version,
    id: text('The pledge id: the id of the transaction that made it. Use it to withdraw.'),
    campaignId: text('The campaign pledged to.'),
    accountId: text('The investor account that pledged.'),
    tokenId: text('The money token escrowed.'),
    amount: money("Money escrowed, a whole multiple of the campaign's pricePerUnit"),
    units: units('Units pledged for: amount ÷ pricePerUnit (settlement may allocate fewer if oversubscribed)'),
    at: time('When the pledge was made; the cooling-off period runs from here'),
    limitYear: z
      .number()
      .int()
      .describe('The year whose cross-platform investor caps this pledge counts against; absent when no cap applied.')
      .optional(),
    limitCheck: z
      .enum(['PENDING', 'CONFIRMED'])
      .describe(
        "With limitYear: PENDING until the custodian trustee has checked the pledge against the person's caps across operators, then CONFIRMED; a refused pledge is refunded and removed (GET /v1/accounts/{accountId}/limit-checks/{pledgeId} says why). A campaign does not settle while one of its pledges is PENDING.",
      )
      .optional(),
  })
  .passthrough();

export const orderBookSchema = z
  .object({
    classId: text('The share class.'),
    bids: z
      .array(orderRecordSchema)
      .describe('Open buy orders in priority order: best (highest) price first, then earliest epoch.'),
    asks: z
      .array(orderRecordSchema)
      .describe('Open sell orders in priority order: best (lowest) price first, then earliest epoch.'),
  })
  .passthrough();

/** `Market:Match`: how many fills settled, orders expired or withdrawn, and whether the breaker tripped. */
export const matchSummarySchema = z
  .object({
    classId: text('The share class matched.'),
    fills: z.number().int().min(0).describe('Trades settled by this call.'),
    expired: z.number().int().min(0).describe('Orders closed because their expiresAt passed (escrow returned).'),
    withdrawn: z
      .number()
      .int()
      .min(0)
      .describe('Orders closed because their owner could no longer trade (escrow returned).'),
    halted: z.boolean().describe('Whether the circuit breaker tripped and halted the class.'),
  })
  .passthrough();

export const releaseSummarySchema = z
  .object({
    classId: text('The share class.'),
    released: z.number().int().min(0).describe('Orders cancelled and their escrow returned by this call.'),
  })
  .passthrough();

export const supervisionRecordSchema = z
  .object({
    v: version,
    txId: txId('The transaction that took the action'),
    action: z
      .enum(['FREEZE', 'UNFREEZE', 'PARTIAL_FREEZE', 'HALT', 'RESUME', 'FORCED_TRANSFER'])
      .describe('The supervisory action taken.'),
    target: text('What it was taken on: an account id or an asset id.'),
    reason: text('Why, as the regulator recorded it.'),
    by: mspId('Who took it'),
    at: time('When'),
  })
  .passthrough();

/** The chaincode event a gateway streams; `Batch` carries several in `events`. */
export const marketEventSchema = z
  .object({
    v: version,
    type: text('The event name, e.g. CampaignSettlement.'),
    txId: txId('The transaction that emitted it'),
    at: time('When'),
  })
  .passthrough();

// Compile-time agreement between the records and their schemas: a record must satisfy its schema.
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type Satisfies<R extends Known<z.infer<S>>, S extends z.ZodTypeAny> = [R, S];
export type RecordSchemasAgree = [
  Satisfies<Participant, typeof participantRecordSchema>,
  Satisfies<Account, typeof accountRecordSchema>,
  Satisfies<Asset, typeof assetRecordSchema>,
  Satisfies<CampaignView, typeof campaignRecordSchema>,
  Satisfies<Order, typeof orderRecordSchema>,
  Satisfies<Trade, typeof tradeRecordSchema>,
  Satisfies<SupplyReport, typeof supplyReportSchema>,
];
