import { KeyType } from '@ecf/common';
import type { ChaincodeStub } from 'fabric-shim-api';
import type { PrivateKey } from './seal';

/**
 * Every ledger key is built here; nothing else concatenates key strings. Public keys are composite keys;
 * private keys are logical (type and ids), which the ledger seals with the collection's secret.
 */
export { KeyType };
export type { PrivateKey };

type Stub = Pick<ChaincodeStub, 'createCompositeKey'>;

const pk = (type: string, ...attrs: string[]): PrivateKey => ({ type, attrs });

export const keys = {
  participant: (s: Stub, mspId: string) => s.createCompositeKey(KeyType.PARTICIPANT, [mspId]),
  account: (s: Stub, id: string) => s.createCompositeKey(KeyType.ACCOUNT, [id]),
  asset: (s: Stub, id: string) => s.createCompositeKey(KeyType.ASSET, [id]),
  /** Public supply change of a campaign's escrow (funding, unsold units burned): no customer in it. */
  supply: (s: Stub, assetId: string, txId: string) => s.createCompositeKey(KeyType.SUPPLY, [assetId, txId]),
  supervision: (s: Stub, txId: string) => s.createCompositeKey(KeyType.SUPERVISION, [txId]),
  heartbeat: (s: Stub, mspId: string) => s.createCompositeKey(KeyType.HEARTBEAT, [mspId]),
  campaign: (s: Stub, id: string) => s.createCompositeKey(KeyType.CAMPAIGN, [id]),
  pledgeRef: (s: Stub, campaignId: string, pledgeId: string) =>
    s.createCompositeKey(KeyType.PLEDGE_REF, [campaignId, pledgeId]),
  /** One key per order (no book head): placements never conflict. */
  order: (s: Stub, classId: string, orderId: string) => s.createCompositeKey(KeyType.ORDER, [classId, orderId]),
  /** The class's book epoch: read by every placement (never written by one), so placements never conflict. */
  book: (s: Stub, classId: string) => s.createCompositeKey(KeyType.BOOK, [classId]),
  /** An open order's place in its class's matching index: written at placement, deleted when it closes. */
  orderIndex: (s: Stub, classId: string, side: 'BUY' | 'SELL', price: string, epoch: string, orderId: string) =>
    s.createCompositeKey(KeyType.ORDER_INDEX, [classId, side, price, epoch, orderId]),
  /** An open order with an expiry, by its expiry time: a Match reads only those that have lapsed. */
  orderExpiry: (s: Stub, classId: string, expiresAt: string, orderId: string) =>
    s.createCompositeKey(KeyType.ORDER_EXPIRY, [classId, expiresAt, orderId]),
  trade: (s: Stub, classId: string, tradeId: string) => s.createCompositeKey(KeyType.TRADE, [classId, tradeId]),
  breaker: (s: Stub, classId: string) => s.createCompositeKey(KeyType.BREAKER, [classId]),
  /** A money token's large-withdrawal policy: read by a withdrawal only, so a change never conflicts with transfers. */
  withdrawalPolicy: (s: Stub, tokenId: string) => s.createCompositeKey(KeyType.WITHDRAWAL_POLICY, [tokenId]),
  windDown: (s: Stub, exitingMspId: string) => s.createCompositeKey(KeyType.WIND_DOWN, [exitingMspId]),
  /** The register a share class was opened from: one per class, so a second register is refused. */
  registerImport: (s: Stub, classId: string) => s.createCompositeKey(KeyType.REGISTER_IMPORT, [classId]),
  corporateAction: (s: Stub, id: string) => s.createCompositeKey(KeyType.CORPORATE_ACTION, [id]),
  tenderRef: (s: Stub, actionId: string, tenderId: string) =>
    s.createCompositeKey(KeyType.TENDER_REF, [actionId, tenderId]),
  buybackPolicy: (s: Stub, classId: string) => s.createCompositeKey(KeyType.BUYBACK_POLICY, [classId]),
  /** A money token's cross-platform caps: read by pledges, written by the regulator alone. */
  limitPolicy: (s: Stub, tokenId: string) => s.createCompositeKey(KeyType.LIMIT_POLICY, [tokenId]),
  resolution: (s: Stub, id: string) => s.createCompositeKey(KeyType.RESOLUTION, [id]),
  voteCount: (s: Stub, resolutionId: string, operatorMspId: string) =>
    s.createCompositeKey(KeyType.VOTE_COUNT, [resolutionId, operatorMspId]),
  priceProvider: (s: Stub, providerId: string) => s.createCompositeKey(KeyType.PRICE_PROVIDER, [providerId]),
  priceConfig: (s: Stub, classId: string) => s.createCompositeKey(KeyType.PRICE_CONFIG, [classId]),
  /** One quote per (class, provider): providers never write the same key. */
  priceQuote: (s: Stub, classId: string, providerId: string) =>
    s.createCompositeKey(KeyType.PRICE_QUOTE, [classId, providerId]),
  classDocument: (s: Stub, classId: string, documentId: string) =>
    s.createCompositeKey(KeyType.CLASS_DOCUMENT, [classId, documentId]),
  distribution: (s: Stub, id: string) => s.createCompositeKey(KeyType.DISTRIBUTION, [id]),
  /** Read by every movement of the class, written only by a declaration and a distribution's last batch. */
  distributionSchedule: (s: Stub, classId: string) => s.createCompositeKey(KeyType.DISTRIBUTION_SCHEDULE, [classId]),
  audit: (s: Stub, id: string) => s.createCompositeKey(KeyType.AUDIT, [id]),
  auditByType: (s: Stub, type: string, id: string) => s.createCompositeKey(KeyType.AUDIT_BY_TYPE, [type, id]),
  auditBySubject: (s: Stub, subject: string, id: string) =>
    s.createCompositeKey(KeyType.AUDIT_BY_SUBJECT, [subject, id]),
  auditPolicy: (s: Stub) => s.createCompositeKey(KeyType.AUDIT_POLICY, []),
  auditPrivate: (s: Stub, id: string) => s.createCompositeKey(KeyType.AUDIT_PRIVATE, [id]),
};

/** Keys of records in an operator collection (sealed by the ledger). */
export const privateKeys = {
  /** A customer's mint or burn (asset, transaction id), beside its balance: supply without a hot counter. */
  supply: (assetId: string, txId: string) => pk(KeyType.SUPPLY, assetId, txId),
  balance: (assetId: string, accountId: string) => pk(KeyType.BALANCE, assetId, accountId),
  personal: (accountId: string) => pk(KeyType.PERSONAL, accountId),
  movement: (accountId: string, txId: string, seq: number) =>
    pk(KeyType.MOVEMENT, accountId, txId, String(seq).padStart(3, '0')),
  /** The account's last movement position: written with every movement, beside the balance it changed. */
  movementSeq: (accountId: string) => pk(KeyType.MOVEMENT_SEQ, accountId),
  /** Outcome of a settled instruction, kept after its transit record is deleted. */
  instructionDone: (instructionId: string) => pk(KeyType.DONE, 'instruction', instructionId),
  /** A withdrawn pledge, kept after the pledge record is deleted. */
  pledgeWithdrawn: (campaignId: string, pledgeId: string) => pk(KeyType.DONE, 'pledge', campaignId, pledgeId),
  /** A line of a legacy register already issued, with what it issued: a rerun skips it (decision 47). */
  registerLine: (registerId: string, line: number) => pk(KeyType.DONE, 'register', registerId, String(line)),
  partialFreeze: (accountId: string, assetId: string) => pk(KeyType.PARTIAL_FREEZE, accountId, assetId),
  capUsage: (accountId: string, classId: string, year: number) =>
    pk(KeyType.CAP_USAGE, accountId, classId, String(year)),
  transit: (instructionId: string) => pk(KeyType.TRANSIT, instructionId),
  /** One key per pledge: pledges never share a key, so they never conflict. */
  pledge: (campaignId: string, pledgeId: string) => pk(KeyType.PLEDGE, campaignId, pledgeId),
  /** What one investor has pledged to one campaign: only that investor's pledges touch it. */
  pledgeTotal: (campaignId: string, accountId: string) => pk(KeyType.PLEDGE_TOTAL, campaignId, accountId),
  orderEscrow: (orderId: string) => pk(KeyType.ORDER_ESCROW, orderId),
  /** A held withdrawal, under its account so an account's withdrawals are one prefix. */
  withdrawal: (accountId: string, withdrawalId: string) => pk(KeyType.WITHDRAWAL, accountId, withdrawalId),
  /** What the account's pending withdrawals of a token hold in total. */
  withdrawalHold: (accountId: string, tokenId: string) => pk(KeyType.WITHDRAWAL_HOLD, accountId, tokenId),
  /** What a corporate action holds for one account: a tender's units, or the issuer's offered money. */
  corporateEscrow: (actionId: string, escrowId: string) => pk(KeyType.CA_ESCROW, actionId, escrowId),
  /** A corporate action's running private state, in the issuer's collection. */
  corporateState: (actionId: string) => pk(KeyType.CA_STATE, actionId),
  /** The issuer's buy-order units of a class placed on one UTC day. */
  buybackUsage: (classId: string, accountId: string, day: string) => pk(KeyType.BUYBACK_USAGE, classId, accountId, day),
  /** One allowance per account, spender and asset: only moves under it touch it. */
  allowance: (accountId: string, spenderMspId: string, assetId: string) =>
    pk(KeyType.ALLOWANCE, accountId, spenderMspId, assetId),
  ballot: (resolutionId: string, accountId: string) => pk(KeyType.BALLOT, resolutionId, accountId),
  delegation: (resolutionId: string, accountId: string) => pk(KeyType.DELEGATION, resolutionId, accountId),
  /** The operator's running count of a resolution: only the trustee's count batches for that operator touch it. */
  voteSubtotal: (resolutionId: string) => pk(KeyType.VOTE_SUBTOTAL, resolutionId),
  /** A distribution's escrow, in the issuer's collection: written only by its declaration and its batches. */
  distributionEscrow: (distributionId: string) => pk(KeyType.DISTRIBUTION_ESCROW, distributionId),
  /** One holder's units at a distribution's record time: one key per holder, so no movement shares it. */
  distributionSnapshot: (distributionId: string, accountId: string) =>
    pk(KeyType.DISTRIBUTION_SNAPSHOT, distributionId, accountId),
};

/**
 * Keys of the investor-limits collection (sealed by the ledger like an operator collection's). Every key
 * starts with the person's beneficial-owner hash, so two people's pledges never share a key.
 */
/** A capped investment's claim, and the two keys that find it; all in the account's operator collection. */
export const limitKeys = {
  /** Only the investment's own transactions and its trustee's decision touch it. */
  claim: (investmentId: string) => pk(KeyType.LIMIT_CLAIM, investmentId),
  /** Written once with the claim; only the trustee's review (a query, never a write) lists a person's. */
  owner: (owner: string, tokenId: string, year: number, investmentId: string) =>
    pk(KeyType.LIMIT_OWNER, owner, tokenId, String(year), investmentId),
  pending: (investmentId: string) => pk(KeyType.LIMIT_PENDING, investmentId),
};
