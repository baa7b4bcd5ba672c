import { KeyType, RECORD_VERSION, type Order } from '@ecf/common';
import type { MarketContext } from '../context';
import { keys } from '../ledger/keys';
import type { BookOrder } from './matching';

/** Orders placed before book epochs existed rank before every order placed since (decision 34). */
export const LEGACY_EPOCH = 0;

/** Digits of the largest price (2^63 − 1 has 19), so every price key has one width and sorts as a number. */
const PRICE_DIGITS = 20;
const PRICE_TOP = 10n ** BigInt(PRICE_DIGITS) - 1n;
/** Epochs and expiry times (epoch seconds up to year 3000 have 11 digits). */
const SEQ_DIGITS = 12;

/** What an index entry holds: what the order has left, so a walk needs no other read to split a level. */
interface IndexEntry {
  v: number;
  remaining: string;
}

/** A bid's price key is inverted, so the best price of either side sorts first in a range read. */
export function priceKey(side: 'BUY' | 'SELL', price: bigint): string {
  return (side === 'BUY' ? PRICE_TOP - price : price).toString().padStart(PRICE_DIGITS, '0');
}

const seqKey = (n: number) => String(n).padStart(SEQ_DIGITS, '0');

const indexKey = (ctx: MarketContext, o: Order) =>
  keys.orderIndex(ctx.stub, o.classId, o.side, priceKey(o.side, BigInt(o.price)), seqKey(epochOf(o)), o.id);

export function epochOf(order: Order): number {
  return order.epoch ?? LEGACY_EPOCH;
}

/** Puts an open order (or what is left of it) in its class's matching index. */
export async function indexOrder(ctx: MarketContext, order: Order): Promise<void> {
  const entry: IndexEntry = { v: RECORD_VERSION, remaining: order.remaining };
  await ctx.ledger.put(indexKey(ctx, order), entry);
  if (order.expiresAt !== undefined)
    await ctx.ledger.put(keys.orderExpiry(ctx.stub, order.classId, seqKey(order.expiresAt), order.id), entry);
}

/** Takes a closed order (filled, cancelled, expired) out of the index. */
export async function unindexOrder(ctx: MarketContext, order: Order): Promise<void> {
  await ctx.ledger.delete(indexKey(ctx, order));
  if (order.expiresAt !== undefined)
    await ctx.ledger.delete(keys.orderExpiry(ctx.stub, order.classId, seqKey(order.expiresAt), order.id));
}

/**
 * One side of a class's indexed book, a level at a time (one price and epoch), best first. A level is known
 * to be complete only once the first key of the next one is read, so a walk reads one key past its last level.
 */
export async function* indexedLevels(
  ctx: MarketContext,
  classId: string,
  side: 'BUY' | 'SELL',
): AsyncGenerator<BookOrder[]> {
  let level: BookOrder[] = [];
  let at = '';
  for await (const { attrs, value } of ctx.ledger.scan<IndexEntry>(KeyType.ORDER_INDEX, [classId, side])) {
    const [, , price, epoch, id] = attrs as [string, string, string, string, string];
    if (`${price}/${epoch}` !== at && level.length > 0) {
      yield level;
      level = [];
    }
    at = `${price}/${epoch}`;
    const p = BigInt(price);
    level.push({
      id,
      side,
      price: side === 'BUY' ? PRICE_TOP - p : p,
      remaining: BigInt(value?.remaining ?? '0'),
      epoch: Number(epoch),
    });
  }
  if (level.length > 0) yield level;
}

/** The ids of a class's open orders whose expiry time is at or before `now`, earliest first. */
export async function* lapsedOrders(ctx: MarketContext, classId: string, now: number): AsyncGenerator<string> {
  for await (const { attrs } of ctx.ledger.scan(KeyType.ORDER_EXPIRY, [classId])) {
    const [, expiresAt, id] = attrs as [string, string, string];
    if (Number(expiresAt) > now) return;
    yield id;
  }
}
