import { expect } from 'chai';
import fc from 'fast-check';
import type { ChaincodeStub } from 'fabric-shim-api';
import { FakeStub, WorldState } from '../testing/fake-stub';
import { Ledger } from './ledger';

const TYPE = 'account';

function ledgerOver(ids: string[]): { ledger: Ledger; stub: FakeStub } {
  const world = new WorldState();
  const stub = new FakeStub(world, new Map(), 'Pay');
  for (const id of ids) world.state.set(stub.createCompositeKey(TYPE, [id]), Buffer.from(JSON.stringify({ id })));
  // Another type right after this one in key order: the range must stop at the end of its own type.
  world.state.set(stub.createCompositeKey(`${TYPE}x`, ['a']), Buffer.from(JSON.stringify({ id: 'other type' })));
  return { ledger: new Ledger(stub as unknown as ChaincodeStub), stub };
}

describe('Ledger.listAfter: a bounded walk over one type in id order', () => {
  it('visits every id exactly once in order, in pages of any size, ids that prefix others included', async () => {
    const id = fc.stringMatching(/^[a-c0-9-]{1,5}$/);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(id, { maxLength: 30 }), fc.integer({ min: 1, max: 7 }), async (ids, limit) => {
        const seen: string[] = [];
        let after: string | undefined;
        for (let page = 0; page <= ids.length; page++) {
          const { ledger, stub } = ledgerOver(ids);
          const { items, more } = await ledger.listAfter<{ id: string }>(TYPE, after, limit);
          expect(items.length).to.be.at.most(limit);
          expect(Math.max(0, ...stub.rangeReads.map((r) => r.consumed))).to.be.at.most(limit + 1);
          seen.push(...items.map((i) => i.value.id));
          after = items.at(-1)?.value.id ?? after;
          if (!more) break;
        }
        expect(seen).to.deep.equal([...ids].sort());
      }),
      { numRuns: 60 },
    );
  });

  it('refuses to list a type this transaction has written (it reads committed records only)', async () => {
    const { ledger } = ledgerOver(['a']);
    await ledger.put(new FakeStub(new WorldState(), new Map(), 'x').createCompositeKey(TYPE, ['b']), { id: 'b' });
    let message = '';
    await ledger.listAfter(TYPE, undefined, 5).catch((e: Error) => (message = e.message));
    expect(message).to.match(/^INTERNAL: listAfter\(account\) after a write of it/);
  });
});
