import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_AMOUNT } from '@ecf/common';
import { requireWithinLimit, withinLimit } from './limits';

describe('the 2^63-1 limit on balances and supply totals', () => {
  it('accepts every total up to 2^63-1 and refuses every one above with LIMIT_EXCEEDED', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n * MAX_AMOUNT }), (total) => {
        expect(withinLimit(total)).to.equal(total <= MAX_AMOUNT);
        if (total <= MAX_AMOUNT) expect(() => requireWithinLimit(total, 'x')).not.to.throw();
        else expect(() => requireWithinLimit(total, 'x')).to.throw(/^LIMIT_EXCEEDED: x would exceed/);
      }),
    );
  });
});
