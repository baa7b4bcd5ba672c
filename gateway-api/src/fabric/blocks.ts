import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { createHash } from 'node:crypto';

/**
 * Market blocks, decoded into what the audit relay reasons about: per transaction its validity, time,
 * creator, function, chaincode event, and the keys it wrote in public state and (for a peer that is a
 * member of the collection) in private data.
 */
export interface KeyWrite {
  readonly namespace: string;
  /** Private collection, or undefined for public state. */
  readonly collection?: string;
  /** Composite key parts: its object type and attributes. */
  readonly type: string;
  readonly attributes: readonly string[];
  readonly deleted: boolean;
  readonly value?: unknown;
}

export interface DecodedTx {
  readonly txId: string;
  readonly valid: boolean;
  readonly validationCode: string;
  /** Epoch seconds, from the transaction's channel header. */
  readonly timestamp: number;
  readonly creatorMspId: string;
  readonly chaincode: string;
  /** `Contract:Function` and the public arguments (private input travels in transient data, not here). */
  readonly fn: string;
  readonly args: readonly string[];
  readonly event?: { readonly name: string; readonly payload: unknown };
  readonly writes: readonly KeyWrite[];
}

export interface BlockHeader {
  readonly number: string;
  /** SHA-256 of the DER-encoded header, as Fabric computes it (hex). */
  readonly hash: string;
  readonly previousHash: string;
  readonly dataHash: string;
}

export interface DecodedBlock extends BlockHeader {
  readonly txs: readonly DecodedTx[];
}

const CODE_NAMES = Object.fromEntries(Object.entries(peer.TxValidationCode).map(([k, v]) => [v, k])) as Record<
  number,
  string
>;
const ENDORSER_TRANSACTION = common.HeaderType.ENDORSER_TRANSACTION;

export function decodeHeader(block: common.Block): BlockHeader {
  const header = block.getHeader();
  if (!header) throw new Error('block without header');
  const number = BigInt(header.getNumber());
  const previous = Buffer.from(header.getPreviousHash_asU8());
  const data = Buffer.from(header.getDataHash_asU8());
  return {
    number: number.toString(),
    hash: blockHeaderHash(number, previous, data).toString('hex'),
    previousHash: previous.toString('hex'),
    dataHash: data.toString('hex'),
  };
}

export function decodeBlock(
  block: common.Block,
  privateData?: { get(index: number): ledger.rwset.TxPvtReadWriteSet | undefined },
): DecodedBlock {
  const header = decodeHeader(block);
  const filter =
    block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
  const txs: DecodedTx[] = [];
  block
    .getData()
    ?.getDataList_asU8()
    .forEach((bytes, index) => {
      const tx = decodeTransaction(bytes, filter[index] ?? peer.TxValidationCode.VALID, privateData?.get(index));
      if (tx) txs.push(tx);
    });
  return { ...header, txs };
}

function decodeTransaction(
  envelopeBytes: Uint8Array,
  code: number,
  pvt: ledger.rwset.TxPvtReadWriteSet | undefined,
): DecodedTx | undefined {
  const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
  const header = payload.getHeader();
  const channelHeader = common.ChannelHeader.deserializeBinary(header?.getChannelHeader_asU8() ?? new Uint8Array());
  if (channelHeader.getType() !== ENDORSER_TRANSACTION) return undefined;
  const signatureHeader = common.SignatureHeader.deserializeBinary(
    header?.getSignatureHeader_asU8() ?? new Uint8Array(),
  );
  const creator = msp.SerializedIdentity.deserializeBinary(signatureHeader.getCreator_asU8());
  const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
  const [action] = transaction.getActionsList();
  if (!action) return undefined;
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const proposal = peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8());
  const invocation = peer.ChaincodeInvocationSpec.deserializeBinary(proposal.getInput_asU8());
  const [fn = '', ...args] = (invocation.getChaincodeSpec()?.getInput()?.getArgsList_asU8() ?? []).map((a) =>
    Buffer.from(a).toString('utf8'),
  );
  const prp = peer.ProposalResponsePayload.deserializeBinary(
    actionPayload.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array(),
  );
  const ccAction = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
  const chaincode = ccAction.getChaincodeId()?.getName() ?? '';
  const eventBytes = ccAction.getEvents_asU8();
  const ccEvent = eventBytes.length ? peer.ChaincodeEvent.deserializeBinary(eventBytes) : undefined;

  const writes: KeyWrite[] = [];
  const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(ccAction.getResults_asU8());
  for (const ns of rwset.getNsRwsetList()) {
    const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
    for (const w of kv.getWritesList()) writes.push(keyWrite(ns.getNamespace(), undefined, w));
  }
  for (const ns of pvt?.getNsPvtRwsetList() ?? []) {
    for (const coll of ns.getCollectionPvtRwsetList()) {
      const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(coll.getRwset_asU8());
      for (const w of kv.getWritesList()) writes.push(keyWrite(ns.getNamespace(), coll.getCollectionName(), w));
    }
  }
  return {
    txId: channelHeader.getTxId(),
    valid: code === peer.TxValidationCode.VALID,
    validationCode: CODE_NAMES[code] ?? String(code),
    timestamp: channelHeader.getTimestamp()?.getSeconds() ?? 0,
    creatorMspId: creator.getMspid(),
    chaincode,
    fn,
    args,
    ...(ccEvent && ccEvent.getEventName()
      ? { event: { name: ccEvent.getEventName(), payload: json(ccEvent.getPayload_asU8()) } }
      : {}),
    writes,
  };
}

function keyWrite(namespace: string, collection: string | undefined, w: ledger.rwset.kvrwset.KVWrite): KeyWrite {
  const { type, attributes } = splitCompositeKey(w.getKey());
  const deleted = w.getIsDelete();
  return {
    namespace,
    ...(collection ? { collection } : {}),
    type,
    attributes,
    deleted,
    ...(deleted ? {} : { value: json(w.getValue_asU8()) }),
  };
}

/** "\0type\0a\0b\0" → { type, [a, b] }; a simple key is its own type. */
export function splitCompositeKey(key: string): { type: string; attributes: string[] } {
  if (!key.startsWith('\u0000')) return { type: key, attributes: [] };
  const parts = key.split('\u0000').slice(1, -1);
  return { type: parts[0] ?? '', attributes: parts.slice(1) };
}

function json(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Fabric's block hash: SHA-256 over the ASN.1 DER encoding of SEQUENCE { INTEGER number, OCTET STRING
 * previousHash, OCTET STRING dataHash } (protoutil.BlockHeaderBytes).
 */
export function blockHeaderHash(number: bigint, previousHash: Buffer, dataHash: Buffer): Buffer {
  let hex = number.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let n = Buffer.from(hex, 'hex');
  if ((n[0] ?? 0) & 0x80) n = Buffer.concat([Buffer.from([0]), n]);
  const body = Buffer.concat([tlv(0x02, n), tlv(0x04, previousHash), tlv(0x04, dataHash)]);
  return createHash('sha256').update(tlv(0x30, body)).digest();
}

function tlv(tag: number, content: Buffer): Buffer {
  const len = content.length;
  let length: Buffer;
  if (len < 0x80) length = Buffer.from([len]);
  else {
    const bytes: number[] = [];
    for (let l = len; l > 0; l >>= 8) bytes.unshift(l & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
