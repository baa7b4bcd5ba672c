import { createHash } from 'node:crypto';

/** An open order as matching sees it: public fields only (the owner is in its operator's collection). */
export interface BookOrder {
  readonly id: string;
  readonly side: 'BUY' | 'SELL';
  readonly price: bigint;
  readonly remaining: bigint;
  /**
   * The book epoch the order was placed in (decision 34): one more than the Matches of its class before it.
   * Orders from before epochs count as 0. The transaction timestamp plays no part, since the client sets it.
   */
  readonly epoch: number;
}

export interface Fill {
  readonly buyId: string;
  readonly sellId: string;
  readonly price: bigint;
  readonly quantity: bigint;
}

export interface MatchOptions {
  /** At most this many fills: each is a delivery-versus-payment settlement inside one transaction. */
  readonly maxFills: number;
  /** May a trade execute at this price (the circuit breaker's band)? */
  readonly withinBand: (price: bigint) => boolean;
  /** Orders of one epoch that trade with each other take, of the prices they all accept, the nearest to this. */
  readonly reference?: bigint;
  /** Salts the order in which a pro-rata split hands out its odd units: the Match's transaction id. */
  readonly salt: string;
}

export interface MatchResult {
  readonly fills: Fill[];
  /** The price of the first cross that fell outside the band; matching stopped before it. */
  readonly breach?: bigint;
}

/** The orders of one side at one price placed in one epoch: none of them ranks before another. */
interface Level {
  readonly price: bigint;
  readonly epoch: number;
  /** In draw order (sha256 of salt and id), which only hands out the odd units of a pro-rata split. */
  readonly ids: string[];
}

type Trade = { buyId: string; sellId: string; quantity: bigint };

/** One bid level against one ask level: every trade in it has the same price. */
interface Step {
  readonly bid: Level;
  readonly ask: Level;
  readonly trades: Trade[];
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** Priority: the better price, then the earlier epoch. */
export function ranksBefore(side: 'BUY' | 'SELL', a: { price: bigint; epoch: number }, b: typeof a): number {
  if (a.price !== b.price) return (side === 'BUY' ? a.price > b.price : a.price < b.price) ? -1 : 1;
  return a.epoch - b.epoch;
}

function levels(orders: readonly BookOrder[], side: 'BUY' | 'SELL', salt: string): Level[] {
  const byLevel = new Map<string, BookOrder[]>();
  for (const o of orders) {
    if (o.side !== side || o.remaining <= 0n) continue;
    const key = `${o.price}/${o.epoch}`;
    const level = byLevel.get(key);
    if (level) level.push(o);
    else byLevel.set(key, [o]);
  }
  return [...byLevel.values()].map((level) => levelOf(level, salt)).sort((a, b) => ranksBefore(side, a, b));
}

/** One level from its orders (one side, one price, one epoch, each with something left), ids in draw order. */
function levelOf(orders: readonly BookOrder[], salt: string): Level {
  const first = orders[0] as BookOrder;
  // Unknown until the Match is proposed, so a placer cannot pick an id that draws early.
  const draw = new Map(
    orders.map((o) => [o.id, createHash('sha256').update(salt).update('\u0000').update(o.id).digest('hex')]),
  );
  const order = (a: string, b: string) => {
    const da = draw.get(a) as string;
    const db = draw.get(b) as string;
    return da < db ? -1 : da > db ? 1 : a < b ? -1 : a > b ? 1 : 0;
  };
  return { price: first.price, epoch: first.epoch, ids: orders.map((o) => o.id).sort(order) };
}

/**
 * Splits `quantity` among a level's orders pro rata to what each has left, by cumulative rounding (as the
 * campaign allocation does): each gets its exact share rounded down or up, and the shares sum to `quantity`.
 */
function split(level: Level, left: Map<string, bigint>, quantity: bigint): Array<[string, bigint]> {
  const total = level.ids.reduce((s, id) => s + (left.get(id) ?? 0n), 0n);
  const out: Array<[string, bigint]> = [];
  let cumulative = 0n;
  for (const id of level.ids) {
    const before = (cumulative * quantity) / total;
    cumulative += left.get(id) ?? 0n;
    const share = (cumulative * quantity) / total - before;
    if (share > 0n) out.push([id, share]);
  }
  return out;
}

/** Pairs the buy shares with the sell shares into bilateral trades (DvP settles pairs). */
function trades(bid: Level, ask: Level, left: Map<string, bigint>, quantity: bigint): Trade[] {
  const buys = split(bid, left, quantity);
  const sells = split(ask, left, quantity);
  const out: Trade[] = [];
  let i = 0;
  let j = 0;
  while (i < buys.length && j < sells.length) {
    const buy = buys[i] as [string, bigint];
    const sell = sells[j] as [string, bigint];
    const q = min(buy[1], sell[1]);
    out.push({ buyId: buy[0], sellId: sell[0], quantity: q });
    buy[1] -= q;
    sell[1] -= q;
    if (buy[1] === 0n) i += 1;
    if (sell[1] === 0n) j += 1;
  }
  return out;
}

/**
 * The price of each step. Between epochs, the earlier order rests and trades at its own limit. Within an
 * epoch no order rests: every trade between two orders of epoch e in this Match is at one price, taken from
 * the prices all of them accept (the highest of their ask limits to the lowest of their bid limits, which is
 * the set of prices at which the batch's volume is reached) as the one nearest the reference, or the lowest
 * when there is no reference.
 */
function prices(steps: readonly Step[], reference: bigint | undefined): bigint[] {
  const bounds = new Map<number, { lo: bigint; hi: bigint }>();
  for (const { bid, ask } of steps) {
    if (bid.epoch !== ask.epoch) continue;
    const b = bounds.get(bid.epoch);
    bounds.set(bid.epoch, {
      lo: b && b.lo > ask.price ? b.lo : ask.price,
      hi: b && b.hi < bid.price ? b.hi : bid.price,
    });
  }
  return steps.map(({ bid, ask }) => {
    if (bid.epoch < ask.epoch) return bid.price;
    if (ask.epoch < bid.epoch) return ask.price;
    // Non-empty: prices only worsen along the walk, so the last step of the epoch bounds both ends.
    const { lo, hi } = bounds.get(bid.epoch) as { lo: bigint; hi: bigint };
    if (reference === undefined || reference <= lo) return lo;
    return reference >= hi ? hi : reference;
  });
}

/**
 * Crosses the book deterministically, from the same public book on every peer. Priority is price, then book
 * epoch; orders at one price and epoch share what reaches them pro rata. No client can buy priority with a
 * transaction timestamp or an id, and the price of a trade between two orders of one epoch does not depend on
 * which was placed first.
 */
export function match(orders: readonly BookOrder[], options: MatchOptions): MatchResult {
  const bids = levels(orders, 'BUY', options.salt);
  const asks = levels(orders, 'SELL', options.salt);
  const walk = new Walk(options.maxFills);
  for (const o of orders) walk.left.set(o.id, o.remaining);
  let b = 0;
  let a = 0;
  while (walk.budget > 0 && b < bids.length && a < asks.length) {
    const bid = bids[b] as Level;
    const ask = asks[a] as Level;
    if (bid.price < ask.price) break;
    walk.cross(bid, ask);
    if (walk.rest(bid) === 0n) b += 1;
    if (walk.rest(ask) === 0n) a += 1;
  }
  return finish(walk.steps, options);
}

/**
 * The next level of one side of an indexed book, best first (price, then epoch): its open orders, all of one
 * price and epoch. Undefined once the side has no more.
 */
export type LevelSource = (side: 'BUY' | 'SELL') => Promise<readonly BookOrder[] | undefined>;

/**
 * The same walk as `match`, over a book read one level at a time (decision 58): a side's next level is
 * asked for only when the walk has used up the one before, so a Match reads the levels it trades in and the
 * first one of each side it does not reach, whatever else rests on the book. Fills are those `match` gives
 * on the whole book.
 */
export async function matchLevels(next: LevelSource, options: MatchOptions): Promise<MatchResult> {
  const walk = new Walk(options.maxFills);
  const load = async (side: 'BUY' | 'SELL'): Promise<Level | undefined> => {
    for (;;) {
      const orders = (await next(side))?.filter((o) => o.remaining > 0n);
      if (!orders) return undefined;
      if (orders.length === 0) continue;
      for (const o of orders) walk.left.set(o.id, o.remaining);
      return levelOf(orders, options.salt);
    }
  };
  let bid = await load('BUY');
  let ask = bid && (await load('SELL'));
  while (walk.budget > 0 && bid && ask) {
    if (bid.price < ask.price) break;
    walk.cross(bid, ask);
    if (walk.budget === 0) break;
    if (walk.rest(bid) === 0n) bid = await load('BUY');
    if (walk.rest(ask) === 0n && bid) ask = await load('SELL');
  }
  return finish(walk.steps, options);
}

/** What a walk down the book has done so far: its steps, what each order has left, the fills still allowed. */
class Walk {
  readonly steps: Step[] = [];
  readonly left = new Map<string, bigint>();
  constructor(public budget: number) {}

  rest(level: Level): bigint {
    return level.ids.reduce((s, id) => s + (this.left.get(id) ?? 0n), 0n);
  }

  /** Trades one bid level against one ask level as far as both and the budget go. */
  cross(bid: Level, ask: Level): void {
    const open = min(this.rest(bid), this.rest(ask));
    let step = trades(bid, ask, this.left, open);
    if (step.length > this.budget) {
      // More fills than this Match may settle: trade less, still pro rata, and leave the rest to the next
      // Match. With q units at most q orders a side get one, so q = ⌈budget/2⌉ always fits (≤ 2q − 1 fills).
      let lo = BigInt(Math.ceil(this.budget / 2));
      let hi = open;
      while (hi - lo > 1n) {
        const mid = (lo + hi) / 2n;
        if (trades(bid, ask, this.left, mid).length <= this.budget) lo = mid;
        else hi = mid;
      }
      step = trades(bid, ask, this.left, lo);
      this.budget = 0;
    } else this.budget -= step.length;
    for (const t of step) {
      this.left.set(t.buyId, (this.left.get(t.buyId) ?? 0n) - t.quantity);
      this.left.set(t.sellId, (this.left.get(t.sellId) ?? 0n) - t.quantity);
    }
    this.steps.push({ bid, ask, trades: step });
  }
}

/**
 * Stop before the first step outside the band. Dropping steps can only widen an epoch's range of prices, so
 * its price moves nearer the reference; the loop still re-checks, and ends because the prefix shrinks.
 */
function finish(steps: readonly Step[], options: MatchOptions): MatchResult {
  let n = steps.length;
  let breach: bigint | undefined;
  for (;;) {
    const done = steps.slice(0, n);
    const priced = prices(done, options.reference);
    const k = priced.findIndex((p) => !options.withinBand(p));
    if (k < 0) {
      const fills = done.flatMap((s, i) =>
        s.trades.map((t) => ({ buyId: t.buyId, sellId: t.sellId, price: priced[i] as bigint, quantity: t.quantity })),
      );
      return breach === undefined ? { fills } : { fills, breach };
    }
    breach = priced[k];
    n = k;
  }
}

/** Is a price within `bandBps` basis points of the reference price? */
export function inBand(price: bigint, reference: bigint, bandBps: number): boolean {
  const diff = price > reference ? price - reference : reference - price;
  return diff * 10_000n <= reference * BigInt(bandBps);
}
