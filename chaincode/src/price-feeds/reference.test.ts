import { expect } from 'chai';
import fc from 'fast-check';
import type { PriceQuote } from '@ecf/common';
import { median, referencePrice } from './reference';

const NOW = 10_000;
const RULES = { staleSeconds: 60, minFeeds: 2, outlierBps: 2000 };
const quote = (providerId: string, price: number, age = 0): PriceQuote => ({
  v: 1,
  classId: 'C',
  providerId,
  price: String(price),
  at: NOW - age,
  txId: `tx-${providerId}`,
});
const ALL = new Set(['a', 'b', 'c', 'd']);

describe('reference price from several feeds', () => {
  it('ignores one feed 50% off: the median stays and the outlier is dropped', () => {
    const r = referencePrice([quote('a', 100), quote('b', 101), quote('c', 50)], ALL, RULES, NOW, undefined);
    expect(r).to.deep.include({ source: 'FEEDS', price: 100n, used: ['a', 'b'] });
  });

  it('follows a majority of feeds that move together', () => {
    const r = referencePrice([quote('a', 150), quote('b', 152), quote('c', 100)], ALL, RULES, NOW, 100n);
    expect(r).to.deep.include({ source: 'FEEDS', price: 151n, used: ['a', 'b'] });
  });

  it('ignores stale and retired feeds, and falls back to the last trade below the minimum', () => {
    const quotes = [quote('a', 100), quote('b', 100, 61), quote('x', 100)];
    const r = referencePrice(quotes, ALL, RULES, NOW, 97n);
    expect(r).to.deep.include({ source: 'LAST_TRADE', price: 97n, stale: ['b', 'x'], fresh: ['a'] });
    expect(referencePrice(quotes, ALL, RULES, NOW, undefined).source).to.equal('NONE');
  });

  it('median of an even count is the mean of the middle two, rounded down', () => {
    expect(median([4n, 1n, 3n, 2n])).to.equal(2n);
    expect(median([7n])).to.equal(7n);
  });

  it('property: a minority of arbitrary feeds cannot move the reference outside the honest quotes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 90, max: 110 }), { minLength: 3, maxLength: 7 }),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 3 }),
        (honest, rogue) => {
          fc.pre(rogue.length < honest.length);
          const quotes = [...honest.map((p, i) => quote(`h${i}`, p)), ...rogue.map((p, i) => quote(`r${i}`, p))];
          const active = new Set(quotes.map((q) => q.providerId));
          const r = referencePrice(quotes, active, { ...RULES, minFeeds: 1 }, NOW, undefined);
          expect(r.source).to.equal('FEEDS');
          expect(Number(r.price)).to.be.within(Math.min(...honest), Math.max(...honest));
        },
      ),
    );
  });
});
