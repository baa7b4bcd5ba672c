import { expect } from 'chai';
import fc from 'fast-check';
import { buybackLimit, splitHolding, splitPrice, splitResidual, tenderAccepted } from './rules';

describe('corporate-action arithmetic', () => {
  it('loses less than one unit of the whole class to a split: supply after = floor(supply × N/M)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        (holdings, n, m) => {
          const [N, M] = [BigInt(n), BigInt(m)];
          let kept = 0n;
          let fractions = 0n;
          for (const h of holdings) {
            const { after, remainder } = splitHolding(h, N, M);
            expect(after * M + remainder).to.equal(h * N);
            kept += after;
            fractions += remainder;
          }
          const total = holdings.reduce((a, b) => a + b, 0n);
          expect(kept + splitResidual(fractions, M)).to.equal((total * N) / M);
        },
      ),
    );
  });

  it('buys exactly min(Q, T) units pro rata, each tender within one unit of its exact share', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 9n }), { minLength: 1, maxLength: 30 }),
        fc.bigInt({ min: 1n, max: 10n ** 10n }),
        (tenders, q) => {
          const t = tenders.reduce((a, b) => a + b, 0n);
          let before = 0n;
          let bought = 0n;
          for (const units of tenders) {
            const b = tenderAccepted(before, units, t, q);
            expect(b >= 0n && b <= units).to.equal(true);
            if (t > q) {
              // |b·T − units·Q| < T: within one unit of units·Q/T.
              const diff = b * t - units * q;
              expect(diff < t && diff > -t).to.equal(true);
            }
            before += units;
            bought += b;
          }
          expect(bought).to.equal(t < q ? t : q);
        },
      ),
    );
  });

  it('rescales prices by M/N to the nearest unit, never below 1', () => {
    expect(splitPrice(101n, 2n, 1n)).to.equal(51n);
    expect(splitPrice(100n, 1n, 3n)).to.equal(300n);
    expect(splitPrice(1n, 10n, 1n)).to.equal(1n);
  });

  it('averages the volume of whole days before today only', () => {
    const day = 86400;
    const trades = [
      { at: 9 * day + 5, quantity: '40' },
      { at: 8 * day, quantity: '20' },
      { at: 10 * day + 1, quantity: '1000' }, // today: not counted
      { at: 7 * day, quantity: '500' }, // outside a 2-day window
    ];
    expect(buybackLimit(trades, 10, 2, 2500)).to.deep.equal({ averageDailyVolume: 30n, limit: 7n });
  });
});
