import type {
  AccountStatus,
  AccountType,
  InvestorClass,
  Kyc,
  ParticipantKind,
  ParticipantStatus,
  PersonalData,
} from './schemas';

/** Record layout version, carried by every record and event so consumers can evolve with it. */
export const RECORD_VERSION = 1;

/** A trustee or operator admitted by the regulator (public state). */
export interface Participant {
  v: number;
  mspId: string;
  kind: ParticipantKind;
  /** For an operator: the trustee that holds its customers' money and registers. */
  trusteeMspId?: string;
  status: ParticipantStatus;
  statusReason: string;
  /** Who imposed a current suspension; a trustee cannot lift the regulator's. */
  suspendedBy?: string;
  admittedAt: number;
  updatedAt: number;
}

/** An issuer's or investor's account (public state): opaque id, eligibility claims, no personal data. */
export interface Account {
  v: number;
  id: string;
  operatorMspId: string;
  type: AccountType;
  status: AccountStatus;
  /** Set and lifted only by the regulator. */
  frozen: boolean;
  kyc: Kyc;
  /** sha256(salt || canonical JSON of the personal data), hex; verifies the private record. */
  personalDataHash: string;
  createdAt: number;
  updatedAt: number;
}

export type AssetKind = 'money' | 'equity';

/** A money token (one per trustee and currency) or a share class (public state). */
export interface Asset {
  v: number;
  id: string;
  kind: AssetKind;
  trusteeMspId: string;
  decimals: number;
  halted: boolean;
  haltReason: string;
  /** A circuit-breaker halt ends by itself at this time (epoch seconds); a regulator's halt has none. */
  haltedUntil?: number;
  createdAt: number;
  /** Money only. */
  currency?: string;
  /** Equity only. */
  issuerAccountId?: string;
  shareKind?: string;
  lockupUntil?: number;
  allowedInvestorClasses?: InvestorClass[];
  retailCapPerYear?: string;
  /** Equity: a corporate action (split, delisting) holds the class still until it is done (decision 52). */
  lockedBy?: string;
  /** Equity: delisted at this time; the class never moves again, its records stay (decision 54). */
  delistedAt?: number;
}

/** One account's movement, kept in its operator's collection (private history). */
export interface Movement {
  v: number;
  txId: string;
  accountId: string;
  assetId: string;
  /** Signed change of the balance, decimal string. */
  delta: string;
  kind:
    | 'deposit'
    | 'withdrawal'
    | 'issue'
    | 'burn'
    | 'transfer'
    | 'forced'
    | 'instruction'
    | 'settlement'
    | 'refund'
    | 'pledge'
    | 'order'
    | 'trade'
    | 'corporate-action'
    | 'distribution';
  counterparty?: string;
  reference?: string;
  at: number;
  /**
   * Position in the account's history, 1, 2, 3… in ledger order (the chaincode sees no block numbers, so
   * it keeps a counter per account). Absent on movements written before the counter existed.
   */
  seq?: number;
}

/** Versioned chaincode event payload: ids and amounts only, never personal data. */
export interface MarketEvent {
  v: number;
  type: string;
  txId: string;
  at: number;
  [field: string]: unknown;
}

export interface SupplyReport {
  assetId: string;
  /** Minted minus burned, from the supply deltas. */
  supply: string;
  /** Sum of balances across every collection the caller can read, plus transfers in transit. */
  held: string;
  inTransit: string;
  /** Held by pledges, open orders and campaign escrow. */
  escrowed: string;
  /** Held by large withdrawals waiting for their review window (decision 40). */
  pendingWithdrawals: string;
  consistent: boolean;
  collections: string[];
}

export type CampaignStatus = 'PROPOSED' | 'APPROVED' | 'FUNDED' | 'SETTLING' | 'SUCCEEDED' | 'FAILED' | 'REJECTED';

/** An all-or-nothing offering (public: offering terms and progress are market information). */
export interface Campaign {
  v: number;
  id: string;
  classId: string;
  issuerAccountId: string;
  operatorMspId: string;
  trusteeMspId: string;
  tokenId: string;
  pricePerUnit: string;
  minUnits: string;
  maxUnits: string;
  openAt: number;
  closeAt: number;
  minPledge: string;
  maxPledge: string;
  perInvestorCap?: string;
  allowedInvestorClasses: InvestorClass[];
  coolingOffSeconds: number;
  status: CampaignStatus;
  /** Units minted into the campaign's escrow when funded. */
  escrowUnits: string;
  settlement?: CampaignSettlement;
  /** Set when the issuer's operator closed the campaign before its deadline (decision 64). */
  earlyClose?: CampaignEarlyClose;
  createdAt: number;
  updatedAt: number;
}

/** A campaign closed before its deadline: who asked, when, and the deadline it replaced (decision 64). */
export interface CampaignEarlyClose {
  /** The transaction time of `Campaigns:CloseEarly`. */
  at: number;
  /** The operator that closed it early (the campaign's operatorMspId). */
  by: string;
  /** The close the proposer set; the campaign reopens until then if the minimum was not reached. */
  originalCloseAt: number;
  /** When the tally found the minimum not reached at the early close and the campaign reopened. */
  reopenedAt?: number;
}

/** How far a closed campaign's settlement is: resumable, one bounded batch per transaction. */
export interface CampaignSettlement {
  phase: 'TALLY' | 'ALLOCATE' | 'REFUND' | 'DONE';
  /** The last pledge (public index key) processed in this phase; pledges are walked in key order. */
  lastKey: string;
  pledgesProcessed: number;
  /** Units pledged in total (after TALLY). */
  totalUnits: string;
  /** Units pledged by the pledges allocated so far: the cumulative-rounding cursor. */
  cumulativeUnits: string;
  unitsAllocated: string;
  moneyToIssuer: string;
  /** Pledges found by the tally, set when it ends (the pledge set is fixed from the close time). */
  pledgesTotal?: number;
  outcome?: 'SUCCEEDED' | 'FAILED';
}

/**
 * A campaign as the chaincode returns it: the stored record with its settlement state in public terms.
 * The walk's cursor (`lastKey`, a composite ledger key) and the rounding cursor stay in state.
 */
export interface CampaignView extends Omit<Campaign, 'settlement'> {
  /** When `Campaigns:Settle` is first accepted (epoch seconds); absent when the campaign can never settle. */
  settleableFrom?: number;
  settlement?: CampaignSettlementView;
}

export interface CampaignSettlementView {
  phase: CampaignSettlement['phase'];
  /** Pledges counted by the tally so far (all of them once it is over). */
  pledgesCounted?: number;
  /** Every pledge being settled; known once the tally is over. */
  pledgesTotal?: number;
  /** Pledges allocated or refunded so far. */
  pledgesSettled?: number;
  totalUnits: string;
  unitsAllocated: string;
  moneyToIssuer: string;
  outcome?: 'SUCCEEDED' | 'FAILED';
}

export interface Order {
  v: number;
  id: string;
  classId: string;
  tokenId: string;
  side: 'BUY' | 'SELL';
  price: string;
  quantity: string;
  remaining: string;
  /** The owner's operator (its collection holds who the owner is and the escrow). */
  operatorMspId: string;
  status: 'OPEN' | 'FILLED' | 'CANCELLED' | 'EXPIRED';
  /** Placement time (the transaction timestamp, which the client sets): shown, never used to rank orders. */
  at: number;
  /**
   * The book epoch the order joined: how many Matches of the class had run, plus one. Priority is price, then
   * epoch (decision 34). Orders placed before epochs existed have none and count as 0.
   */
  epoch?: number;
  expiresAt?: number;
  /**
   * A retail investor's buy in a capped token waits outside the matching index until the custodian trustee
   * has checked it against the person's caps (decision 49). Absent once confirmed, and on every other order.
   */
  limitCheck?: 'PENDING';
}

/** A class's book epoch (`book`/class), written only by `Market:Match`, read by every placement. */
export interface BookEpoch {
  v: number;
  classId: string;
  /** The epoch orders placed now join; each Match closes it and opens the next. Without a record: 1. */
  epoch: number;
  /** The class's last trade price: the reference for pricing within an epoch when no circuit breaker is set. */
  lastPrice?: string;
  /**
   * Every open order of the class has its matching-index keys, so Match reads the book through them
   * (decision 58). Set by the first Match since the index exists, which reads the whole book once.
   */
  indexed?: boolean;
}

export interface Trade {
  v: number;
  id: string;
  classId: string;
  price: string;
  quantity: string;
  buyOrderId: string;
  sellOrderId: string;
  at: number;
}

export interface CircuitBreaker {
  v: number;
  classId: string;
  referencePrice: string;
  bandBps: number;
  coolingSeconds: number;
  /** Set when a trade outside the band halted the instrument; trading resumes at this time. */
  haltedUntil?: number;
}

/** The private record of a person, in the operator's collection (`pii`). */
export interface PersonalRecord {
  v: number;
  accountId: string;
  personal: PersonalData;
  salt: string;
  updatedAt: number;
}

/** What an order has locked away: money for a buy, units for a sell; in the owner's operator collection. */
export interface OrderEscrow {
  v: number;
  orderId: string;
  accountId: string;
  assetId: string;
  amount: string;
  /** A buy whose money counts against its person's caps: what comes back is given back to its claim. */
  limitClaim?: boolean;
}
