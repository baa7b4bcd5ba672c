import type { ChaincodeStub } from 'fabric-shim-api';
import { RECORD_VERSION, type MarketEvent } from '@ecf/common';
import { decode, encode, canonicalJson } from './codec';

export interface HistoryEntry<T> {
  txId: string;
  at: number;
  deleted: boolean;
  value: T | undefined;
}

const PUBLIC = '';

/**
 * The only code that touches the stub's state, private data and events. Values are canonical JSON.
 * Writes are never issued before a transaction's checks have passed (contracts read and decide first),
 * so a refused transaction leaves no write in its read-write set.
 *
 * Reads see this transaction's own earlier writes. The peer's simulator does not (GetState returns the
 * committed value), so a transaction that touches one key twice — two refunds to one investor in a
 * settlement batch, two fills against one order — would otherwise compute the second write from a stale
 * value and lose the first.
 */
export class Ledger {
  private readonly events: Array<Record<string, unknown>> = [];
  /** Public reads already made by this transaction. */
  private readonly reads = new Map<string, Promise<Uint8Array>>();
  /** This transaction's writes by collection and key; null marks a delete. */
  private readonly pending = new Map<string, Map<string, Uint8Array | null>>();

  constructor(readonly stub: ChaincodeStub) {}

  get txId(): string {
    return this.stub.getTxID();
  }

  /** The transaction time in epoch seconds: the only clock chaincode may use. */
  get now(): number {
    const ts = this.stub.getTxTimestamp();
    return Number(ts.seconds.toString());
  }

  async get<T>(key: string): Promise<T | undefined> {
    const own = this.own(PUBLIC, key);
    if (own !== undefined) return own === null ? undefined : decode<T>(own);
    // A transaction often reads one record several times (the caller's participant, then the account's
    // operator, which is the same one); the committed value cannot change within the transaction, so one
    // round trip to the peer is enough.
    let pending = this.reads.get(key);
    if (!pending) {
      pending = this.stub.getState(key);
      this.reads.set(key, pending);
    }
    return decode<T>(await pending);
  }

  async put(key: string, value: unknown): Promise<void> {
    const bytes = encode(value);
    this.remember(PUBLIC, key, bytes);
    await this.stub.putState(key, bytes);
  }

  async delete(key: string): Promise<void> {
    this.remember(PUBLIC, key, null);
    await this.stub.deleteState(key);
  }

  async getPrivate<T>(collection: string, key: string): Promise<T | undefined> {
    const own = this.own(collection, key);
    if (own !== undefined) return own === null ? undefined : decode<T>(own);
    return decode<T>(await this.stub.getPrivateData(collection, key));
  }

  async putPrivate(collection: string, key: string, value: unknown): Promise<void> {
    const bytes = encode(value);
    this.remember(collection, key, bytes);
    await this.stub.putPrivateData(collection, key, bytes);
  }

  async deletePrivate(collection: string, key: string): Promise<void> {
    this.remember(collection, key, null);
    await this.stub.deletePrivateData(collection, key);
  }

  /** Removes the value from every member peer's private store and its history; the hash stays on chain. */
  async purgePrivate(collection: string, key: string): Promise<void> {
    this.remember(collection, key, null);
    await this.stub.purgePrivateData(collection, key);
  }

  async privateHash(collection: string, key: string): Promise<string> {
    const hash = await this.stub.getPrivateDataHash(collection, key);
    return Buffer.from(hash ?? []).toString('hex');
  }

  async list<T>(type: string, attrs: string[]): Promise<Array<{ key: string; value: T }>> {
    const found = new Map<string, Uint8Array>();
    for await (const kv of this.stub.getStateByPartialCompositeKey(type, attrs)) found.set(kv.key, kv.value);
    return this.overlay<T>(PUBLIC, this.stub.createCompositeKey(type, attrs), found);
  }

  async listPrivate<T>(collection: string, type: string, attrs: string[]): Promise<Array<{ key: string; value: T }>> {
    const found = new Map<string, Uint8Array>();
    for await (const kv of this.stub.getPrivateDataByPartialCompositeKey(collection, type, attrs))
      found.set(kv.key, kv.value);
    return this.overlay<T>(collection, this.stub.createCompositeKey(type, attrs), found);
  }

  private own(collection: string, key: string): Uint8Array | null | undefined {
    return this.pending.get(collection)?.get(key);
  }

  private remember(collection: string, key: string, value: Uint8Array | null): void {
    let c = this.pending.get(collection);
    if (!c) {
      c = new Map();
      this.pending.set(collection, c);
    }
    c.set(key, value);
  }

  /** Range results with this transaction's own writes applied, in key order. */
  private overlay<T>(
    collection: string,
    prefix: string,
    found: Map<string, Uint8Array>,
  ): Array<{ key: string; value: T }> {
    for (const [key, value] of this.pending.get(collection) ?? []) {
      if (!key.startsWith(prefix)) continue;
      if (value === null) found.delete(key);
      else found.set(key, value);
    }
    const out: Array<{ key: string; value: T }> = [];
    for (const key of [...found.keys()].sort()) {
      const value = decode<T>(found.get(key));
      if (value !== undefined) out.push({ key, value });
    }
    return out;
  }

  async history<T>(key: string): Promise<Array<HistoryEntry<T>>> {
    const out: Array<HistoryEntry<T>> = [];
    for await (const mod of this.stub.getHistoryForKey(key)) {
      out.push({
        txId: mod.txId,
        at: Number(mod.timestamp.seconds.toString()),
        deleted: mod.isDelete,
        value: mod.isDelete ? undefined : decode<T>(mod.value),
      });
    }
    return out;
  }

  /** Queues an event; one chaincode event per transaction carries them all (Fabric keeps only the last). */
  emit(type: string, fields: Record<string, unknown> = {}): void {
    this.events.push({ type, ...fields });
  }

  /** Sets the transaction's chaincode event: name = the single event's type, or `Batch` for several. */
  flushEvents(): void {
    if (this.events.length === 0) return;
    const base = { v: RECORD_VERSION, txId: this.txId, at: this.now };
    if (this.events.length === 1) {
      const [only] = this.events;
      const event = { ...only, ...base } as MarketEvent;
      this.stub.setEvent(event.type, Buffer.from(canonicalJson(event)));
    } else {
      this.stub.setEvent('Batch', Buffer.from(canonicalJson({ ...base, type: 'Batch', events: this.events })));
    }
  }
}
