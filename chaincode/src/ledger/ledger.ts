import type { ChaincodeStub } from 'fabric-shim-api';
import { ErrorCode, MarketError, RECORD_VERSION, type MarketEvent } from '@ecf/common';
import { decode, encode, canonicalJson } from './codec';
import { readMany, sendWrites, type WriteOp } from './peer-batch';
import { readRange } from './range';
import { isLegacyAttributes, Seal, SEAL_FIELD, SEAL_TYPE, type PrivateKey, type SealRecord } from './seal';

export interface HistoryEntry<T> {
  txId: string;
  at: number;
  deleted: boolean;
  value: T | undefined;
}

const PUBLIC = '';

/** A private value without its seal: contracts and clients never see the salt. */
function unseal<T>(bytes: Uint8Array | undefined): T | undefined {
  const value = decode<Record<string, unknown>>(bytes);
  if (value) delete value[SEAL_FIELD];
  return value as T | undefined;
}

/**
 * The only code that touches the stub's state, private data and events. Values are canonical JSON.
 * Writes are never issued before a transaction's checks have passed (contracts read and decide first),
 * so a refused transaction leaves no write in its read-write set.
 *
 * Reads see this transaction's own earlier writes. The peer's simulator does not (GetState returns the
 * committed value), so a transaction that touches one key twice — two refunds to one investor in a
 * settlement batch, two fills against one order — would otherwise compute the second write from a stale
 * value and lose the first.
 *
 * Writes are held here and reach the peer once, when the transaction ends (`flushWrites`, from the
 * contracts' afterTransaction): the last write of each key only, all in one batch message (peer-batch.ts).
 * A key written twice (a balance a Match credits for several fills, an escrow it shrinks twice) costs one
 * write, and none costs a round trip of its own. Before a private range query they are sent first, since
 * the peer refuses any write after one.
 */
export class Ledger {
  private readonly events: Array<Record<string, unknown>> = [];
  /** Public reads already made by this transaction. */
  private readonly reads = new Map<string, Promise<Uint8Array>>();
  /** Private reads already made, by collection and stored key: committed values, like the public ones. */
  private readonly privateReads = new Map<string, Promise<Uint8Array>>();
  /** This transaction's writes by collection and key; null marks a delete. */
  private readonly pending = new Map<string, Map<string, Uint8Array | null>>();
  /** Writes not yet sent to the peer, by collection and key (a purge under its own entry), in order. */
  private readonly unsent = new Map<string, WriteOp>();
  /** Each collection's seal, read at most once per transaction. */
  private readonly seals = new Map<string, Promise<Seal>>();

  constructor(readonly stub: ChaincodeStub) {}

  get txId(): string {
    return this.stub.getTxID();
  }

  /**
   * The MSP of the peer running this simulation (not the caller's). Only to tell whether this peer can hold
   * a collection at all: a peer outside a collection sees its hashes, and reading a value fails there.
   */
  get peerMspId(): string {
    return this.stub.getMspID();
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
    this.queue({ kind: 'put', collection: PUBLIC, key, value: bytes });
  }

  async delete(key: string): Promise<void> {
    this.remember(PUBLIC, key, null);
    this.queue({ kind: 'delete', collection: PUBLIC, key });
  }

  async getPrivate<T>(collection: string, key: PrivateKey): Promise<T | undefined> {
    return this.getSealed<T>(collection, await this.sealedKey(collection, key));
  }

  async putPrivate(collection: string, key: PrivateKey, value: object): Promise<void> {
    const seal = await this.seal(collection);
    const sealedKey = this.keyOf(seal, key);
    const bytes = encode({ ...value, [SEAL_FIELD]: seal.valueSalt(sealedKey, this.txId) });
    this.remember(collection, sealedKey, bytes);
    this.queue({ kind: 'put', collection, key: sealedKey, value: bytes });
  }

  async deletePrivate(collection: string, key: PrivateKey): Promise<void> {
    const sealedKey = await this.sealedKey(collection, key);
    this.remember(collection, sealedKey, null);
    this.queue({ kind: 'delete', collection, key: sealedKey });
  }

  /** Removes the value from every member peer's private store and its history; the hash stays on chain. */
  async purgePrivate(collection: string, key: PrivateKey): Promise<void> {
    await this.purgeRaw(collection, await this.sealedKey(collection, key));
  }

  /** The hash Fabric keeps on chain for the record's (sealed) key: what every channel member stores. */
  async privateHash(collection: string, key: PrivateKey): Promise<string> {
    const hash = await this.stub.getPrivateDataHash(collection, await this.sealedKey(collection, key));
    return Buffer.from(hash ?? []).toString('hex');
  }

  async list<T>(type: string, attrs: string[]): Promise<Array<{ key: string; value: T }>> {
    const found = new Map<string, Uint8Array>();
    for await (const kv of this.stub.getStateByPartialCompositeKey(type, attrs)) found.set(kv.key, kv.value);
    return this.overlay<T>(PUBLIC, this.stub.createCompositeKey(type, attrs), found);
  }

  /**
   * Up to `limit` public records of a single-id type whose id comes after `after` (all of them without it),
   * in id order, and whether more follow. A bounded read: it costs `limit` records however many the type
   * holds, at endorsement and at validation. Committed records only, so a transaction that writes records
   * of the type may not use it.
   */
  async listAfter<T>(
    type: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ items: Array<{ key: string; value: T }>; more: boolean }> {
    const prefix = this.stub.createCompositeKey(type, []);
    for (const key of this.pending.get(PUBLIC)?.keys() ?? []) {
      if (key.startsWith(prefix)) throw new MarketError(ErrorCode.INTERNAL, `listAfter(${type}) after a write of it`);
    }
    // Composite keys end each id with U+0000, so the key of `after` plus U+0001 sits after it and before the
    // key of any longer id it is a prefix of; U+10FFFF ends the type, as in a partial composite key query.
    const start = after === undefined ? prefix : `${this.stub.createCompositeKey(type, [after])}\u0001`;
    const { entries, more } = await readRange(this.stub, start, `${prefix}\u{10FFFF}`, limit);
    const items: Array<{ key: string; value: T }> = [];
    for (const { key, value } of entries) {
      const decoded = decode<T>(value);
      if (decoded !== undefined) items.push({ key, value: decoded });
    }
    return { items, more };
  }

  /**
   * Public keys of a type whose first ids are `attrs`, in key order, read lazily: the caller stops when it
   * has what it needs, and Fabric records (for its phantom check) only the part of the range read. Committed
   * state only, without this transaction's writes: callers read each record itself with `get`.
   */
  async *scan<T>(type: string, attrs: string[]): AsyncGenerator<{ attrs: string[]; value: T | undefined }> {
    for await (const kv of this.stub.getStateByPartialCompositeKey(type, attrs))
      yield { attrs: this.stub.splitCompositeKey(kv.key).attributes, value: decode<T>(kv.value) };
  }

  /**
   * At most `limit` records of a type whose first ids are `attrs`, in key order, after the key `after`
   * (exclusive; '' for the start), with this transaction's own writes applied. It stops reading the range
   * once it has `limit` records, so a bounded batch reads (and the peer re-checks at validation) only the
   * part of the range it walked, rather than the whole range every time.
   */
  async listAfterKey<T>(
    type: string,
    attrs: string[],
    after: string,
    limit: number,
  ): Promise<Array<{ key: string; value: T }>> {
    const own = this.pending.get(PUBLIC);
    const found = new Map<string, Uint8Array>();
    let last: string | undefined;
    for await (const kv of this.stub.getStateByPartialCompositeKey(type, attrs)) {
      if (kv.key <= after || own?.get(kv.key) === null) continue;
      found.set(kv.key, kv.value);
      if (found.size >= limit) {
        last = kv.key;
        break;
      }
    }
    const prefix = this.stub.createCompositeKey(type, attrs);
    // Own writes only within the part of the range read: beyond it the next call sees them committed.
    for (const [key, value] of own ?? []) {
      if (!key.startsWith(prefix) || key <= after || (last !== undefined && key > last)) continue;
      if (value === null) found.delete(key);
      else found.set(key, value);
    }
    const out: Array<{ key: string; value: T }> = [];
    for (const key of [...found.keys()].sort()) {
      const value = decode<T>(found.get(key));
      if (value !== undefined) out.push({ key, value });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Private records of a type whose first ids are `attrs`, in sealed-key order. Reads only: see decision 17. */
  async listPrivate<T>(collection: string, type: string, attrs: string[]): Promise<Array<{ key: string; value: T }>> {
    const seal = await this.seal(collection);
    const sealedAttrs = seal.attributes(type, attrs);
    await this.flushWrites();
    const found = new Map<string, Uint8Array>();
    for await (const kv of this.stub.getPrivateDataByPartialCompositeKey(collection, type, sealedAttrs))
      found.set(kv.key, kv.value);
    return this.overlay<T>(collection, this.stub.createCompositeKey(type, sealedAttrs), found);
  }

  /** Whether the collection has its secret yet. */
  async isSealed(collection: string): Promise<boolean> {
    return (await this.sealRecord(collection)) !== undefined;
  }

  /** Stores a collection's secret: once, before any other private record is written there. */
  async putSeal(collection: string, record: SealRecord): Promise<void> {
    const key = this.stub.createCompositeKey(SEAL_TYPE, []);
    const bytes = encode(record);
    this.remember(collection, key, bytes);
    this.seals.set(collection, Promise.resolve(new Seal(collection, record)));
    this.queue({ kind: 'put', collection, key, value: bytes });
  }

  /**
   * The stored-key prefix of a collection's records of a type whose first ids are `attrs`: tells which
   * record a stored key listed earlier is, without reading it (a wind-down's sweep).
   */
  async sealedPrefix(collection: string, type: string, attrs: string[]): Promise<string> {
    return this.stub.createCompositeKey(type, (await this.seal(collection)).attributes(type, attrs));
  }

  /** Purges a collection's secret: the last record of a wound-down operator's collection (decision 37). */
  async purgeSeal(collection: string): Promise<void> {
    await this.purgeRaw(collection, this.stub.createCompositeKey(SEAL_TYPE, []));
  }

  /**
   * Records of a type written before the collection was sealed, under their readable keys. A range read:
   * for evaluation only (a transaction that writes may not range-query private data).
   */
  async listLegacy<T>(collection: string, type: string, limit: number): Promise<Array<{ key: string; value: T }>> {
    const out: Array<{ key: string; value: T }> = [];
    await this.flushWrites();
    for await (const kv of this.stub.getPrivateDataByPartialCompositeKey(collection, type, [])) {
      if (!isLegacyAttributes(this.stub.splitCompositeKey(kv.key).attributes)) continue;
      const value = decode<T>(kv.value);
      if (value !== undefined) out.push({ key: kv.key, value });
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Writes a private record under its key as is, for collections whose writer salts every value itself
   * (the audit collections: the relay draws the salt). The key is not blinded: use it only where the
   * key's ids are public anyway.
   */
  async putPrivateUnsealed(collection: string, rawKey: string, value: object): Promise<void> {
    const bytes = encode(value);
    this.remember(collection, rawKey, bytes);
    this.queue({ kind: 'put', collection, key: rawKey, value: bytes });
  }

  /** Private records of a type in a collection written by putPrivateUnsealed, in key order. */
  async listPrivateUnsealed<T>(collection: string, type: string): Promise<Array<{ key: string; value: T }>> {
    const found = new Map<string, Uint8Array>();
    await this.flushWrites();
    for await (const kv of this.stub.getPrivateDataByPartialCompositeKey(collection, type, []))
      found.set(kv.key, kv.value);
    return this.overlay<T>(collection, this.stub.createCompositeKey(type, []), found);
  }

  /** Reads a record by its stored key as is: the migration of records written before sealing. */
  async getRaw<T>(collection: string, rawKey: string): Promise<T | undefined> {
    return this.getSealed<T>(collection, rawKey);
  }

  async purgeRaw(collection: string, rawKey: string): Promise<void> {
    this.remember(collection, rawKey, null);
    this.queue({ kind: 'purge', collection, key: rawKey });
  }

  private async getSealed<T>(collection: string, sealedKey: string): Promise<T | undefined> {
    const own = this.own(collection, sealedKey);
    if (own !== undefined) return own === null ? undefined : unseal<T>(own);
    // A settlement batch reads one investor's balance for its checks and again for its credit; one round
    // trip to the peer is enough, as for public reads.
    const id = `${collection}\u0000${sealedKey}`;
    let pending = this.privateReads.get(id);
    if (!pending) {
      pending = this.stub.getPrivateData(collection, sealedKey);
      this.privateReads.set(id, pending);
    }
    return unseal<T>(await pending);
  }

  private async sealedKey(collection: string, key: PrivateKey): Promise<string> {
    return this.keyOf(await this.seal(collection), key);
  }

  private keyOf(seal: Seal, key: PrivateKey): string {
    return this.stub.createCompositeKey(key.type, seal.attributes(key.type, key.attrs));
  }

  /** The collection's seal, read once per transaction. */
  private seal(collection: string): Promise<Seal> {
    let seal = this.seals.get(collection);
    if (!seal) {
      seal = this.sealRecord(collection).then((record) => {
        if (!record) {
          throw new MarketError(
            ErrorCode.CONFLICT,
            `collection ${collection} is not sealed yet: the regulator seals it before it holds records`,
          );
        }
        return new Seal(collection, record);
      });
      this.seals.set(collection, seal);
    }
    return seal;
  }

  private async sealRecord(collection: string): Promise<SealRecord | undefined> {
    const key = this.stub.createCompositeKey(SEAL_TYPE, []);
    const own = this.own(collection, key);
    return decode<SealRecord>(own === undefined ? await this.stub.getPrivateData(collection, key) : (own ?? undefined));
  }

  /**
   * Sends the writes held so far, in order, in as few messages as the peer takes. The contracts call it when
   * a transaction has succeeded; a refused transaction never sends any.
   */
  async flushWrites(): Promise<void> {
    if (this.unsent.size === 0) return;
    const ops = [...this.unsent.values()];
    this.unsent.clear();
    await sendWrites(this.stub, ops);
  }

  /**
   * Reads several public keys in one message, into the per-transaction cache the next `get` of each uses.
   * Only for keys the transaction goes on to read anyway: the read set stays what the single reads made.
   */
  async prefetch(keys: string[]): Promise<void> {
    const wanted = [...new Set(keys)].filter((k) => this.own(PUBLIC, k) === undefined && !this.reads.has(k));
    if (wanted.length === 0) return;
    const values = readMany(this.stub, PUBLIC, wanted);
    wanted.forEach((k, i) =>
      this.reads.set(
        k,
        values.then((v) => v[i] ?? new Uint8Array()),
      ),
    );
    await values;
  }

  /** As `prefetch`, for private records of one collection. */
  async prefetchPrivate(collection: string, keys: PrivateKey[]): Promise<void> {
    const seal = await this.seal(collection);
    const wanted = [...new Set(keys.map((k) => this.keyOf(seal, k)))].filter(
      (k) => this.own(collection, k) === undefined && !this.privateReads.has(`${collection}\u0000${k}`),
    );
    if (wanted.length === 0) return;
    const values = readMany(this.stub, collection, wanted);
    wanted.forEach((k, i) =>
      this.privateReads.set(
        `${collection}\u0000${k}`,
        values.then((v) => v[i] ?? new Uint8Array()),
      ),
    );
    await values;
  }

  /** Holds a write until flushWrites; a later write of the same key replaces it, in the later position. */
  private queue(op: WriteOp): void {
    const id = `${op.collection}\u0000${op.key}${op.kind === 'purge' ? '\u0000purge' : ''}`;
    this.unsent.delete(id);
    this.unsent.set(id, op);
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
    const read = collection === PUBLIC ? decode : unseal;
    for (const key of [...found.keys()].sort()) {
      const value = read<T>(found.get(key));
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

  /**
   * Queues an event; one chaincode event per transaction carries them all (Fabric keeps only the last).
   * The name is set last, so no field can overwrite it.
   */
  emit(type: string, fields: Record<string, unknown> = {}): void {
    if ('type' in fields) throw new MarketError(ErrorCode.INTERNAL, `event ${type} has a field named type`);
    this.events.push({ ...fields, type });
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
