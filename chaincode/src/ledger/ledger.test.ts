import { expect } from 'chai';
import type { ChaincodeStub } from 'fabric-shim-api';
import { FakeStub, WorldState } from '../testing/fake-stub';
import { Ledger } from './ledger';

const SEP = '\u0000';
const key = (id: string) => `${SEP}ref${SEP}c1${SEP}${id}${SEP}`;

function ledgerOver(world: WorldState): { ledger: Ledger; stub: FakeStub } {
  const stub = new FakeStub(world, new Map(), 'Test:Fn');
  return { ledger: new Ledger(stub as unknown as ChaincodeStub), stub };
}

describe('Ledger: bounded index walks and reads once per transaction', () => {
  let world: WorldState;

  beforeEach(() => {
    world = new WorldState();
    for (const id of ['a', 'b', 'c', 'd', 'e']) world.state.set(key(id), Buffer.from(JSON.stringify({ id })));
    // Another campaign's entries share the type but not the prefix.
    world.state.set(`${SEP}ref${SEP}c2${SEP}a${SEP}`, Buffer.from(JSON.stringify({ id: 'other' })));
  });

  it('lists at most `limit` records after the cursor, in key order, and stops reading the range there', async () => {
    const { ledger, stub } = ledgerOver(world);
    const page = await ledger.listAfterKey<{ id: string }>('ref', ['c1'], '', 2);
    expect(page.map((r) => r.value.id)).to.deep.equal(['a', 'b']);
    expect(stub.publicReads.length, 'entries read from the peer').to.equal(2);
    const next = await ledger.listAfterKey<{ id: string }>('ref', ['c1'], key('b'), 2);
    expect(next.map((r) => r.value.id)).to.deep.equal(['c', 'd']);
    const last = await ledger.listAfterKey<{ id: string }>('ref', ['c1'], key('d'), 2);
    expect(last.map((r) => r.value.id)).to.deep.equal(['e']);
  });

  it("applies the transaction's own deletes and writes within the part of the range it read", async () => {
    const { ledger } = ledgerOver(world);
    await ledger.delete(key('a'));
    await ledger.put(key('bb'), { id: 'bb' });
    await ledger.put(key('z'), { id: 'z' });
    const page = await ledger.listAfterKey<{ id: string }>('ref', ['c1'], '', 3);
    expect(page.map((r) => r.value.id)).to.deep.equal(['b', 'bb', 'c']);
    // Own writes beyond the last committed entry read are there once the range is exhausted.
    const rest = await ledger.listAfterKey<{ id: string }>('ref', ['c1'], key('c'), 10);
    expect(rest.map((r) => r.value.id)).to.deep.equal(['d', 'e', 'z']);
  });

  it('reads a private record from the peer once per transaction, and its own write after that', async () => {
    const { ledger, stub } = ledgerOver(world);
    const raw = `${SEP}bal${SEP}x${SEP}`;
    world.collection('pdcOperatorA').set(raw, Buffer.from(JSON.stringify({ amount: '5' })));
    let peerReads = 0;
    const read = stub.getPrivateData.bind(stub);
    stub.getPrivateData = async (collection: string, k: string) => {
      peerReads += 1;
      return read(collection, k);
    };
    expect(await ledger.getRaw(`pdcOperatorA`, raw)).to.deep.equal({ amount: '5' });
    expect(await ledger.getRaw(`pdcOperatorA`, raw)).to.deep.equal({ amount: '5' });
    expect(peerReads).to.equal(1);
    await ledger.putPrivateUnsealed('pdcOperatorA', raw, { amount: '7' });
    expect(await ledger.getRaw(`pdcOperatorA`, raw)).to.deep.equal({ amount: '7' });
    expect(peerReads).to.equal(1);
  });
});
