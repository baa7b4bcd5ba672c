import { expect } from 'chai';
import fc from 'fast-check';
import { priceKey } from './book-index';
import { inBand, match, matchLevels, ranksBefore, type BookOrder, type MatchOptions } from './matching';

/**
 * The indexed engine (decision 58) against the full-book matcher: the book is handed over a level at a time,
 * in the order of the index's keys, as Match reads it.
 */
const order = fc.record({
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  price: fc.integer({ min: 90, max: 110 }),
  qty: fc.integer({ min: 1, max: 30 }),
  epoch: fc.integer({ min: 0, max: 4 }),
});
const books = fc.array(order, { maxLength: 60 }).map((raw) =>
  raw.map((r, i): BookOrder => ({
    id: `o${String(i).padStart(2, '0')}`,
    side: r.side,
    price: BigInt(r.price),
    remaining: BigInt(r.qty),
    epoch: r.epoch,
  })),
);
const settings = fc.record({
  maxFills: fc.integer({ min: 1, max: 60 }),
  reference: fc.option(fc.integer({ min: 85, max: 115 }).map(BigInt), { nil: undefined }),
  bandBps: fc.option(fc.integer({ min: 100, max: 800 }), { nil: undefined }),
  salt: fc.string(),
});
const optionsOf = (s: { maxFills: number; reference?: bigint; bandBps?: number; salt: string }): MatchOptions => ({
  maxFills: s.maxFills,
  reference: s.reference,
  withinBand: (p) => s.bandBps === undefined || inBand(p, s.reference ?? 100n, s.bandBps),
  salt: s.salt,
});

/** One side's levels in index key order (price key, then epoch, then id), as `indexedLevels` yields them. */
function indexLevels(book: readonly BookOrder[], side: 'BUY' | 'SELL'): BookOrder[][] {
  const key = (o: BookOrder) => `${priceKey(side, o.price)}/${String(o.epoch).padStart(12, '0')}/${o.id}`;
  const sorted = book.filter((o) => o.side === side).sort((a, b) => (key(a) < key(b) ? -1 : 1));
  const out: BookOrder[][] = [];
  for (const o of sorted) {
    const last = out[out.length - 1];
    if (last?.[0]?.price === o.price && last[0].epoch === o.epoch) last.push(o);
    else out.push([o]);
  }
  return out;
}

/** Runs the indexed engine over a book, counting the levels it asks for. */
async function indexed(book: readonly BookOrder[], options: MatchOptions) {
  const levels = { BUY: indexLevels(book, 'BUY'), SELL: indexLevels(book, 'SELL') };
  const asked = { BUY: 0, SELL: 0 };
  const result = await matchLevels(async (side) => levels[side][asked[side]++], options);
  return { result, asked, levels };
}

describe('matching over the index, a level at a time (decision 58)', () => {
  it('sorts price keys best first on each side, at every width up to 2^63 − 1', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('BUY' as const, 'SELL' as const),
        fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }),
        fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }),
        (side, a, b) => {
          const byKey = priceKey(side, a) < priceKey(side, b) ? -1 : priceKey(side, a) > priceKey(side, b) ? 1 : 0;
          expect(byKey).to.equal(Math.sign(ranksBefore(side, { price: a, epoch: 0 }, { price: b, epoch: 0 })));
          expect(priceKey(side, a)).to.have.length(20);
        },
      ),
      { numRuns: 500, seed: 58 },
    );
  });

  it('gives the same fills and breach as the full-book matcher on random books', async () => {
    await fc.assert(
      fc.asyncProperty(books, settings, async (book, s) => {
        const { result } = await indexed(book, optionsOf(s));
        expect(result).to.deep.equal(match(book, optionsOf(s)));
      }),
      { numRuns: 500, seed: 581 },
    );
  });

  it('is deterministic: the same book and salt give the same fills, whatever order the book was built in', async () => {
    await fc.assert(
      fc.asyncProperty(
        books.chain((book) => fc.tuple(fc.constant(book), fc.shuffledSubarray(book, { minLength: book.length }))),
        settings,
        async ([book, shuffled], s) => {
          const a = await indexed(book, optionsOf(s));
          const b = await indexed(shuffled, optionsOf(s));
          expect(b.result).to.deep.equal(a.result);
          expect(b.asked).to.deep.equal(a.asked);
        },
      ),
      { numRuns: 300, seed: 582 },
    );
  });

  it('asks for a side’s next level only once the walk has used up the one before', async () => {
    await fc.assert(
      fc.asyncProperty(books, settings, async (book, s) => {
        const { asked, levels } = await indexed(book, optionsOf(s));
        // The band only cuts the walk's steps afterwards, so the walk itself is the one without a band.
        const walked = match(book, optionsOf({ ...s, bandBps: undefined }));
        const traded = new Set(walked.fills.flatMap((f) => [f.buyId, f.sellId]));
        for (const side of ['BUY', 'SELL'] as const) {
          // The levels with a fill form a prefix; beyond it the walk read only the one that stopped it (or
          // found the side's end).
          const reached = levels[side].filter((l) => l.some((o) => traded.has(o.id))).length;
          expect(asked[side], side).to.be.at.most(reached + 1);
        }
      }),
      { numRuns: 400, seed: 583 },
    );
  });

  it('reads two levels of a deep book that does not cross, and none of a side that is empty', async () => {
    const deep: BookOrder[] = [];
    for (let i = 0; i < 500; i += 1) {
      deep.push({ id: `s${i}`, side: 'SELL', price: BigInt(200 + i), remaining: 1n, epoch: 1 });
      deep.push({ id: `b${i}`, side: 'BUY', price: BigInt(100 - (i % 90)), remaining: 1n, epoch: 1 + (i % 3) });
    }
    const opts = optionsOf({ maxFills: 50, salt: 'x' });
    expect((await indexed(deep, opts)).asked).to.deep.equal({ BUY: 1, SELL: 1 });
    const bidsOnly = deep.filter((o) => o.side === 'BUY');
    expect((await indexed(bidsOnly, opts)).asked).to.deep.equal({ BUY: 1, SELL: 1 });
    expect((await indexed([], opts)).asked).to.deep.equal({ BUY: 1, SELL: 0 });
  });
});
