/**
 * The seam between the HTTP layer and Fabric. Everything that talks to a peer, an orderer or a CA lives
 * behind these interfaces in `fabric/`; unit tests replace them and nothing else.
 */

import type { DecodedBlock, DecodedTx } from './blocks';

/** A wallet label: the identity a transaction is signed with. */
export type IdentityLabel = string;

export interface Invocation {
  /** `Contract:Function`, e.g. `Money:Deposit`. */
  readonly fn: string;
  readonly args?: readonly string[];
  /** Private input; travels in the transient map under `payload`, never in arguments. */
  readonly transient?: unknown;
  /**
   * The orgs whose peers endorse, chosen by the caller instead of discovery. With transient data, the
   * peer's gateway otherwise picks only members of every collection written; a write whose transient data
   * must reach a non-member endorser (an audit record's party, for the regulator's own collection) names
   * them.
   */
  readonly endorsingOrganizations?: readonly string[];
  /** Absolute deadline (ms since epoch) for the whole call. */
  readonly deadline: number;
}

export interface SubmitResult {
  readonly txId: string;
  readonly blockNumber: string;
  /** The chaincode's return value: parsed JSON, or the raw string when it is not JSON. */
  readonly result: unknown;
  /** How many times an MVCC conflict made the gateway endorse again. */
  readonly attempts: number;
}

export interface SubmitHooks {
  /**
   * Called with each endorsed and signed transaction (fabric-gateway's serialized form) before it is
   * sent for ordering: only a transaction that reached this point can ever commit, and a process that kept it can
   * settle its fate later with `FabricPort.seal`.
   */
  beforeOrder?(txId: string, transaction: Uint8Array): Promise<void>;
  /**
   * Asked before a transaction that conflicted (MVCC, phantom read, endorsers' write sets differing) is
   * endorsed again, with the number of attempts made; false ends the submission with the conflict.
   * Absent: retried up to the port's attempt limit.
   */
  mayRetry?(attempt: number): boolean;
}

/** What a committed transaction left on the ledger, recovered by its id (after a gateway restart). */
export interface CommittedTransaction {
  readonly txId: string;
  readonly blockNumber: string;
  readonly valid: boolean;
  readonly validationCode: string;
  readonly result: unknown;
  /**
   * Who signed it: the MSP and the certificate's common name (for a CA-enrolled identity, its enrollment
   * id, which is also its wallet label, and survives a renewal). Absent when the envelope did not say.
   */
  readonly creator?: TransactionCreator;
}

export interface TransactionCreator {
  readonly mspId: string;
  readonly commonName: string;
}

export interface ChainEvent {
  readonly blockNumber: string;
  readonly txId: string;
  readonly name: string;
  readonly payload: unknown;
}

export interface EventStream extends AsyncIterable<ChainEvent> {
  close(): void;
}

export interface EventPosition {
  /** Block to start reading from. */
  readonly blockNumber: bigint;
  /** Resume after this transaction in that block; absent: from the start of the block. */
  readonly txId?: string;
}

export interface BlockStream extends AsyncIterable<DecodedBlock> {
  close(): void;
}

export interface FabricPort {
  evaluate(identity: IdentityLabel, call: Invocation): Promise<unknown>;
  submit(identity: IdentityLabel, call: Invocation, hooks?: SubmitHooks): Promise<SubmitResult>;
  /** Looks a transaction up on the org's peer; undefined when the peer has not committed it. */
  findTransaction(txId: string, deadline: number): Promise<CommittedTransaction | undefined>;
  /**
   * Sends a transaction kept by `beforeOrder` (signed by its creator) for ordering again, and waits until
   * its id has committed. Fabric commits a transaction id once (a later copy is invalidated as
   * DUPLICATE_TXID), so the answer is final: the id's first commit, valid or not. Whether the original
   * was lost or is still on its way, it can no longer commit a second time.
   */
  seal(transaction: Uint8Array, deadline: number): Promise<CommittedTransaction>;
  /** The org's chaincode events from a position (or from the next block), resumable by the caller. */
  events(from: EventPosition | undefined): Promise<EventStream>;
  /** The channel's blocks from `startBlock`, with the private data the org's peer holds (audit relay). */
  blocks(startBlock: bigint): Promise<BlockStream>;
  /** One block, read from the org's peer (its header hash recomputed). */
  block(number: bigint, deadline: number): Promise<DecodedBlock>;
  /** A committed transaction, decoded, with its block number; undefined when the peer has none. */
  transaction(txId: string, deadline: number): Promise<(DecodedTx & { blockNumber: string }) | undefined>;
  /** The channel's height (number of blocks). */
  height(deadline: number): Promise<bigint>;
  /** Resolves when the org's peer answers on the channel. */
  ping(deadline: number): Promise<void>;
  close(): void;
}

export interface EnrollmentRequest {
  /** CA enrollment id, also the wallet label. */
  readonly enrollmentId: string;
  /** ecert attributes the chaincode reads (`role`, `account`). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** A new identity at the CA and in the wallet, which its caller can still take back. */
export interface Enrollment {
  readonly label: IdentityLabel;
  readonly certificate: string;
  /**
   * Undoes the enrolment when the transaction it was made for is refused: the new certificate is
   * revoked, a registration this enrolment created is removed (or one it changed restored), and the
   * wallet entry it replaced is put back (or the new one removed). Best effort: every step is tried
   * and the first failure is thrown after the rest have run.
   */
  undo(): Promise<void>;
}

export interface CaPort {
  /**
   * Registers (or re-keys an existing registration) and enrolls; stores the identity in the wallet. If a
   * step fails the earlier ones are undone before it throws.
   */
  registerAndEnroll(request: EnrollmentRequest): Promise<Enrollment>;
  /** Issues a new certificate for a wallet identity (same attributes), replacing the wallet entry. */
  reenroll(label: IdentityLabel): Promise<{ certificate: string; notAfter: string }>;
  /** Revokes every certificate of the identity at the CA and removes it from the wallet. */
  revoke(label: IdentityLabel, reason: string): Promise<void>;
  ping(deadline: number): Promise<void>;
}

/** Errors the Fabric layer raises, classified so the HTTP layer can map them without knowing Fabric. */
export type FabricFailureKind =
  /** The chaincode refused; `message` carries its `CODE: …` text. */
  | 'chaincode'
  /** Committed as invalid (other than MVCC after retries), e.g. ENDORSEMENT_POLICY_FAILURE. */
  | 'invalid'
  /** MVCC / phantom read conflicts still failing after the retries. */
  | 'conflict'
  /** A deadline passed before Fabric answered; the outcome may still be unknown. */
  | 'timeout'
  /** A peer, orderer or CA could not be reached. */
  | 'unavailable'
  /** The wallet has no such identity. */
  | 'identity'
  /** The org's CA answered and refused (an id it does not accept, a revoked identity…). */
  | 'ca';

export class FabricFailure extends Error {
  override readonly name = 'FabricFailure';
  constructor(
    readonly kind: FabricFailureKind,
    message: string,
    readonly txId?: string,
    /** For 'invalid' and 'conflict': Fabric's validation code name. */
    readonly validationCode?: string,
    /**
     * What the peer or CA actually said, sanitised (see `sanitiseCause`): for the gateway's log only,
     * never for the client, whose problem detail is chosen by the HTTP layer.
     */
    readonly upstream?: string,
    /**
     * The transaction `txId` was handed to ordering and then its commit status did not arrive (a timeout
     * or a transport failure while waiting): it may still commit. Never set on a failure before
     * ordering (endorsement, admission), nor on a conflict or an invalid commit, whose outcome is known.
     */
    readonly pending = false,
  ) {
    super(message);
  }

  /**
   * `failure` as it stands once transaction `txId` was handed to ordering: a timeout or a transport
   * failure leaves its outcome unknown (pending); any other kind is a known outcome and stays as it is.
   */
  static afterOrdering(failure: FabricFailure, txId: string): FabricFailure {
    if (failure.pending || (failure.kind !== 'timeout' && failure.kind !== 'unavailable')) return failure;
    return new FabricFailure(failure.kind, failure.message, txId, failure.validationCode, failure.upstream, true);
  }
}

/**
 * A peer's or CA's message made fit for a log line: Fabric echoes payloads back in some errors
 * ("ProposalResponsePayloads do not match (base64): …"), and a chaincode message can quote its input, so
 * JSON bodies, long byte runs and PEM blocks are cut out and the length is bounded. Account and
 * transaction ids (short tokens) survive: they are what an operator needs to follow the failure.
 */
export function sanitiseCause(text: string, max = 400): string {
  const cleaned = text
    .replace(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/g, '[pem]')
    .replace(/\{[\s\S]*\}/g, '[json]')
    .replace(/[A-Za-z0-9+/=_-]{65,}/g, '[bytes]')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > max ? `${cleaned.slice(0, max)}…` : cleaned;
}
