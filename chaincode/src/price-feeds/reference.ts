import type { PriceQuote, ReferenceSource } from '@ecf/common';

export interface FeedRules {
  staleSeconds: number;
  minFeeds: number;
  outlierBps: number;
}

export interface Reference {
  source: ReferenceSource;
  price?: bigint;
  fresh: string[];
  used: string[];
  stale: string[];
}

/** The median of a non-empty list; of an even count, the mean of the two middle values, rounded down. */
export function median(values: readonly bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] as bigint;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] as bigint) + hi) / 2n;
}

/**
 * The reference price (decision 56). A quote counts if its provider is active and it was posted within
 * `staleSeconds` of now (transaction times). The filter: take the median of every fresh quote and drop
 * those further from it than `outlierBps`; the reference is the median of the rest. With fewer than
 * `minFeeds` left, it is the last trade, and with no trade either there is none (the breaker keeps its own).
 * One feed posting a price 50% off moves the first median at most to its neighbour, and is then dropped;
 * when most feeds move, the first median moves with them and the ones left behind are dropped instead.
 */
export function referencePrice(
  quotes: readonly PriceQuote[],
  active: ReadonlySet<string>,
  rules: FeedRules,
  now: number,
  lastTrade: bigint | undefined,
): Reference {
  const isFresh = (q: PriceQuote) => active.has(q.providerId) && q.at + rules.staleSeconds >= now;
  const fresh = quotes.filter(isFresh);
  const stale = quotes.filter((q) => !isFresh(q)).map((q) => q.providerId);
  let used: PriceQuote[] = [];
  if (fresh.length > 0) {
    const centre = median(fresh.map((q) => BigInt(q.price)));
    used = fresh.filter((q) => {
      const d = BigInt(q.price) - centre;
      return (d < 0n ? -d : d) * 10000n <= BigInt(rules.outlierBps) * centre;
    });
  }
  const base = { fresh: fresh.map((q) => q.providerId), used: used.map((q) => q.providerId), stale };
  if (used.length >= rules.minFeeds && used.length > 0)
    return { ...base, source: 'FEEDS', price: median(used.map((q) => BigInt(q.price))) };
  if (lastTrade !== undefined) return { ...base, source: 'LAST_TRADE', price: lastTrade };
  return { ...base, source: 'NONE' };
}
