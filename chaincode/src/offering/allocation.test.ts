import { expect } from 'chai';
import fc from 'fast-check';
import { allocate } from './allocation';

describe('pro-rata allocation by cumulative rounding', () => {
  it('gives every pledge its units when the offering is not oversubscribed', () => {
    expect(allocate(30n, 0n, 80n, 100n)).to.equal(30n);
  });

  it('scales an oversubscribed offering exactly to the units on offer, each within one unit of its share', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 10_000n }), { minLength: 1, maxLength: 60 }),
        fc.bigInt({ min: 1n, max: 50_000n }),
        (pledges, max) => {
          const total = pledges.reduce((a, b) => a + b, 0n);
          let cumulative = 0n;
          let allocated = 0n;
          for (const p of pledges) {
            const a = allocate(p, cumulative, total, max);
            cumulative += p;
            allocated += a;
            expect(a >= 0n && a <= p).to.equal(true);
            if (total > max) {
              const exact = (p * max * 1000n) / total; // share in thousandths
              expect(a * 1000n >= exact - 1000n && a * 1000n <= exact + 1000n).to.equal(true);
            }
          }
          expect(allocated).to.equal(total <= max ? total : max);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('splits 3 equal pledges of 1 unit over 2 units as 0, 1, 1 in pledge order', () => {
    const out: bigint[] = [];
    let c = 0n;
    for (const p of [1n, 1n, 1n]) {
      out.push(allocate(p, c, 3n, 2n));
      c += p;
    }
    expect(out).to.deep.equal([0n, 1n, 1n]);
  });
});
