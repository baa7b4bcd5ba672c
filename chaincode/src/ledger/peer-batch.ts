import { createRequire } from 'node:module';
import type { ChaincodeStub } from 'fabric-shim-api';

/**
 * Two calls of Fabric 3.1's chaincode protocol that fabric-shim 2.5 (the newest Node shim) does not make
 * itself: many keys read in one message (GET_STATE_MULTIPLE) and many writes sent in one (WRITE_BATCH_STATE).
 * The shim sends a transaction's calls to the peer one at a time and waits for each answer, so a batch that
 * reads and writes thousands of keys spends most of its time in those round trips (decisions 59, 60). A 3.1
 * peer handles both messages whatever its settings; its core.yaml (`chaincode.runtimeParams`) advertises
 * them with at most 1000 keys a message, which is what the Go shim keeps to, and so do we.
 */
export const MAX_KEYS_PER_MESSAGE = 1000;

/** ChaincodeMessage types (fabric-protos `peer/chaincode_shim.proto`). */
const WRITE_BATCH_STATE = 24;
const GET_STATE_MULTIPLE = 25;
/** WriteRecord types: the ChaincodeMessage types of the single calls they stand for. */
const RECORD_TYPE = { put: 9, delete: 10, purge: 23 } as const;

export interface BatchedWrite {
  kind: keyof typeof RECORD_TYPE;
  /** '' for public state. */
  collection: string;
  key: string;
  value?: Uint8Array;
}

/** The shim's message to the peer: built with the shim's own protobuf classes, which its stream requires. */
interface ShimMessage {
  setType(type: number): void;
  setPayload(payload: Uint8Array): void;
  setTxid(txId: string): void;
  setChannelId(channelId: string): void;
}

/** The part of the shim's peer connection that sends one message of a transaction and awaits its answer. */
export interface MessageHandler {
  _askPeerAndListen(msg: ShimMessage, method: string): Promise<Uint8Array | undefined>;
}

let messageClass: (new () => ShimMessage) | undefined;

/** The ChaincodeMessage class of the protobuf package the shim itself loaded (its gRPC stream checks it). */
function newMessage(): ShimMessage {
  if (!messageClass) {
    const fromShim = createRequire(require.resolve('fabric-shim'));
    const protos = fromShim('@hyperledger/fabric-protos') as { peer: { ChaincodeMessage: new () => ShimMessage } };
    messageClass = protos.peer.ChaincodeMessage;
  }
  return new messageClass();
}

/** The peer connection of a stub that can send these messages, or undefined. */
export function batchHandler(stub: ChaincodeStub): MessageHandler | undefined {
  const handler = (stub as unknown as { handler?: Partial<MessageHandler> }).handler;
  return typeof handler?._askPeerAndListen === 'function' ? (handler as MessageHandler) : undefined;
}

async function ask(stub: ChaincodeStub, handler: MessageHandler, type: number, payload: Uint8Array, method: string) {
  const msg = newMessage();
  msg.setType(type);
  msg.setPayload(payload);
  msg.setTxid(stub.getTxID());
  msg.setChannelId(stub.getChannelID());
  return handler._askPeerAndListen(msg, method);
}

/** The committed values of up to MAX_KEYS_PER_MESSAGE keys, in their order; empty where a key has none. */
export async function getMultiple(
  stub: ChaincodeStub,
  handler: MessageHandler,
  collection: string,
  keys: readonly string[],
): Promise<Uint8Array[]> {
  const answer = await ask(
    stub,
    handler,
    GET_STATE_MULTIPLE,
    encodeGetStateMultiple(collection, keys),
    'GetStateMultiple',
  );
  const values = decodeGetStateMultipleResult(answer ?? new Uint8Array());
  if (values.length !== keys.length)
    throw new Error(`the peer answered ${values.length} values for ${keys.length} keys`);
  return values;
}

/** Sends up to MAX_KEYS_PER_MESSAGE writes; the peer applies them in order, as it would the single calls. */
export async function writeBatch(stub: ChaincodeStub, handler: MessageHandler, writes: readonly BatchedWrite[]) {
  await ask(stub, handler, WRITE_BATCH_STATE, encodeWriteBatch(writes), 'WriteBatchState');
}

// Protocol buffers wire format, for the three messages fabric-shim's protobuf package (0.2) lacks. Loading
// a second, newer copy of @hyperledger/fabric-protos beside the shim's is not an option: its generated code
// registers every class in one global namespace and would replace the shim's own.

const encoder = new TextEncoder();

function varint(n: number, out: number[]): void {
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
}

class Writer {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  bytes(field: number, value: Uint8Array): this {
    const head: number[] = [];
    varint((field << 3) | 2, head);
    varint(value.length, head);
    return this.push(Uint8Array.from(head)).push(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  enum(field: number, value: number): this {
    const head: number[] = [];
    varint(field << 3, head);
    varint(value, head);
    return this.push(Uint8Array.from(head));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  private push(part: Uint8Array): this {
    this.parts.push(part);
    this.size += part.length;
    return this;
  }
}

/** GetStateMultiple { repeated string keys = 1; string collection = 2; } */
export function encodeGetStateMultiple(collection: string, keys: readonly string[]): Uint8Array {
  const w = new Writer();
  for (const key of keys) w.string(1, key);
  if (collection !== '') w.string(2, collection);
  return w.finish();
}

/** WriteBatchState { repeated WriteRecord rec = 1; }, WriteRecord { key = 1; value = 2; collection = 3; type = 5 } */
export function encodeWriteBatch(writes: readonly BatchedWrite[]): Uint8Array {
  const w = new Writer();
  for (const write of writes) {
    const rec = new Writer().string(1, write.key);
    if (write.value && write.value.length > 0) rec.bytes(2, write.value);
    if (write.collection !== '') rec.string(3, write.collection);
    rec.enum(5, RECORD_TYPE[write.kind]);
    w.bytes(1, rec.finish());
  }
  return w.finish();
}

/** GetStateMultipleResult { repeated bytes values = 1; } */
export function decodeGetStateMultipleResult(bytes: Uint8Array): Uint8Array[] {
  const values: Uint8Array[] = [];
  let at = 0;
  const readVarint = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++];
      if (b === undefined) throw new Error('truncated GetStateMultipleResult');
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
      shift += 7;
    }
  };
  while (at < bytes.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 2) {
      const length = readVarint();
      if (at + length > bytes.length) throw new Error('truncated GetStateMultipleResult');
      if (field === 1) values.push(bytes.subarray(at, at + length));
      at += length;
    } else if (wire === 0) readVarint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unexpected wire type ${wire} in GetStateMultipleResult`);
  }
  return values;
}
