import { expect } from 'chai';
import fc from 'fast-check';
import type { Movement } from '@ecf/common';
import { inLedgerOrder } from './history';

const movement = (over: Partial<Movement>): Movement => ({
  v: 1,
  txId: 'tx',
  accountId: 'acc-1',
  assetId: 'MYR',
  delta: '1',
  kind: 'deposit',
  at: 0,
  ...over,
});

describe('an account history in ledger order', () => {
  it('puts numbered movements in position order whatever their keys, after every unnumbered one', () => {
    const legacy = fc.record({
      at: fc.integer({ min: 0, max: 50 }),
      txId: fc.stringMatching(/^[0-9a-f]{1,4}$/),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { maxLength: 30 }),
        fc.array(legacy, { maxLength: 10 }),
        fc.array(fc.stringMatching(/^[0-9a-f]{8}$/), { minLength: 40, maxLength: 40 }),
        (seqs, old, keys) => {
          const entries = [
            ...seqs.map((seq, i) => ({ key: keys[i] ?? `k${i}`, value: movement({ seq, txId: `t${i}` }) })),
            ...old.map((o, i) => ({ key: `legacy${i}`, value: movement(o) })),
          ];
          const out = inLedgerOrder(entries);
          expect(out).to.have.length(entries.length);
          const numbered = out.filter((m) => m.seq !== undefined);
          expect(
            out.slice(0, old.length).every((m) => m.seq === undefined),
            'legacy first',
          ).to.equal(true);
          expect(numbered.map((m) => m.seq)).to.deep.equal([...seqs].sort((a, b) => a - b));
          const unnumbered = out.slice(0, old.length);
          for (let i = 1; i < unnumbered.length; i++) {
            const [a, b] = [unnumbered[i - 1], unnumbered[i]];
            expect(a && b && (a.at < b.at || (a.at === b.at && a.txId <= b.txId)), 'by time, then txId').to.equal(true);
          }
        },
      ),
    );
  });
});
