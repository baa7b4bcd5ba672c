/**
 * The few protobuf messages of Fabric 3.1's batched chaincode calls (peer/chaincode_shim.proto), written and
 * read by hand: the Node shim's protos package predates them, and loading a newer one beside it replaces the
 * shim's message classes (google-protobuf registers them globally), which breaks the shim's own stream.
 */

/** WriteRecord.Type */
export const RecordType = { PUT_STATE: 9, DEL_STATE: 10, PURGE_PRIVATE_DATA: 23 } as const;

export interface WireRecord {
  type: (typeof RecordType)[keyof typeof RecordType];
  collection: string;
  key: string;
  value?: Uint8Array;
}

const LEN = 2;
const VARINT = 0;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

class Writer {
  private readonly parts: Uint8Array[] = [];

  bytes(field: number, value: Uint8Array): this {
    this.parts.push(Uint8Array.from([...varint((field << 3) | LEN), ...varint(value.length)]), value);
    return this;
  }

  /** A string field; proto3 leaves an empty one out. */
  string(field: number, value: string): this {
    return value === '' ? this : this.bytes(field, Buffer.from(value, 'utf8'));
  }

  enumeration(field: number, value: number): this {
    this.parts.push(Uint8Array.from([...varint((field << 3) | VARINT), ...varint(value)]));
    return this;
  }

  finish(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

/** WriteBatchState { repeated WriteRecord rec = 1 }, WriteRecord { key = 1, value = 2, collection = 3, type = 5 }. */
export function encodeWriteBatch(records: WireRecord[]): Uint8Array {
  const batch = new Writer();
  for (const r of records) {
    const rec = new Writer().string(1, r.key);
    if (r.value !== undefined) rec.bytes(2, r.value);
    rec.string(3, r.collection).enumeration(5, r.type);
    batch.bytes(1, rec.finish());
  }
  return batch.finish();
}

/** GetStateMultiple { repeated string keys = 1; string collection = 2 }. */
export function encodeGetMultiple(collection: string, keys: string[]): Uint8Array {
  const w = new Writer();
  for (const k of keys) w.bytes(1, Buffer.from(k, 'utf8'));
  return w.string(2, collection).finish();
}

/** GetStateMultipleResult { repeated bytes values = 1 }: the values in order, empty for a missing key. */
export function decodeGetMultipleResult(bytes: Uint8Array): Uint8Array[] {
  const values: Uint8Array[] = [];
  let at = 0;
  const read = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[at++];
      if (b === undefined) throw new Error('truncated GetStateMultipleResult');
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 128;
    }
  };
  while (at < bytes.length) {
    const tag = read();
    const wire = tag & 7;
    if (wire === VARINT) {
      read();
      continue;
    }
    if (wire !== LEN) throw new Error(`unexpected wire type ${wire} in GetStateMultipleResult`);
    const length = read();
    if (at + length > bytes.length) throw new Error('truncated GetStateMultipleResult');
    const value = bytes.subarray(at, at + length);
    at += length;
    if (tag >> 3 === 1) values.push(value);
  }
  return values;
}
