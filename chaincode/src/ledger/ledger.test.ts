import { expect } from 'chai';
import type { ChaincodeStub } from 'fabric-shim-api';
import { peer } from '@hyperledger/fabric-protos';
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
    // The range starts after the cursor: the entries before it are not read again.
    expect(stub.publicReads.length, 'entries read from the peer').to.equal(4);
    const last = await ledger.listAfterKey<{ id: string }>('ref', ['c1'], key('d'), 2);
    expect(last.map((r) => r.value.id)).to.deep.equal(['e']);
    expect(stub.publicReads.length, 'entries read from the peer').to.equal(5);
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

  it("holds deferred writes until the end, then sends each key's last write in order, a thousand to a message", async () => {
    const { ledger, stub } = ledgerOver(world);
    ledger.deferWrites();
    const raw = (i: number) => `${SEP}bal${SEP}${String(i).padStart(4, '0')}${SEP}`;
    for (let i = 0; i < 1200; i++) await ledger.putPrivateUnsealed('pdcOperatorA', raw(i), { amount: String(i) });
    await ledger.delete(key('a'));
    await ledger.put(key('a'), { id: 'a again' });
    await ledger.purgeRaw('pdcOperatorA', raw(7));
    expect(stub.attemptedWrites, 'nothing sent before the end').to.have.length(0);
    // The transaction reads its own writes meanwhile, as before.
    expect(await ledger.getRaw('pdcOperatorA', raw(3))).to.deep.equal({ amount: '3' });
    expect(await ledger.get(key('a'))).to.deep.equal({ id: 'a again' });
    await ledger.flushWrites();
    expect(stub.batchCalls).to.deep.equal(['WriteBatchState', 'WriteBatchState']);
    expect(stub.attemptedWrites.map((w) => `${w.kind} ${w.collection ?? ''} ${w.key}`)).to.deep.equal([
      ...Array.from({ length: 1200 }, (_, i) => `put pdcOperatorA ${raw(i)}`),
      // The delete of 'a' is replaced by its later put: the read-write set keeps a key's last write anyway.
      `put  ${key('a')}`,
      `purge pdcOperatorA ${raw(7)}`,
    ]);
    expect(JSON.parse(stub.attemptedWrites[5]?.value?.toString() ?? '')).to.deep.equal({ amount: '5' });
    stub.commit();
    expect(JSON.parse(world.state.get(key('a'))?.toString() ?? '')).to.deep.equal({ id: 'a again' });
    expect(world.collection('pdcOperatorA').has(raw(7))).to.equal(false);
  });

  it('writes at once without deferWrites, and a transaction that fails before the end sends nothing', async () => {
    const now = ledgerOver(world);
    await now.ledger.put(key('x'), { id: 'x' });
    expect(now.stub.attemptedWrites).to.have.length(1);
    expect(now.stub.batchCalls).to.deep.equal([]);
    const failed = ledgerOver(world);
    failed.ledger.deferWrites();
    await failed.ledger.put(key('y'), { id: 'y' });
    // No flushWrites: the contract runtime calls afterTransaction only when the transaction returns.
    expect(failed.stub.attemptedWrites).to.have.length(0);
  });

  it('prefetches many public records in one call, and the reads that follow cost no round trip', async () => {
    const { ledger, stub } = ledgerOver(world);
    await ledger.put(key('c'), { id: 'own' });
    const asked: string[][] = [];
    const ask = stub.handler._askPeerAndListen;
    stub.handler._askPeerAndListen = async (msg, method) => {
      asked.push(peer.GetStateMultiple.deserializeBinary(msg.getPayload_asU8()).getKeysList());
      return ask(msg, method);
    };
    await ledger.prefetch([key('a'), key('b'), key('a'), key('c'), key('missing')]);
    expect(asked, 'once each, and not the one it wrote').to.deep.equal([[key('a'), key('b'), key('missing')]]);
    const before = stub.roundTrips;
    expect(await ledger.get(key('b'))).to.deep.equal({ id: 'b' });
    expect(await ledger.get(key('c'))).to.deep.equal({ id: 'own' });
    expect(await ledger.get(key('missing'))).to.equal(undefined);
    expect(stub.roundTrips, 'served from the prefetched values').to.equal(before);
    await ledger.prefetch([key('a'), key('b')]);
    expect(asked, 'nothing left to fetch').to.have.length(1);
  });
});
