/** An open order as matching sees it: public fields only (the owner is in its operator's collection). */
export interface BookOrder {
  readonly id: string;
  readonly side: 'BUY' | 'SELL';
  readonly price: bigint;
  readonly remaining: bigint;
  /** Placement time (transaction timestamp, epoch seconds); ties broken by id. */
  readonly at: number;
}

export interface Fill {
  readonly buyId: string;
  readonly sellId: string;
  readonly price: bigint;
  readonly quantity: bigint;
}

export interface MatchResult {
  readonly fills: Fill[];
  /** The price of the first cross that fell outside the band; matching stopped before it. */
  readonly breach?: bigint;
}

const earlier = (a: BookOrder, b: BookOrder) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Price-time priority: best price first, then the earlier order (by ledger time, then id). */
export function sortBook(orders: readonly BookOrder[]): { bids: BookOrder[]; asks: BookOrder[] } {
  const bids = orders
    .filter((o) => o.side === 'BUY')
    .sort((a, b) => (a.price === b.price ? earlier(a, b) : a.price > b.price ? -1 : 1));
  const asks = orders
    .filter((o) => o.side === 'SELL')
    .sort((a, b) => (a.price === b.price ? earlier(a, b) : a.price < b.price ? -1 : 1));
  return { bids, asks };
}

/**
 * Crosses the book deterministically: while the best bid meets the best ask, trade the smaller remaining
 * quantity at the price of whichever order was resting first. Every peer computes the same fills from the
 * same public book; no client chooses the order in which orders meet.
 */
export function match(
  orders: readonly BookOrder[],
  maxFills: number,
  withinBand: (price: bigint) => boolean,
): MatchResult {
  const { bids, asks } = sortBook(orders);
  const left = new Map(orders.map((o) => [o.id, o.remaining]));
  const fills: Fill[] = [];
  let b = 0;
  let a = 0;
  while (fills.length < maxFills && b < bids.length && a < asks.length) {
    const bid = bids[b] as BookOrder;
    const ask = asks[a] as BookOrder;
    if (bid.price < ask.price) break;
    const price = earlier(bid, ask) <= 0 ? bid.price : ask.price;
    if (!withinBand(price)) return { fills, breach: price };
    const qb = left.get(bid.id) ?? 0n;
    const qa = left.get(ask.id) ?? 0n;
    const quantity = qb < qa ? qb : qa;
    fills.push({ buyId: bid.id, sellId: ask.id, price, quantity });
    left.set(bid.id, qb - quantity);
    left.set(ask.id, qa - quantity);
    if (qb - quantity === 0n) b += 1;
    if (qa - quantity === 0n) a += 1;
  }
  return { fills };
}

/** Is a price within `bandBps` basis points of the reference price? */
export function inBand(price: bigint, reference: bigint, bandBps: number): boolean {
  const diff = price > reference ? price - reference : reference - price;
  return diff * 10_000n <= reference * BigInt(bandBps);
}
