import type { BookEpoch, FeedConfig, PriceProvider, PriceQuote } from '@ecf/common';
import type { MarketContext } from '../context';
import { keys, KeyType } from '../ledger/keys';
import { referencePrice, type Reference } from './reference';

/**
 * The class's reference from its feeds, as of this transaction; undefined when the regulator has not set
 * feeds up for the class. Reads every quote of the class (a public range read, one key per provider), so
 * a quote posted in the same block as a Match makes the Match retry, never read a half-posted set.
 */
export async function feedReference(ctx: MarketContext, classId: string): Promise<Reference | undefined> {
  const config = await ctx.ledger.get<FeedConfig>(keys.priceConfig(ctx.stub, classId));
  if (!config) return undefined;
  const quotes = (await ctx.ledger.list<PriceQuote>(KeyType.PRICE_QUOTE, [classId])).map((e) => e.value);
  const active = new Set<string>();
  for (const q of quotes) {
    const p = await ctx.ledger.get<PriceProvider>(keys.priceProvider(ctx.stub, q.providerId));
    if (p?.active) active.add(q.providerId);
  }
  const book = await ctx.ledger.get<BookEpoch>(keys.book(ctx.stub, classId));
  const lastTrade = book?.lastPrice === undefined ? undefined : BigInt(book.lastPrice);
  return referencePrice(quotes, active, config, ctx.ledger.now, lastTrade);
}
