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

describe('Ledger: writes held until the transaction ends, reads batched (Fabric 3.1 batch messages)', () => {
  let world: WorldState;

  beforeEach(() => {
    world = new WorldState();
    for (const id of ['a', 'b']) world.state.set(key(id), Buffer.from(JSON.stringify({ id })));
  });

  /** A stub whose peer connection takes batch messages, as the real shim's does; records each message. */
  function batchingLedger() {
    const { ledger, stub } = ledgerOver(world);
    const messages: Array<{ type: number; payload: Buffer }> = [];
    const connection = {
      _askPeerAndListen: async (msg: { getType(): number; getPayload_asU8(): Uint8Array }) => {
        const payload = Buffer.from(msg.getPayload_asU8());
        messages.push({ type: msg.getType(), payload });
        if (msg.getType() !== 25) return Buffer.alloc(0);
        // GetStateMultiple: answer each key (field 1) from the world state, in order.
        const values: number[] = [];
        for (let at = 0; at < payload.length;) {
          const [tag, length] = [payload[at] as number, payload[at + 1] as number];
          const k = payload.subarray(at + 2, at + 2 + length).toString();
          at += 2 + length;
          if (tag !== 0x0a) continue;
          const v = world.state.get(k) ?? Buffer.alloc(0);
          values.push(0x0a, v.length, ...v);
        }
        return Buffer.from(values);
      },
    };
    Object.assign(stub.handler, connection);
    return { ledger, stub, messages };
  }

  it('sends nothing before flushWrites, then only the last write of each key, in one message', async () => {
    const { ledger, stub, messages } = batchingLedger();
    await ledger.put(key('a'), { id: 'a', n: 1 });
    await ledger.put(key('c'), { id: 'c' });
    await ledger.put(key('a'), { id: 'a', n: 2 });
    await ledger.delete(key('b'));
    expect(messages).to.deep.equal([]);
    expect(await ledger.get(key('a')), 'reads see the held write').to.deep.equal({ id: 'a', n: 2 });
    await ledger.flushWrites();
    expect(messages.map((m) => m.type)).to.deep.equal([24]);
    const sent = messages[0]?.payload.toString('latin1') ?? '';
    expect(sent).to.not.include('"n":1');
    // Key c first: a later write of a key moves it after the writes made in between.
    expect(sent.indexOf(key('c'))).to.be.lessThan(sent.indexOf('"n":2'));
    expect(stub.attemptedWrites, 'no single-key write messages').to.deep.equal([]);
    await ledger.flushWrites();
    expect(messages).to.have.length(1);
  });

  it('without a batching peer connection (the unit tests), flushes through the stub, one call a key', async () => {
    const { ledger, stub } = ledgerOver(world);
    await ledger.put(key('a'), { id: 'a', n: 1 });
    await ledger.put(key('a'), { id: 'a', n: 2 });
    await ledger.delete(key('b'));
    expect(stub.attemptedWrites).to.deep.equal([]);
    await ledger.flushWrites();
    expect(stub.attemptedWrites.map((w) => [w.kind, w.key])).to.deep.equal([
      ['put', key('a')],
      ['delete', key('b')],
    ]);
  });

  it('sends the held writes before a private range query, after which the peer takes none', async () => {
    const { ledger, stub } = ledgerOver(world);
    await ledger.putPrivateUnsealed('pdcOperatorA', `${SEP}x${SEP}1${SEP}`, { amount: '1' });
    await ledger.listPrivateUnsealed('pdcOperatorA', 'x');
    expect(stub.attemptedWrites).to.have.length(1);
  });

  it('prefetches several keys in one message; the reads after it cost none', async () => {
    const { ledger, messages } = batchingLedger();
    let single = 0;
    await ledger.prefetch([key('a'), key('b'), key('missing'), key('a')]);
    expect(messages.map((m) => m.type)).to.deep.equal([25]);
    const stub = ledger.stub as unknown as FakeStub;
    const read = stub.getState.bind(stub);
    stub.getState = async (k: string) => {
      single += 1;
      return read(k);
    };
    expect(await ledger.get(key('a'))).to.deep.equal({ id: 'a' });
    expect(await ledger.get(key('b'))).to.deep.equal({ id: 'b' });
    expect(await ledger.get(key('missing'))).to.equal(undefined);
    expect(single).to.equal(0);
    // Already read: a second prefetch asks for nothing.
    await ledger.prefetch([key('a'), key('b')]);
    expect(messages).to.have.length(1);
  });
});
