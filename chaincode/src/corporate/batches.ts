import {
  KeyType,
  RECORD_VERSION,
  type Account,
  type Asset,
  type BookEpoch,
  type Campaign,
  type CircuitBreaker,
  type CorporateAction,
  type Order,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import type { MarketContext } from '../context';
import { keys, privateKeys } from '../ledger/keys';
import { releaseOrder } from '../market/release';
import { listParticipants } from '../registry/records';
import { isWoundDown } from '../wind-down/record';
import { splitPrice } from './rules';

/**
 * The ledger walks of a corporate action, each bounded by the caller's `max` and resumable from the public
 * record: what is left is read from the records themselves, so a rerun after any interruption continues
 * where the last committed batch stopped.
 */

/** Open orders of a class, at most `max`, in key order. */
export async function openOrdersOfClass(ctx: MarketContext, classId: string, max: number): Promise<Order[]> {
  return (await ctx.ledger.list<Order>(KeyType.ORDER, [classId]))
    .map((e) => e.value)
    .filter((o) => o.status === 'OPEN')
    .slice(0, max);
}

/** Cancels orders through the market's own release: each order's escrow goes back to its owner. */
export async function cancelOrders(ctx: MarketContext, orders: readonly Order[]): Promise<void> {
  const holdings = new Holdings(ctx);
  for (const order of orders) await releaseOrder(ctx, holdings, order, 'CANCELLED');
}

/**
 * Accounts after `cursor` in id order, at most `max`, of the operators the class's trustee serves: the only
 * ones that can hold the class. A public range read; the holdings are then point reads (decision 17).
 */
export async function accountsAfter(
  ctx: MarketContext,
  trusteeMspId: string,
  cursor: string | undefined,
  max: number,
): Promise<Account[]> {
  const served = new Set<string>();
  for (const p of await listParticipants(ctx)) {
    if (p.kind === 'operator' && p.trusteeMspId === trusteeMspId && !(await isWoundDown(ctx, p.mspId)))
      served.add(p.mspId);
  }
  return (await ctx.ledger.list<Account>(KeyType.ACCOUNT, []))
    .map((e) => e.value)
    .filter((a) => served.has(a.operatorMspId) && (cursor === undefined || a.id > cursor))
    .slice(0, max);
}

/** Whether something of the class would be caught half-way by a lock: an unsettled tender or campaign escrow. */
export async function blockerOf(ctx: MarketContext, action: CorporateAction): Promise<string | undefined> {
  for (const { value } of await ctx.ledger.list<CorporateAction>(KeyType.CORPORATE_ACTION, [])) {
    if (value.id !== action.id && value.classId === action.classId && value.phase !== 'DONE') {
      if (value.kind === 'TENDER' || value.phase !== 'ANNOUNCED')
        return `corporate action ${value.id} (${value.kind}) of ${action.classId} is not done`;
    }
  }
  for (const { value } of await ctx.ledger.list<Campaign>(KeyType.CAMPAIGN, [])) {
    if (value.classId === action.classId && BigInt(value.escrowUnits) > 0n)
      return `campaign ${value.id} holds units of ${action.classId} in escrow`;
  }
  return undefined;
}

/**
 * Accumulates a batch's supply changes per collection, written once at the end: a customer's supply delta
 * is keyed by (asset, transaction) in its collection, so two accounts of one collection share the record.
 */
export class SupplyDeltas {
  private readonly byCollection = new Map<string, bigint>();

  add(account: Account, delta: bigint): void {
    const c = Holdings.collectionOf(account);
    this.byCollection.set(c, (this.byCollection.get(c) ?? 0n) + delta);
  }

  async write(ctx: MarketContext, assetId: string): Promise<void> {
    for (const [collection, delta] of this.byCollection) {
      if (delta === 0n) continue;
      await ctx.ledger.putPrivate(collection, privateKeys.supply(assetId, ctx.ledger.txId), {
        v: RECORD_VERSION,
        delta: delta.toString(),
      });
      ctx.ledger.emit('PrivateMovement', { kind: 'corporate-action', collection });
    }
  }
}

/** After a split N:M, the circuit breaker's reference and the book's last price are per new unit. */
export async function rescalePrices(ctx: MarketContext, shareClass: Asset, n: bigint, m: bigint): Promise<void> {
  const breakerKey = keys.breaker(ctx.stub, shareClass.id);
  const breaker = await ctx.ledger.get<CircuitBreaker>(breakerKey);
  if (breaker) {
    // The band is in basis points of the reference, so it moves with it and keeps its width.
    const referencePrice = splitPrice(BigInt(breaker.referencePrice), n, m).toString();
    await ctx.ledger.put(breakerKey, { ...breaker, referencePrice });
  }
  const bookKey = keys.book(ctx.stub, shareClass.id);
  const book = await ctx.ledger.get<BookEpoch>(bookKey);
  if (book?.lastPrice !== undefined) {
    await ctx.ledger.put(bookKey, { ...book, lastPrice: splitPrice(BigInt(book.lastPrice), n, m).toString() });
  }
}
