import { expect } from 'chai';
import fc from 'fast-check';
import { inBand, match, ranksBefore, type BookOrder, type Fill, type MatchOptions } from './matching';

const o = (id: string, side: 'BUY' | 'SELL', price: number, qty: number, epoch: number): BookOrder => ({
  id,
  side,
  price: BigInt(price),
  remaining: BigInt(qty),
  epoch,
});

const opts = (extra: Partial<MatchOptions> = {}): MatchOptions => ({
  maxFills: 1000,
  withinBand: () => true,
  salt: 'match-tx',
  ...extra,
});

const view = (fills: Fill[]) => fills.map((f) => [f.buyId, f.sellId, Number(f.price), Number(f.quantity)]);

/** Units each order filled. */
const filledBy = (fills: Fill[]) => {
  const filled = new Map<string, bigint>();
  for (const f of fills) {
    filled.set(f.buyId, (filled.get(f.buyId) ?? 0n) + f.quantity);
    filled.set(f.sellId, (filled.get(f.sellId) ?? 0n) + f.quantity);
  }
  return filled;
};

describe('matching: price, then book epoch; one price within an epoch; pro rata within a level', () => {
  it('fills the best price first, then the earlier epoch, at the resting order’s price, with partial fills', () => {
    const r = match(
      [o('s1', 'SELL', 101, 5, 1), o('s2', 'SELL', 100, 3, 2), o('s3', 'SELL', 100, 4, 1), o('b1', 'BUY', 102, 10, 3)],
      opts(),
    );
    expect(view(r.fills)).to.deep.equal([
      ['b1', 's3', 100, 4],
      ['b1', 's2', 100, 3],
      ['b1', 's1', 101, 3],
    ]);
  });

  it('trades a new order against an older resting one at the resting order’s price, whichever side rests', () => {
    expect(Number(match([o('b1', 'BUY', 105, 2, 1), o('s1', 'SELL', 100, 2, 2)], opts()).fills[0]?.price)).to.equal(
      105,
    );
    expect(Number(match([o('b1', 'BUY', 105, 2, 2), o('s1', 'SELL', 100, 2, 1)], opts()).fills[0]?.price)).to.equal(
      100,
    );
  });

  it('prices a cross within one epoch without a resting side: nearest the reference, else the lowest accepted', () => {
    const book = [o('s1', 'SELL', 100, 2, 4), o('b1', 'BUY', 105, 2, 4)];
    expect(Number(match(book, opts()).fills[0]?.price)).to.equal(100);
    expect(Number(match(book, opts({ reference: 103n })).fills[0]?.price)).to.equal(103);
    expect(Number(match(book, opts({ reference: 90n })).fills[0]?.price)).to.equal(100);
    expect(Number(match(book, opts({ reference: 200n })).fills[0]?.price)).to.equal(105);
  });

  it('gives every trade between orders of one epoch the same price, inside every one of their limits', () => {
    const r = match(
      [
        o('b1', 'BUY', 110, 1, 2),
        o('b2', 'BUY', 106, 1, 2),
        o('b3', 'BUY', 105, 1, 2),
        o('s1', 'SELL', 99, 1, 2),
        o('s0', 'SELL', 101, 1, 1), // an older order rests: it trades at its own price
        o('s2', 'SELL', 103, 1, 2),
      ],
      opts({ reference: 108n }),
    );
    // Epoch 2's trades accept 103…105; 105 is nearest the reference. b3 never pays above its limit.
    expect(view(r.fills)).to.deep.equal([
      ['b1', 's1', 105, 1],
      ['b2', 's0', 101, 1],
      ['b3', 's2', 105, 1],
    ]);
  });

  it('splits a level pro rata to what each order has left; no order outranks another in it', () => {
    const r = match([o('s1', 'SELL', 100, 30, 1), o('s2', 'SELL', 100, 10, 1), o('b1', 'BUY', 100, 20, 2)], opts());
    const filled = filledBy(r.fills);
    expect([filled.get('s1'), filled.get('s2')]).to.deep.equal([15n, 5n]);
  });

  it('hands the odd unit of a split by a draw the Match salts, never by the order id', () => {
    const book = [o('s1', 'SELL', 100, 1, 1), o('s2', 'SELL', 100, 1, 1), o('b1', 'BUY', 100, 1, 2)];
    const winners = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((salt) => match(book, opts({ salt })).fills[0]?.sellId));
    expect([...winners].sort()).to.deep.equal(['s1', 's2']);
  });

  it('keeps to maxFills by trading less of a crowded level, still pro rata, and always makes progress', () => {
    const book = [
      ...Array.from({ length: 9 }, (_, i) => o(`s${i}`, 'SELL', 100, 1, 1)),
      ...Array.from({ length: 9 }, (_, i) => o(`b${i}`, 'BUY', 100, 1, 1)),
    ];
    for (const maxFills of [1, 2, 3, 8]) {
      const r = match(book, opts({ maxFills }));
      expect(r.fills.length).to.be.within(1, maxFills);
    }
  });

  it('stops before a price outside the band and reports it', () => {
    const r = match(
      [o('b1', 'BUY', 200, 1, 1), o('s1', 'SELL', 100, 1, 2)],
      opts({ withinBand: (p) => inBand(p, 100n, 1000) }),
    );
    expect(r.fills).to.deep.equal([]);
    expect(r.breach).to.equal(200n);
  });

  it('prices a batch inside the band when any price its orders accept is inside it', () => {
    const r = match(
      [o('b1', 'BUY', 200, 1, 1), o('s1', 'SELL', 100, 1, 1)],
      opts({ reference: 100n, withinBand: (p) => inBand(p, 100n, 1000) }),
    );
    expect(view(r.fills)).to.deep.equal([['b1', 's1', 100, 1]]);
    expect(r.breach).to.equal(undefined);
  });

  describe('properties over random books (fast-check)', () => {
    const order = fc.record({
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      price: fc.integer({ min: 95, max: 105 }),
      qty: fc.integer({ min: 1, max: 30 }),
      epoch: fc.integer({ min: 0, max: 3 }),
    });
    const books = fc
      .array(order, { maxLength: 40 })
      .map((raw) => raw.map((r, i) => o(`o${String(i).padStart(2, '0')}`, r.side, r.price, r.qty, r.epoch)));
    const settings = fc.record({
      maxFills: fc.integer({ min: 1, max: 60 }),
      reference: fc.option(fc.integer({ min: 90, max: 110 }).map(BigInt), { nil: undefined }),
      bandBps: fc.option(fc.integer({ min: 100, max: 800 }), { nil: undefined }),
    });
    const optionsOf = (s: { maxFills: number; reference?: bigint; bandBps?: number }): MatchOptions =>
      opts({
        maxFills: s.maxFills,
        reference: s.reference,
        withinBand: (p) => s.bandBps === undefined || inBand(p, s.reference ?? 100n, s.bandBps),
      });

    it('gives the same fills for the same book in any placement order', () => {
      fc.assert(
        fc.property(
          books.chain((book) =>
            fc.tuple(fc.constant(book), fc.shuffledSubarray(book, { minLength: book.length, maxLength: book.length })),
          ),
          settings,
          ([book, shuffled], s) => {
            expect(match(shuffled, optionsOf(s))).to.deep.equal(match(book, optionsOf(s)));
          },
        ),
        { numRuns: 300, seed: 11 },
      );
    });

    it('conserves units and money, fills no order beyond what it has left, and respects every limit', () => {
      fc.assert(
        fc.property(books, settings, (book, s) => {
          const r = match(book, optionsOf(s));
          expect(r.fills.length).to.be.at.most(s.maxFills);
          const byId = new Map(book.map((x) => [x.id, x]));
          let unitsBought = 0n;
          let unitsSold = 0n;
          let paid = 0n;
          let received = 0n;
          for (const f of r.fills) {
            const buy = byId.get(f.buyId) as BookOrder;
            const sell = byId.get(f.sellId) as BookOrder;
            expect([buy.side, sell.side]).to.deep.equal(['BUY', 'SELL']);
            expect(f.quantity > 0n).to.equal(true);
            expect(buy.price >= f.price && f.price >= sell.price, 'within both limits').to.equal(true);
            unitsBought += f.quantity;
            unitsSold += f.quantity;
            paid += f.quantity * f.price;
            received += f.quantity * f.price;
            // What the buyer escrowed covers what it pays; the rest is refunded.
            expect(f.quantity * buy.price >= f.quantity * f.price).to.equal(true);
          }
          expect(unitsBought).to.equal(unitsSold);
          expect(paid).to.equal(received);
          const filled = filledBy(r.fills);
          for (const x of book) expect((filled.get(x.id) ?? 0n) <= x.remaining).to.equal(true);
          if (r.breach !== undefined) expect(optionsOf(s).withinBand(r.breach)).to.equal(false);
          for (const f of r.fills) expect(optionsOf(s).withinBand(f.price)).to.equal(true);
        }),
        { numRuns: 400, seed: 12 },
      );
    });

    it('ranks by price, then epoch: an order fills only once every better-ranked order on its side has filled', () => {
      fc.assert(
        fc.property(books, settings, (book, s) => {
          const filled = filledBy(match(book, optionsOf(s)).fills);
          for (const x of book) {
            if (!filled.has(x.id)) continue;
            for (const y of book) {
              if (y.side === x.side && ranksBefore(y.side, y, x) < 0)
                expect(filled.get(y.id) ?? 0n, `${y.id} ranks before ${x.id}`).to.equal(y.remaining);
            }
          }
        }),
        { numRuns: 400, seed: 13 },
      );
    });

    it('prices every trade within one epoch alike, and a trade across epochs at the earlier order’s limit', () => {
      fc.assert(
        fc.property(books, settings, (book, s) => {
          const byId = new Map(book.map((x) => [x.id, x]));
          const uniform = new Map<number, bigint>();
          for (const f of match(book, optionsOf(s)).fills) {
            const buy = byId.get(f.buyId) as BookOrder;
            const sell = byId.get(f.sellId) as BookOrder;
            if (buy.epoch < sell.epoch) expect(f.price).to.equal(buy.price);
            else if (sell.epoch < buy.epoch) expect(f.price).to.equal(sell.price);
            else {
              expect(f.price).to.equal(uniform.get(buy.epoch) ?? f.price);
              uniform.set(buy.epoch, f.price);
            }
          }
        }),
        { numRuns: 400, seed: 14 },
      );
    });

    it('splits each level pro rata: within one unit of its exact share of what the level traded', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
          fc.integer({ min: 1, max: 100 }),
          fc.string(),
          (sizes, demand, salt) => {
            const book = [...sizes.map((q, i) => o(`s${i}`, 'SELL', 100, q, 1)), o('b', 'BUY', 100, demand, 2)];
            const filled = filledBy(match(book, opts({ salt })).fills);
            const total = BigInt(sizes.reduce((a, b) => a + b, 0));
            const traded = BigInt(demand) < total ? BigInt(demand) : total;
            sizes.forEach((q, i) => {
              const exact = (traded * BigInt(q) * 2n) / total; // twice the exact share, rounded down
              const got = (filled.get(`s${i}`) ?? 0n) * 2n;
              expect(got >= exact - 2n && got <= exact + 2n, `s${i}`).to.equal(true);
            });
          },
        ),
        { numRuns: 300, seed: 15 },
      );
    });
  });
});
