/**
 * The object types of the market's composite keys. The chaincode builds every key from these
 * (`chaincode/src/ledger/keys.ts`); the gateway's audit relay reads blocks by them. Pure data, so both
 * sides share one list.
 */
export const KeyType = {
  PARTICIPANT: 'participant',
  ACCOUNT: 'account',
  ASSET: 'asset',
  /** One public record per mint or burn (asset, txId): supply without a hot counter. */
  SUPPLY: 'supply',
  SUPERVISION: 'supervision',
  HEARTBEAT: 'system.heartbeat',
  CAMPAIGN: 'campaign',
  /** Public index of a campaign's pledges (operator only): settlement walks it, since a transaction that
   * range-queries private data may not write. */
  PLEDGE_REF: 'pledgeref',
  ORDER: 'order',
  /** A class's book epoch: Match advances it, and each order is stamped with it (decision 34). */
  BOOK: 'book',
  /**
   * A class's open orders ordered for matching, one key each: side, price (bids inverted so the best sorts
   * first), epoch, id. And those that lapse, by expiry time. Match range-reads them (decision 58).
   */
  ORDER_INDEX: 'orderix',
  ORDER_EXPIRY: 'orderexp',
  TRADE: 'trade',
  BREAKER: 'breaker',
  /** A money token's time lock for large withdrawals: threshold and review window, set by the regulator. */
  WITHDRAWAL_POLICY: 'wpolicy',
  /** An operator's wind-down: successor, phase, cursor (decision 37). */
  WIND_DOWN: 'winddown',
  /** The register of members a share class was opened from (decision 47). */
  REGISTER_IMPORT: 'regimport',
  /** A corporate action on a share class: split, tender offer, delisting (decisions 52–54). */
  CORPORATE_ACTION: 'caction',
  /** Public index of a tender offer's tenders (operator only), walked by settlement (as pledge refs). */
  TENDER_REF: 'tenderref',
  /** The regulator's open-market buyback limit of a class (decision 53). */
  BUYBACK_POLICY: 'bbpolicy',
  /** A money token's cross-platform investor caps, set by the regulator (decision 49). */
  LIMIT_POLICY: 'lpolicy',
  /** A shareholder resolution, and each operator's count progress (decision 55). */
  RESOLUTION: 'resolution',
  VOTE_COUNT: 'vcount',
  /** Price feed providers, each class's feed settings and one quote per (class, provider) (decision 56). */
  PRICE_PROVIDER: 'pxprov',
  PRICE_CONFIG: 'pxcfg',
  PRICE_QUOTE: 'pxquote',
  /** A document of a share class: type, hash, URI, attestations; replaced ones stay (decision 50). */
  CLASS_DOCUMENT: 'classdoc',
  /** A distribution (dividend): the issuer's terms and the payment's progress (decision 51). */
  DISTRIBUTION: 'distribution',
  /** A class's distributions whose record time has come and whose payment has not ended (decision 51). */
  DISTRIBUTION_SCHEDULE: 'distsched',
  // audit channel
  AUDIT: 'audit',
  /** Search indexes of audit records: by type, and by each subject (account or instrument). */
  AUDIT_BY_TYPE: 'audit.type',
  AUDIT_BY_SUBJECT: 'audit.subject',
  AUDIT_POLICY: 'audit.policy',
  /** The private part of a record with parties, in the regulator's and each party's audit collection. */
  AUDIT_PRIVATE: 'audit.private',
  // private (operator collections)
  BALANCE: 'bal',
  PERSONAL: 'pii',
  MOVEMENT: 'mv',
  /** An account's movement counter: the position of its last movement, so history reads in ledger order. */
  MOVEMENT_SEQ: 'mvseq',
  /**
   * What remains of a finished instruction (settled) or pledge (withdrawn) once its record is deleted: a
   * second attempt is then a conflict (409), not an unknown id (404).
   */
  DONE: 'done',
  PARTIAL_FREEZE: 'frz',
  CAP_USAGE: 'cap',
  TRANSIT: 'transit',
  PLEDGE: 'pledge',
  PLEDGE_TOTAL: 'ptot',
  ORDER_ESCROW: 'oesc',
  /** A large withdrawal held for review, and its outcome (decision 40). */
  WITHDRAWAL: 'wdr',
  /** What an account's pending withdrawals hold of one token: a point read for offboarding. */
  WITHDRAWAL_HOLD: 'whold',
  /** What a corporate action holds in escrow for one account: tendered units, the issuer's offered money. */
  CA_ESCROW: 'caesc',
  /** A corporate action's running private state, beside the issuer's balance (split remainder, tender tally). */
  CA_STATE: 'castate',
  /** Units of the issuer's buy orders of a class placed on one UTC day (decision 53). */
  BUYBACK_USAGE: 'bbday',
  /** An allowance an account's holder gave another party (decision 48). */
  ALLOWANCE: 'alw',
  /**
   * Retired (decision 49): one person's yearly usage, once counted in the investor-limits collection. Nothing
   * writes it since the counters left the ledger; the type stays so no new record reuses the prefix.
   */
  LIMIT_USAGE: 'lim',
  /** One capped investment's claim on its person's caps, in the account's operator collection (decision 49). */
  LIMIT_CLAIM: 'limclaim',
  /** The person's claims, under its beneficial-owner hash: the trustee's review sums them (decision 49). */
  LIMIT_OWNER: 'limown',
  /** A claim the custodian trustee has not decided yet. */
  LIMIT_PENDING: 'limpend',
  /** A ballot, a delegation, and an operator's private subtotal of a resolution (decision 55). */
  BALLOT: 'vballot',
  DELEGATION: 'vdeleg',
  VOTE_SUBTOTAL: 'vsub',
  /** The issuer's money escrowed for a distribution, and what has been paid out of it. */
  DISTRIBUTION_ESCROW: 'desc',
  /** A holder's units at a distribution's record time, written by its first movement after it. */
  DISTRIBUTION_SNAPSHOT: 'dsnap',
} as const;
