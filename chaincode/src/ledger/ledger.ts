import type { ChaincodeStub } from 'fabric-shim-api';
import { ErrorCode, MarketError, RECORD_VERSION, type MarketEvent } from '@ecf/common';
import { decode, encode, canonicalJson } from './codec';
import { batchHandler, getMultiple, MAX_KEYS_PER_MESSAGE, writeBatch, type BatchedWrite } from './peer-batch';
import { rangeEntries, readRange } from './range';
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
 */
export class Ledger {
  private readonly events: Array<Record<string, unknown>> = [];
  /** Public reads already made by this transaction. */
  private readonly reads = new Map<string, Promise<Uint8Array>>();
  /** Private reads already made, by collection and stored key: committed values, like the public ones. */
  private readonly privateReads = new Map<string, Promise<Uint8Array>>();
  /** This transaction's writes by collection and key; null marks a delete. */
  private readonly pending = new Map<string, Map<string, Uint8Array | null>>();
  /** Each collection's seal, read at most once per transaction. */
  private readonly seals = new Map<string, Promise<Seal>>();
  /**
   * Writes held back until the transaction ends (`deferWrites`), by collection and key (a purge under its own
   * entry): a later write of a key replaces the earlier one and moves to its place in the order. The peer's
   * read-write set keeps only a key's last write anyway; a Match that credits one balance for several fills
   * sends it once.
   */
  private deferred: Map<string, BatchedWrite> | undefined;

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
    await this.write({ kind: 'put', collection: PUBLIC, key, value: bytes });
  }

  async delete(key: string): Promise<void> {
    this.remember(PUBLIC, key, null);
    await this.write({ kind: 'delete', collection: PUBLIC, key });
  }

  /**
   * Holds this transaction's writes from now on and sends them to the peer when it ends (`flushWrites`, from
   * the contracts' afterTransaction), a thousand to a message, instead of one round trip each. Nothing a
   * transaction reads changes: reads already see its own writes here, and the peer's simulator never shows a
   * transaction its own writes. A transaction that fails before the end sends none. For batches that write
   * thousands of keys (decisions 59, 60).
   */
  deferWrites(): void {
    this.deferred ??= new Map();
  }

  /** Sends the writes held by `deferWrites`, in order; the peer applies them as it would the single calls. */
  async flushWrites(): Promise<void> {
    if (!this.deferred || this.deferred.size === 0) return;
    const writes = [...this.deferred.values()];
    this.deferred.clear();
    const handler = batchHandler(this.stub);
    if (!handler) {
      for (const w of writes) await this.send(w);
      return;
    }
    for (let i = 0; i < writes.length; i += MAX_KEYS_PER_MESSAGE)
      await writeBatch(this.stub, handler, writes.slice(i, i + MAX_KEYS_PER_MESSAGE));
  }

  /**
   * Reads many public records in one round trip to the peer (a thousand keys a message) into this
   * transaction's read cache, so the `get`s that follow cost nothing. Only for records the transaction reads
   * anyway: every key read is in its read set. A stub without the peer call leaves them to `get`.
   */
  async prefetch(keys: readonly string[]): Promise<void> {
    await this.prefetchRaw(
      PUBLIC,
      keys.filter((k) => this.own(PUBLIC, k) === undefined && !this.reads.has(k)),
      (k, v) => this.reads.set(k, v),
    );
  }

  /** `prefetch` for private records, one message per collection (and thousand keys). */
  async prefetchPrivate(records: ReadonlyArray<{ collection: string; key: PrivateKey }>): Promise<void> {
    const byCollection = new Map<string, string[]>();
    for (const { collection, key } of records) {
      const sealedKey = await this.sealedKey(collection, key);
      if (this.own(collection, sealedKey) !== undefined || this.privateReads.has(`${collection}\u0000${sealedKey}`))
        continue;
      const list = byCollection.get(collection) ?? [];
      list.push(sealedKey);
      byCollection.set(collection, list);
    }
    for (const [collection, sealedKeys] of byCollection)
      await this.prefetchRaw(collection, sealedKeys, (k, v) => this.privateReads.set(`${collection}\u0000${k}`, v));
  }

  private async prefetchRaw(
    collection: string,
    keys: readonly string[],
    remember: (key: string, value: Promise<Uint8Array>) => void,
  ): Promise<void> {
    const handler = batchHandler(this.stub);
    if (!handler) return;
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += MAX_KEYS_PER_MESSAGE) {
      const chunk = unique.slice(i, i + MAX_KEYS_PER_MESSAGE);
      const values = await getMultiple(this.stub, handler, collection, chunk);
      chunk.forEach((key, j) => remember(key, Promise.resolve(values[j] ?? new Uint8Array())));
    }
  }

  private async write(w: BatchedWrite): Promise<void> {
    if (this.deferred) {
      const id = `${w.collection}\u0000${w.key}${w.kind === 'purge' ? '\u0000purge' : ''}`;
      this.deferred.delete(id);
      this.deferred.set(id, w);
    } else await this.send(w);
  }

  private async send({ kind, collection, key, value }: BatchedWrite): Promise<void> {
    if (collection === PUBLIC) {
      if (kind === 'put') await this.stub.putState(key, value ?? new Uint8Array());
      else await this.stub.deleteState(key);
    } else if (kind === 'put') await this.stub.putPrivateData(collection, key, value ?? new Uint8Array());
    else if (kind === 'delete') await this.stub.deletePrivateData(collection, key);
    else await this.stub.purgePrivateData(collection, key);
  }

  async getPrivate<T>(collection: string, key: PrivateKey): Promise<T | undefined> {
    return this.getSealed<T>(collection, await this.sealedKey(collection, key));
  }

  async putPrivate(collection: string, key: PrivateKey, value: object): Promise<void> {
    const seal = await this.seal(collection);
    const sealedKey = this.keyOf(seal, key);
    const bytes = encode({ ...value, [SEAL_FIELD]: seal.valueSalt(sealedKey, this.txId) });
    this.remember(collection, sealedKey, bytes);
    await this.write({ kind: 'put', collection, key: sealedKey, value: bytes });
  }

  async deletePrivate(collection: string, key: PrivateKey): Promise<void> {
    const sealedKey = await this.sealedKey(collection, key);
    this.remember(collection, sealedKey, null);
    await this.write({ kind: 'delete', collection, key: sealedKey });
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
   * (exclusive; '' for the start), with this transaction's own writes applied. The range starts right after
   * the cursor and stops once it has `limit` records, so a bounded batch reads (and the peer re-checks at
   * validation) only the part of the range it walks, wherever the cursor is (decision 59).
   */
  async listAfterKey<T>(
    type: string,
    attrs: string[],
    after: string,
    limit: number,
  ): Promise<Array<{ key: string; value: T }>> {
    const own = this.pending.get(PUBLIC);
    const prefix = this.stub.createCompositeKey(type, attrs);
    // The smallest key above the cursor is the cursor followed by U+0000; U+10FFFF ends the prefix, as in a
    // partial composite key query.
    const start = after === '' ? prefix : `${after}\u0000`;
    const found = new Map<string, Uint8Array>();
    let last: string | undefined;
    for await (const kv of rangeEntries(this.stub, start, `${prefix}\u{10FFFF}`)) {
      if (own?.get(kv.key) === null) continue;
      found.set(kv.key, kv.value);
      if (found.size >= limit) {
        last = kv.key;
        break;
      }
    }
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
    await this.write({ kind: 'put', collection, key, value: bytes });
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
    await this.write({ kind: 'put', collection, key: rawKey, value: bytes });
  }

  /** Private records of a type in a collection written by putPrivateUnsealed, in key order. */
  async listPrivateUnsealed<T>(collection: string, type: string): Promise<Array<{ key: string; value: T }>> {
    const found = new Map<string, Uint8Array>();
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
    await this.write({ kind: 'purge', collection, key: rawKey });
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
