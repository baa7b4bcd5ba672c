import type { ChaincodeStub } from 'fabric-shim-api';

/** The shim's iterator over one range query: pages of results fetched from the peer as they are consumed. */
interface PeerRangeIterator {
  next(): Promise<{ done?: boolean; value?: { key: string; value: Uint8Array } }>;
  close(): Promise<unknown>;
}

/** The part of the shim's peer connection a range read uses. */
export interface RangeHandler {
  handleGetStateByRange(
    collection: string,
    startKey: string,
    endKey: string,
    channelId: string,
    txId: string,
  ): Promise<{ iterator: PeerRangeIterator }>;
}

/**
 * Public entries with keys in [startKey, endKey), in key order, fetched from the peer as the caller
 * consumes them. The shim's `getStateByRange` refuses composite keys (it keeps simple and composite key
 * spaces apart), and `getStateByPartialCompositeKey` cannot start in the middle of a type; the peer itself
 * takes any range, so this asks it through the stub's own connection. When the caller stops, the iterator is
 * closed: the peer then records the read as ending at the last key it handed over, so validation re-reads
 * that much, not the whole type (Fabric's range query info, `itr_exhausted` false).
 */
export async function* rangeEntries(
  stub: ChaincodeStub,
  startKey: string,
  endKey: string,
): AsyncGenerator<{ key: string; value: Uint8Array }> {
  const handler = (stub as unknown as { handler?: RangeHandler }).handler;
  if (!handler) throw new Error('the stub has no peer connection for range reads');
  const { iterator } = await handler.handleGetStateByRange('', startKey, endKey, stub.getChannelID(), stub.getTxID());
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done || !next.value) return;
      yield { key: next.value.key, value: next.value.value };
    }
  } finally {
    await iterator.close();
  }
}

/**
 * Up to `limit` public entries with keys in [startKey, endKey), in key order, and whether the range held
 * more: it stops after `limit + 1` entries (see `rangeEntries`).
 */
export async function readRange(
  stub: ChaincodeStub,
  startKey: string,
  endKey: string,
  limit: number,
): Promise<{ entries: Array<{ key: string; value: Uint8Array }>; more: boolean }> {
  const entries: Array<{ key: string; value: Uint8Array }> = [];
  for await (const entry of rangeEntries(stub, startKey, endKey)) {
    if (entries.length === limit) return { entries, more: true };
    entries.push(entry);
  }
  return { entries, more: false };
}
