import type { AccountStatus, AccountType, InvestorClass, Kyc, ParticipantKind, ParticipantStatus } from './schemas';

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
  createdAt: number;
  /** Money only. */
  currency?: string;
  /** Equity only. */
  issuerAccountId?: string;
  shareKind?: string;
  lockupUntil?: number;
  allowedInvestorClasses?: InvestorClass[];
  retailCapPerYear?: string;
}

/** One account's movement, kept in its operator's collection (private history). */
export interface Movement {
  v: number;
  txId: string;
  accountId: string;
  assetId: string;
  /** Signed change of the balance, decimal string. */
  delta: string;
  kind: 'deposit' | 'withdrawal' | 'issue' | 'burn' | 'transfer' | 'forced' | 'instruction' | 'settlement' | 'refund';
  counterparty?: string;
  reference?: string;
  at: number;
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
  consistent: boolean;
  collections: string[];
}
