import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeFileDurably } from './durable-file';
import { FabricFailure, type CommittedTransaction, type FabricPort } from './fabric/types';

/**
 * Durable Idempotency-Key records, one file per (credential, key), written with fsync and an atomic
 * rename so that a gateway killed at any point leaves either the old record or the new one.
 *
 * A record moves pending → sent(transactions) → done(response). Each endorsed transaction is saved
 * before it is sent for ordering, so after a crash (or an answer that never came) the next attempt with
 * the same key can settle what became of it, by its id on the ledger or by sending it again, instead of
 * running the request a second time.
 */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
  /** Headers that are part of the answer (e.g. `Result-Omitted`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** An endorsed transaction handed to ordering: its id and fabric-gateway's serialized form (base64). */
export interface SentTransaction {
  readonly txId: string;
  readonly transaction: string;
}

export interface IdempotencyRecord {
  readonly requestHash: string;
  /** The gateway process that owns a pending or sent record. */
  readonly owner: string;
  readonly state: 'pending' | 'sent' | 'done';
  readonly sent: readonly SentTransaction[];
  readonly response?: StoredResponse;
  readonly updatedAt: string;
}

export type Claim =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in-progress' }
  /** Left pending or sent by a gateway that is gone (or whose request failed without an answer). */
  | { kind: 'orphan'; sent: readonly SentTransaction[] };

export class IdempotencyStore {
  /** Identifies this process; records owned by another boot are orphans. */
  readonly boot = randomUUID();
  private readonly running = new Set<string>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  static requestHash(method: string, path: string, body: unknown): string {
    return createHash('sha256')
      .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
      .digest('hex');
  }

  static slot(credentialId: string, key: string): string {
    return createHash('sha256').update(`${credentialId}\n${key}`).digest('hex');
  }

  /**
   * What a request with this key gets without running anything (a replay, a mismatch, or the first
   * request still running), or undefined when it may run. Reads only: nothing is claimed.
   */
  check(slot: string, requestHash: string): Exclude<Claim, { kind: 'new' | 'orphan' }> | undefined {
    return this.known(slot, requestHash, this.read(slot));
  }

  /** Claims a slot for this request; only a `new` or `orphan` claim may run the transaction. */
  claim(slot: string, requestHash: string): Claim {
    const existing = this.read(slot);
    const known = this.known(slot, requestHash, existing);
    if (known) return known;
    const sent = existing ? sentOf(existing) : [];
    this.write(slot, {
      requestHash,
      owner: this.boot,
      state: sent.length ? 'sent' : 'pending',
      sent,
      updatedAt: now(),
    });
    this.running.add(slot);
    return existing ? { kind: 'orphan', sent } : { kind: 'new' };
  }

  /**
   * Records an endorsed transaction before it is sent for ordering. Throws when it cannot: the caller
   * must then not send it, or a later retry could not settle it.
   */
  sending(slot: string, txId: string, transaction: Uint8Array): void {
    const r = this.read(slot);
    if (!r) throw new Error('the idempotency record of this request is gone');
    const entry = { txId, transaction: Buffer.from(transaction).toString('base64') };
    this.write(slot, { ...r, state: 'sent', sent: [...sentOf(r), entry], updatedAt: now() });
  }

  /**
   * Stores the answer; later requests with the key get it back unchanged. The kept transactions go.
   * A 5xx is never an answer (its outcome is unknown or the fault is ours): the slot is only released,
   * keeping its transactions, so the next attempt settles it from the ledger.
   */
  complete(slot: string, response: StoredResponse): void {
    if (response.status >= 500) {
      this.release(slot);
      return;
    }
    const r = this.read(slot);
    if (!r) return;
    this.write(slot, { ...r, state: 'done', sent: [], response, updatedAt: now() });
    this.running.delete(slot);
  }

  /** Releases the slot without an answer (outcome unknown or retryable); the next attempt resolves it. */
  release(slot: string): void {
    this.running.delete(slot);
  }

  /** The record of a slot, or undefined when there is none; an unreadable record is an error, not "none". */
  read(slot: string): IdempotencyRecord | undefined {
    return readJsonFile<IdempotencyRecord>(this.file(slot));
  }

  private known(
    slot: string,
    requestHash: string,
    existing: IdempotencyRecord | undefined,
  ): Exclude<Claim, { kind: 'new' | 'orphan' }> | undefined {
    if (existing && existing.requestHash !== requestHash) return { kind: 'mismatch' };
    if (existing?.state === 'done' && existing.response) return { kind: 'replay', response: existing.response };
    if (this.running.has(slot)) return { kind: 'in-progress' };
    return undefined;
  }

  private file(slot: string): string {
    return join(this.dir, `${slot}.json`);
  }

  private write(slot: string, record: IdempotencyRecord): void {
    writeFileDurably(this.file(slot), JSON.stringify(record), this.boot);
  }
}

/**
 * Settles the transactions a key kept: each is either on the ledger already or is sent for ordering again
 * (`FabricPort.seal`). Fabric commits a transaction id once, so afterwards none of them can still commit
 * later. Returns the one that committed valid, if any; without one, nothing happened and the request
 * may run again. Throws (and settles nothing for certain) when the peer or ordering cannot be reached:
 * then as a pending `FabricFailure` naming the transaction whose outcome is still unknown.
 */
export async function settle(
  port: FabricPort,
  sent: readonly SentTransaction[],
  deadline: number,
  settled: (tx: CommittedTransaction, sentAgain: boolean) => void,
): Promise<CommittedTransaction | undefined> {
  for (const { txId, transaction } of sent) {
    let onLedger: CommittedTransaction | undefined;
    let found: CommittedTransaction;
    try {
      onLedger = await port.findTransaction(txId, deadline);
      // A record from before transactions were kept has only the id: not on the ledger, it cannot be sent.
      if (!onLedger && !transaction) continue;
      found = onLedger ?? (await port.seal(Buffer.from(transaction, 'base64'), deadline));
    } catch (err) {
      // It was sent before (or may have been): while nobody can say whether it committed, it is pending.
      throw err instanceof FabricFailure ? FabricFailure.afterOrdering(err, txId) : err;
    }
    settled(found, !onLedger);
    if (found.valid) return found;
  }
  return undefined;
}

/**
 * The transactions a record kept. Records written before transactions were kept hold only their ids
 * (`txIds`): those can still be found on the ledger, not sent again.
 */
function sentOf(record: IdempotencyRecord & { txIds?: readonly string[] }): readonly SentTransaction[] {
  return record.sent ?? (record.txIds ?? []).map((txId) => ({ txId, transaction: '' }));
}

function now(): string {
  return new Date().toISOString();
}
