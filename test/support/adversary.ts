import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import type { CloseableAsyncIterable, Network } from '@hyperledger/fabric-gateway';
import { connectTo, type Layout, type Org } from '@ecf/network';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a competitor's peer administrator holds, decoded the way such an administrator would decode it:
 * the blocks its own peer delivers (no private data, only the hashed read-write sets of collections it is
 * not a member of) and the files on its disk. Written against Fabric's protobufs, not the project's
 * decoder, so it sees exactly what Fabric stores.
 */
export interface SeenTx {
  readonly block: number;
  readonly txId: string;
  readonly valid: boolean;
  readonly creatorMspId: string;
  /** The creator's certificate (PEM), as every member stores it. */
  readonly creatorCert: string;
  /** The MSP IDs of the peers whose endorsements the transaction carries. */
  readonly endorsers: readonly string[];
  readonly fn: string;
  readonly args: readonly string[];
  readonly event?: { readonly name: string; readonly payload: string };
  /** The chaincode's response (status, message, payload): endorsed, so recorded in the block. */
  readonly response: { readonly status: number; readonly message: string; readonly payload: string };
  readonly publicReads: readonly string[];
  readonly publicRangeReads: ReadonlyArray<{ start: string; end: string }>;
  readonly publicWrites: ReadonlyArray<{ key: string; value: string; deleted: boolean }>;
  readonly hashed: ReadonlyArray<{
    readonly collection: string;
    readonly readKeyHashes: readonly string[];
    readonly writes: ReadonlyArray<{ keyHash: string; valueHash: string; deleted: boolean; purged: boolean }>;
  }>;
}

/**
 * Every transaction of a channel, from block 0 to the current height, as the org's own peer delivers it, to
 * the org's identity `as` (its gateway's by default; `admin` for its peer administrator).
 */
export async function blocksSeenBy(layout: Layout, org: Org, channel: string, as = 'gateway'): Promise<SeenTx[]> {
  const out: SeenTx[] = [];
  await readChain(
    layout,
    org,
    channel,
    as,
    (network) => network.getBlockEvents({ startBlock: 0n }),
    (block) => {
      out.push(...decode(block, Number(block.getHeader()?.getNumber() ?? 0)));
      return block;
    },
  );
  return out;
}

/**
 * Reads a channel from block 0 to its height at the call, through the org's first peer: `visit` gets each
 * event and returns its block.
 */
async function readChain<E>(
  layout: Layout,
  org: Org,
  channel: string,
  as: string,
  open: (network: Network) => Promise<CloseableAsyncIterable<E>>,
  visit: (event: E) => common.Block | undefined,
): Promise<void> {
  const target = org.peers[0];
  if (!target) throw new Error(`${org.name} has no peer`);
  const conn = connectTo(layout, org, target, as);
  try {
    const network = conn.gateway.getNetwork(channel);
    const info = common.BlockchainInfo.deserializeBinary(
      await network.getContract('qscc').evaluateTransaction('GetChainInfo', channel),
    );
    const height = BigInt(info.getHeight());
    const events = await open(network);
    try {
      for await (const event of events) {
        const n = BigInt(visit(event)?.getHeader()?.getNumber() ?? 0);
        if (n + 1n >= height) break;
      }
    } finally {
      events.close();
    }
  } finally {
    conn.close();
  }
}

function decode(block: common.Block, n: number): SeenTx[] {
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? [];
  const out: SeenTx[] = [];
  (block.getData()?.getDataList_asU8() ?? []).forEach((bytes, index) => {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
    const channelHeader = common.ChannelHeader.deserializeBinary(
      payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
    );
    if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return;
    const creator = msp.SerializedIdentity.deserializeBinary(
      common.SignatureHeader.deserializeBinary(
        payload.getHeader()?.getSignatureHeader_asU8() ?? new Uint8Array(),
      ).getCreator_asU8(),
    );
    const action = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()[0];
    if (!action) return;
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const invocation = peer.ChaincodeInvocationSpec.deserializeBinary(
      peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8()).getInput_asU8(),
    );
    const endorsers = (actionPayload.getAction()?.getEndorsementsList() ?? []).map((e) =>
      msp.SerializedIdentity.deserializeBinary(e.getEndorser_asU8()).getMspid(),
    );
    const [fn = '', ...args] = (invocation.getChaincodeSpec()?.getInput()?.getArgsList_asU8() ?? []).map(text);
    const ccAction = peer.ChaincodeAction.deserializeBinary(
      peer.ProposalResponsePayload.deserializeBinary(
        actionPayload.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array(),
      ).getExtension_asU8(),
    );
    const eventBytes = ccAction.getEvents_asU8();
    const event = eventBytes.length ? peer.ChaincodeEvent.deserializeBinary(eventBytes) : undefined;
    const publicReads: string[] = [];
    const publicRangeReads: Array<{ start: string; end: string }> = [];
    const publicWrites: Array<{ key: string; value: string; deleted: boolean }> = [];
    const hashed: Array<SeenTx['hashed'][number]> = [];
    const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(ccAction.getResults_asU8());
    for (const ns of rwset.getNsRwsetList()) {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      for (const r of kv.getReadsList()) publicReads.push(r.getKey());
      for (const q of kv.getRangeQueriesInfoList())
        publicRangeReads.push({ start: q.getStartKey(), end: q.getEndKey() });
      for (const w of kv.getWritesList())
        publicWrites.push({ key: w.getKey(), value: text(w.getValue_asU8()), deleted: w.getIsDelete() });
      for (const coll of ns.getCollectionHashedRwsetList()) {
        const h = ledger.rwset.kvrwset.HashedRWSet.deserializeBinary(coll.getHashedRwset_asU8());
        hashed.push({
          collection: coll.getCollectionName(),
          readKeyHashes: h.getHashedReadsList().map((r) => hex(r.getKeyHash_asU8())),
          writes: h.getHashedWritesList().map((w) => ({
            keyHash: hex(w.getKeyHash_asU8()),
            valueHash: hex(w.getValueHash_asU8()),
            deleted: w.getIsDelete(),
            purged: w.getIsPurge(),
          })),
        });
      }
    }
    out.push({
      block: n,
      txId: channelHeader.getTxId(),
      valid: (filter[index] ?? 0) === peer.TxValidationCode.VALID,
      creatorMspId: creator.getMspid(),
      creatorCert: text(creator.getIdBytes_asU8()),
      endorsers,
      fn,
      args,
      ...(event ? { event: { name: event.getEventName(), payload: text(event.getPayload_asU8()) } } : {}),
      response: {
        status: ccAction.getResponse()?.getStatus() ?? 0,
        message: ccAction.getResponse()?.getMessage() ?? '',
        payload: text(ccAction.getResponse()?.getPayload_asU8() ?? new Uint8Array()),
      },
      publicReads,
      publicRangeReads,
      publicWrites,
      hashed,
    });
  });
  return out;
}

export interface PrivateWrite {
  readonly txId: string;
  readonly collection: string;
  readonly key: string;
  readonly value: Uint8Array;
  readonly deleted: boolean;
}

/**
 * The private writes an org's peer delivers with its blocks, for the collections the org is a member of (the
 * regulator's peer: the ground truth an adversarial test compares a competitor's view with). Keys and values
 * exactly as stored. `as` as for blocksSeenBy.
 */
export async function privateWritesSeenBy(
  layout: Layout,
  org: Org,
  channel: string,
  as = 'gateway',
): Promise<PrivateWrite[]> {
  const out: PrivateWrite[] = [];
  await readChain(
    layout,
    org,
    channel,
    as,
    (network) => network.getBlockAndPrivateDataEvents({ startBlock: 0n }),
    (event) => {
      const block = event.getBlock();
      if (!block) return undefined;
      const txIds = (block.getData()?.getDataList_asU8() ?? []).map((bytes) => {
        const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
        return common.ChannelHeader.deserializeBinary(
          payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
        ).getTxId();
      });
      const valid = new Set(
        decode(block, 0)
          .filter((t) => t.valid)
          .map((t) => t.txId),
      );
      event.getPrivateDataMapMap().forEach((pvt: ledger.rwset.TxPvtReadWriteSet, index: number) => {
        const txId = txIds[index] ?? '';
        if (!valid.has(txId)) return;
        for (const ns of pvt.getNsPvtRwsetList()) {
          for (const coll of ns.getCollectionPvtRwsetList()) {
            const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(coll.getRwset_asU8());
            for (const w of kv.getWritesList()) {
              out.push({
                txId,
                collection: coll.getCollectionName(),
                key: w.getKey(),
                value: w.getValue_asU8(),
                deleted: w.getIsDelete(),
              });
            }
          }
        }
      });
      return block;
    },
  );
  return out;
}

/** Files under a folder whose bytes contain any of the needles (latin1, so binary files are searched too). */
export function filesContaining(dir: string, needles: readonly string[]): Array<{ file: string; needle: string }> {
  const found: Array<{ file: string; needle: string }> = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) {
        const bytes = readFileSync(path).toString('latin1');
        for (const needle of needles) if (bytes.includes(needle)) found.push({ file: path, needle });
      }
    }
  };
  walk(dir);
  return found;
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Fabric's composite key: NUL, type, NUL, then each attribute followed by NUL. */
export const compositeKey = (type: string, attrs: readonly string[]): string =>
  `\u0000${type}\u0000${attrs.map((a) => `${a}\u0000`).join('')}`;

/**
 * Enumerates an integer field of a record format, as the attack on unsalted hashes did: sha256 of the
 * canonical JSON for every amount from 1 to `upTo`, checked against the hashes seen. Returns the amounts
 * that matched. `template` holds `"%N%"` where the amount goes.
 */
export function enumerateAmounts(template: string, upTo: number, hashes: ReadonlySet<string>): number[] {
  const [head = '', tail = ''] = template.split('%N%');
  const hits: number[] = [];
  for (let n = 1; n <= upTo; n++) {
    if (hashes.has(createHash('sha256').update(`${head}${n}${tail}`).digest('hex'))) hits.push(n);
  }
  return hits;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
