import { KeyType } from '@ecf/common';
import type { ChaincodeStub } from 'fabric-shim-api';

/** Every ledger key is built here; nothing else concatenates key strings. */
export { KeyType };

type Stub = Pick<ChaincodeStub, 'createCompositeKey'>;

export const keys = {
  participant: (s: Stub, mspId: string) => s.createCompositeKey(KeyType.PARTICIPANT, [mspId]),
  account: (s: Stub, id: string) => s.createCompositeKey(KeyType.ACCOUNT, [id]),
  asset: (s: Stub, id: string) => s.createCompositeKey(KeyType.ASSET, [id]),
  supply: (s: Stub, assetId: string, txId: string) => s.createCompositeKey(KeyType.SUPPLY, [assetId, txId]),
  supervision: (s: Stub, txId: string) => s.createCompositeKey(KeyType.SUPERVISION, [txId]),
  heartbeat: (s: Stub, mspId: string) => s.createCompositeKey(KeyType.HEARTBEAT, [mspId]),
  balance: (s: Stub, assetId: string, accountId: string) => s.createCompositeKey(KeyType.BALANCE, [assetId, accountId]),
  personal: (s: Stub, accountId: string) => s.createCompositeKey(KeyType.PERSONAL, [accountId]),
  movement: (s: Stub, accountId: string, txId: string, seq: number) =>
    s.createCompositeKey(KeyType.MOVEMENT, [accountId, txId, String(seq).padStart(3, '0')]),
  partialFreeze: (s: Stub, accountId: string, assetId: string) =>
    s.createCompositeKey(KeyType.PARTIAL_FREEZE, [accountId, assetId]),
  capUsage: (s: Stub, accountId: string, classId: string, year: number) =>
    s.createCompositeKey(KeyType.CAP_USAGE, [accountId, classId, String(year)]),
  transit: (s: Stub, instructionId: string) => s.createCompositeKey(KeyType.TRANSIT, [instructionId]),
  campaign: (s: Stub, id: string) => s.createCompositeKey(KeyType.CAMPAIGN, [id]),
  /** One key per pledge: pledges never share a key, so they never conflict. */
  pledge: (s: Stub, campaignId: string, pledgeId: string) =>
    s.createCompositeKey(KeyType.PLEDGE, [campaignId, pledgeId]),
  pledgeRef: (s: Stub, campaignId: string, pledgeId: string) =>
    s.createCompositeKey(KeyType.PLEDGE_REF, [campaignId, pledgeId]),
  /** What one investor has pledged to one campaign: only that investor's pledges touch it. */
  pledgeTotal: (s: Stub, campaignId: string, accountId: string) =>
    s.createCompositeKey(KeyType.PLEDGE_TOTAL, [campaignId, accountId]),
  /** One key per order (no book head): placements never conflict. */
  order: (s: Stub, classId: string, orderId: string) => s.createCompositeKey(KeyType.ORDER, [classId, orderId]),
  orderEscrow: (s: Stub, orderId: string) => s.createCompositeKey(KeyType.ORDER_ESCROW, [orderId]),
  trade: (s: Stub, classId: string, tradeId: string) => s.createCompositeKey(KeyType.TRADE, [classId, tradeId]),
  breaker: (s: Stub, classId: string) => s.createCompositeKey(KeyType.BREAKER, [classId]),
  audit: (s: Stub, id: string) => s.createCompositeKey(KeyType.AUDIT, [id]),
  auditByType: (s: Stub, type: string, id: string) => s.createCompositeKey(KeyType.AUDIT_BY_TYPE, [type, id]),
  auditBySubject: (s: Stub, subject: string, id: string) =>
    s.createCompositeKey(KeyType.AUDIT_BY_SUBJECT, [subject, id]),
  auditPolicy: (s: Stub) => s.createCompositeKey(KeyType.AUDIT_POLICY, []),
};
