import { createRequire } from 'node:module';
import type { ChaincodeStub } from 'fabric-shim-api';
import { decodeGetMultipleResult, encodeGetMultiple, encodeWriteBatch, RecordType } from './wire';

/**
 * Fabric 3.1's batched chaincode messages: a transaction's writes in one `WRITE_BATCH_STATE` message and
 * several keys in one `GET_STATE_MULTIPLE`, instead of one round trip to the peer per key. The peer handles
 * both for any chaincode (core/chaincode/handler.go); the Go shim uses them, the Node shim (2.5) does not
 * yet, so they go through the shim's own connection as ledger/range.ts does. Each key is checked and
 * recorded in the read-write set exactly as a single GetState, PutState or DelState would be.
 */

/** The peer's advertised batch size (core.yaml `chaincode.runtimeParams`, 1000 by default): no message holds more. */
export const MAX_BATCH = 1000;

export type WriteOp =
  | { kind: 'put'; collection: string; key: string; value: Uint8Array }
  | { kind: 'delete' | 'purge'; collection: string; key: string };

/** ChaincodeMessage.Type */
const WRITE_BATCH_STATE = 24;
const GET_STATE_MULTIPLE = 25;

/** The envelope every chaincode message travels in, of the shim's own protos package. */
interface ChaincodeMessage {
  setType(type: number): void;
  setPayload(payload: Uint8Array): void;
  setTxid(txId: string): void;
  setChannelId(channelId: string): void;
}

/**
 * The shim's own envelope class: its gRPC stream refuses a message of any other class (the generated
 * serializer checks `instanceof`). Loaded on first use, so the unit tests never need it.
 */
let shimMessage: (new () => ChaincodeMessage) | undefined;
function newChaincodeMessage(): ChaincodeMessage {
  shimMessage ??= (
    createRequire(require.resolve('fabric-shim'))('@hyperledger/fabric-protos') as {
      peer: { ChaincodeMessage: new () => ChaincodeMessage };
    }
  ).peer.ChaincodeMessage;
  return new shimMessage();
}

/** The part of the Node shim's peer connection that sends a message and waits for its answer. */
interface PeerConnection {
  _askPeerAndListen(msg: ChaincodeMessage, method: string): Promise<Uint8Array>;
}

/** The stub's peer connection, where it has one that can carry any message (the real shim, not a test stub). */
function connectionOf(stub: ChaincodeStub): PeerConnection | undefined {
  const handler = (stub as unknown as { handler?: Partial<PeerConnection> }).handler;
  return typeof handler?._askPeerAndListen === 'function' ? (handler as PeerConnection) : undefined;
}

function ask(
  connection: PeerConnection,
  stub: ChaincodeStub,
  type: number,
  payload: Uint8Array,
  method: string,
): Promise<Uint8Array> {
  const msg = newChaincodeMessage();
  msg.setType(type);
  msg.setPayload(payload);
  msg.setTxid(stub.getTxID());
  msg.setChannelId(stub.getChannelID());
  return connection._askPeerAndListen(msg, method);
}

const RECORD_TYPE = {
  put: RecordType.PUT_STATE,
  delete: RecordType.DEL_STATE,
  purge: RecordType.PURGE_PRIVATE_DATA,
} as const;

/**
 * Sends the writes in order, at most MAX_BATCH a message. Without a peer connection (the unit tests' stub)
 * each goes through the stub's own call, in the same order.
 */
export async function sendWrites(stub: ChaincodeStub, ops: WriteOp[]): Promise<void> {
  const connection = connectionOf(stub);
  if (!connection) {
    for (const op of ops) await sendOne(stub, op);
    return;
  }
  for (let i = 0; i < ops.length; i += MAX_BATCH) {
    const records = ops.slice(i, i + MAX_BATCH).map((op) => ({
      type: RECORD_TYPE[op.kind],
      collection: op.collection,
      key: op.key,
      value: op.kind === 'put' ? op.value : undefined,
    }));
    await ask(connection, stub, WRITE_BATCH_STATE, encodeWriteBatch(records), 'WriteBatch');
  }
}

function sendOne(stub: ChaincodeStub, op: WriteOp): Promise<void> {
  const { collection, key } = op;
  if (op.kind === 'put')
    return collection ? stub.putPrivateData(collection, key, op.value) : stub.putState(key, op.value);
  if (op.kind === 'purge') return stub.purgePrivateData(collection, key);
  return collection ? stub.deletePrivateData(collection, key) : stub.deleteState(key);
}

/**
 * The committed values of several keys of one collection ('' for public state), in the order asked, an empty
 * value for a missing key; MAX_BATCH keys a message. Without a peer connection, one stub call per key.
 */
export async function readMany(stub: ChaincodeStub, collection: string, keys: string[]): Promise<Uint8Array[]> {
  const connection = connectionOf(stub);
  if (!connection) {
    return Promise.all(keys.map((k) => (collection ? stub.getPrivateData(collection, k) : stub.getState(k))));
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < keys.length; i += MAX_BATCH) {
    const chunk = keys.slice(i, i + MAX_BATCH);
    const answer = await ask(
      connection,
      stub,
      GET_STATE_MULTIPLE,
      encodeGetMultiple(collection, chunk),
      'GetStateMultiple',
    );
    const values = decodeGetMultipleResult(answer);
    if (values.length !== chunk.length)
      throw new Error(`the peer answered ${values.length} values for ${chunk.length} keys`);
    out.push(...values);
  }
  return out;
}
