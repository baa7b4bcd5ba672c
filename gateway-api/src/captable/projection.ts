import { KeyType, type Account, type Asset, type Movement, type OrderEscrow } from '@ecf/common';
import { createHash } from 'node:crypto';
import type { DecodedBlock, KeyWrite } from '../fabric/blocks';

/**
 * What one market block says about positions, read from the block alone (public writes and the private
 * writes of the collections the trustee's peer holds). Pure: the same block always gives the same facts in
 * the same order, which is what makes a rebuild from block 0 identical to the live projection.
 */
export interface BlockFacts {
  readonly block: bigint;
  /** The first transaction's time (epoch seconds); undefined for a block without one (channel config). */
  readonly at?: number;
  readonly movements: readonly MovementFact[];
  readonly escrows: readonly EscrowFact[];
  readonly holders: readonly HolderFact[];
  readonly instruments: readonly InstrumentFact[];
}

interface Located {
  readonly txIndex: number;
  /** The fact's position among its transaction's facts. */
  readonly n: number;
  readonly txId: string;
  readonly at: number;
}

export interface MovementFact extends Located {
  readonly accountId: string;
  readonly assetId: string;
  readonly kind: Movement['kind'];
  readonly delta: bigint;
  readonly counterparty?: string;
  readonly reference?: string;
}

/** An order escrow written (its remaining amount) or deleted: the key is all a delete names. */
export interface EscrowFact extends Located {
  readonly sealedKey: string;
  readonly escrow?: { readonly orderId: string; readonly accountId: string; readonly assetId: string; amount: bigint };
}

export interface HolderFact {
  readonly accountId: string;
  readonly operatorMspId: string;
  readonly type: string;
  readonly status: string;
}

export interface InstrumentFact {
  readonly assetId: string;
  readonly kind: string;
  readonly trusteeMspId: string;
  readonly issuerAccountId?: string;
  readonly decimals: number;
}

export function factsOf(block: DecodedBlock, chaincode = 'market'): BlockFacts {
  const movements: MovementFact[] = [];
  const escrows: EscrowFact[] = [];
  const holders: HolderFact[] = [];
  const instruments: InstrumentFact[] = [];
  block.txs.forEach((tx, txIndex) => {
    if (!tx.valid || tx.chaincode !== chaincode) return;
    let n = 0;
    const at = { txIndex, txId: tx.txId, at: tx.timestamp };
    for (const w of tx.writes) {
      if (w.namespace !== chaincode) continue;
      if (w.collection && w.type === KeyType.MOVEMENT && !w.deleted && isObject(w.value)) {
        const m = w.value as Movement;
        movements.push({
          ...at,
          n: n++,
          accountId: m.accountId,
          assetId: m.assetId,
          kind: m.kind,
          delta: BigInt(m.delta),
          ...(m.counterparty ? { counterparty: m.counterparty } : {}),
          ...(m.reference ? { reference: m.reference } : {}),
        });
      } else if (w.collection && w.type === KeyType.ORDER_ESCROW) {
        const e = w.value as OrderEscrow | undefined;
        escrows.push({
          ...at,
          n: n++,
          sealedKey: sealedKeyOf(w),
          ...(!w.deleted && isObject(e)
            ? { escrow: { orderId: e.orderId, accountId: e.accountId, assetId: e.assetId, amount: BigInt(e.amount) } }
            : {}),
        });
      } else if (!w.collection && w.type === KeyType.ACCOUNT && !w.deleted && isObject(w.value)) {
        const a = w.value as Account;
        holders.push({ accountId: a.id, operatorMspId: a.operatorMspId, type: a.type, status: a.status });
      } else if (!w.collection && w.type === KeyType.ASSET && !w.deleted && isObject(w.value)) {
        const a = w.value as Asset;
        instruments.push({
          assetId: a.id,
          kind: a.kind,
          trusteeMspId: a.trusteeMspId,
          ...(a.issuerAccountId ? { issuerAccountId: a.issuerAccountId } : {}),
          decimals: a.decimals,
        });
      }
    }
  });
  const first = block.txs[0];
  return {
    block: BigInt(block.number),
    ...(first ? { at: first.timestamp } : {}),
    movements,
    escrows,
    holders,
    instruments,
  };
}

/** A digest of a private key as the peer stores it (collection, object type, sealed attributes). */
function sealedKeyOf(w: KeyWrite): string {
  return createHash('sha256')
    .update([w.collection ?? '', w.type, ...w.attributes].join('\u0000'))
    .digest('hex');
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}
