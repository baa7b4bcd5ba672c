import { expect } from 'chai';
import fc from 'fast-check';
import { inBand, match, type BookOrder } from './matching';

const o = (id: string, side: 'BUY' | 'SELL', price: number, qty: number, at: number): BookOrder => ({
  id,
  side,
  price: BigInt(price),
  remaining: BigInt(qty),
  at,
});

describe('price-time matching', () => {
  it('fills best price first, then earliest, at the resting order’s price, with partial fills', () => {
    const r = match(
      [o('s1', 'SELL', 101, 5, 1), o('s2', 'SELL', 100, 3, 2), o('s3', 'SELL', 100, 4, 3), o('b1', 'BUY', 102, 10, 4)],
      10,
      () => true,
    );
    expect(r.fills.map((f) => [f.sellId, Number(f.price), Number(f.quantity)])).to.deep.equal([
      ['s2', 100, 3],
      ['s3', 100, 4],
      ['s1', 101, 3],
    ]);
  });

  it('trades at the bid when the bid was resting first', () => {
    const r = match([o('b1', 'BUY', 105, 2, 1), o('s1', 'SELL', 100, 2, 2)], 10, () => true);
    expect(Number(r.fills[0]?.price)).to.equal(105);
  });

  it('stops before a price outside the band and reports it', () => {
    const r = match([o('b1', 'BUY', 200, 1, 1), o('s1', 'SELL', 100, 1, 2)], 10, (p) => inBand(p, 100n, 1000));
    expect(r.fills).to.deep.equal([]);
    expect(r.breach).to.equal(200n);
  });

  it('is deterministic and conserves quantity for any book (property)', () => {
    const order = fc.record({
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      price: fc.integer({ min: 90, max: 110 }),
      qty: fc.integer({ min: 1, max: 50 }),
      at: fc.integer({ min: 0, max: 20 }),
    });
    fc.assert(
      fc.property(fc.array(order, { maxLength: 40 }), (raw) => {
        const book = raw.map((r, i) => o(`o${String(i).padStart(2, '0')}`, r.side, r.price, r.qty, r.at));
        const one = match(book, 1000, () => true);
        const two = match([...book].reverse(), 1000, () => true);
        expect(one).to.deep.equal(two);
        const filled = new Map<string, bigint>();
        for (const f of one.fills) {
          filled.set(f.buyId, (filled.get(f.buyId) ?? 0n) + f.quantity);
          filled.set(f.sellId, (filled.get(f.sellId) ?? 0n) + f.quantity);
          const buy = book.find((x) => x.id === f.buyId);
          const sell = book.find((x) => x.id === f.sellId);
          expect(buy && sell && buy.price >= f.price && f.price >= sell.price).to.equal(true);
        }
        for (const x of book) expect((filled.get(x.id) ?? 0n) <= x.remaining).to.equal(true);
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
