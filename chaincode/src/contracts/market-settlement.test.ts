import { expect } from 'chai';
import { FakeStub } from '../testing/fake-stub';
import { acmeOrder, ACME, ids, Market, MYR } from '../testing/market-fixture';

/**
 * What a Match costs the peer (decision 58): each key written once however many fills touch it, all writes in
 * one batch message, and the orders' owners and balances read a few messages at a time.
 */
describe('Market: settling a Match in few peer messages', () => {
  const order = acmeOrder;
  const matchBook = (m: Market) =>
    m.call<{ fills: number }>(ids.trustee, 'Market', 'Match', [JSON.stringify({ classId: ACME })]);

  async function market(): Promise<Market> {
    const m = await new Market().setup();
    await m.issue('acc-bob', '100');
    await m.issue('acc-acme', '500');
    await m.deposit('acc-carol', '50000');
    await m.deposit('acc-alice', '50000');
    // The class's first Match turns the index on (decision 58).
    expect((await matchBook(m)).ok).to.equal(true);
    return m;
  }

  it('writes each balance, escrow and movement counter once per Match, however many fills touch it', async () => {
    const m = await market();
    await m.ok(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '2'));
    await m.ok(ids.acme, 'Market', 'PlaceOrder', [], order('acc-acme', 'SELL', '100', '2'));
    await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '105', '3'));
    await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '105', '1'));
    const r = await matchBook(m);
    expect(r.value?.fills, 'carol buys from both sellers, with both orders').to.be.greaterThan(2);
    const written = r.stub.attemptedWrites.map((w) => `${w.collection ?? ''}/${w.key}`);
    expect(written.length, 'no key written twice').to.equal(new Set(written).size);
    expect(await m.balance('acc-carol', ACME)).to.equal(4n);
    // Bought at 100 against a limit of 105: the improvement came back.
    expect(await m.balance('acc-carol', MYR)).to.equal(50000n - 400n);
    expect((await m.balance('acc-bob', MYR)) + (await m.balance('acc-acme', MYR))).to.equal(400n);
    for (const asset of [MYR, ACME]) expect((await m.supply(asset)).consistent, asset).to.equal(true);
    // Every fill still has its own movement, in the account's order.
    const { movements: history } = await m.ok<{
      movements: Array<{ assetId: string; delta: string; seq: number }>;
    }>(ids.regulator, 'Accounts', 'GetHistory', ['acc-carol']);
    const units = history.filter((h) => h.assetId === ACME).map((h) => BigInt(h.delta));
    expect(units.reduce((a, b) => a + b, 0n)).to.equal(4n);
    expect(units.length).to.equal(r.value?.fills);
    const seqs = history.map((h) => h.seq);
    expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).to.equal(seqs.length);
  });

  it('on a peer that takes batch messages, a 20-fill Match costs a handful of messages, not one a key', async () => {
    const m = await market();
    for (let i = 0; i < 20; i += 1) {
      await m.ok(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '1'));
      await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '100', '1'));
    }
    const messages: number[] = [];
    let singles = 0;
    const proto = FakeStub.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const originals = new Map<string, (...a: unknown[]) => unknown>();
    for (const name of [
      'getState',
      'getPrivateData',
      'putState',
      'putPrivateData',
      'deleteState',
      'deletePrivateData',
    ]) {
      const original = proto[name] as (...a: unknown[]) => unknown;
      originals.set(name, original);
      proto[name] = function (this: FakeStub, ...a: unknown[]) {
        singles += 1;
        return original.apply(this, a);
      };
    }
    const channel = proto.getChannelID as (...a: unknown[]) => unknown;
    originals.set('getChannelID', channel);
    // The real shim's connection, reduced to what the ledger sends it: count each message, apply it to the stub.
    proto.getChannelID = function (this: FakeStub) {
      Object.assign(this.handler, {
        _askPeerAndListen: async (msg: { getType(): number; getPayload_asU8(): Uint8Array }) => {
          messages.push(msg.getType());
          const before = singles;
          const answer = await answerBatch(this, msg.getType(), Buffer.from(msg.getPayload_asU8()));
          singles = before;
          return answer;
        },
      });
      return channel.call(this);
    };
    let r;
    try {
      r = await matchBook(m);
    } finally {
      for (const [name, original] of originals) proto[name] = original;
    }
    expect(r.value?.fills).to.equal(20);
    expect(
      messages.filter((t) => t === 24),
      'one write batch',
    ).to.have.length(1);
    // Before: about 23 messages a fill (decision 58), so over 400 here.
    expect(messages.length + singles, 'peer messages').to.be.lessThan(30);
    expect(await m.balance('acc-carol', ACME)).to.equal(20n);
    for (const asset of [MYR, ACME]) expect((await m.supply(asset)).consistent, asset).to.equal(true);
  });
});

/** A peer's answer to a batch message, applied to the fake stub through its single-key calls. */
async function answerBatch(stub: FakeStub, type: number, payload: Buffer): Promise<Buffer> {
  const fields = (bytes: Buffer) => {
    const out: Array<{ field: number; value: Buffer | number }> = [];
    let at = 0;
    const varint = () => {
      let n = 0;
      for (let scale = 1; ; scale *= 128) {
        const b = bytes[at++] as number;
        n += (b & 0x7f) * scale;
        if (b < 0x80) return n;
      }
    };
    while (at < bytes.length) {
      const tag = varint();
      if ((tag & 7) === 0) out.push({ field: tag >> 3, value: varint() });
      else {
        const length = varint();
        out.push({ field: tag >> 3, value: bytes.subarray(at, at + length) });
        at += length;
      }
    }
    return out;
  };
  const text = (f: Array<{ field: number; value: Buffer | number }>, n: number) =>
    (f.find((x) => x.field === n)?.value as Buffer | undefined)?.toString() ?? '';
  if (type === 24) {
    for (const rec of fields(payload)) {
      const f = fields(rec.value as Buffer);
      const [k, collection, kind] = [text(f, 1), text(f, 3), f.find((x) => x.field === 5)?.value];
      const value = f.find((x) => x.field === 2)?.value as Buffer | undefined;
      if (kind === 9)
        await (collection ? stub.putPrivateData(collection, k, value as Buffer) : stub.putState(k, value as Buffer));
      else if (kind === 10) await (collection ? stub.deletePrivateData(collection, k) : stub.deleteState(k));
      else await stub.purgePrivateData(collection, k);
    }
    return Buffer.alloc(0);
  }
  const f = fields(payload);
  const collection = text(f, 2);
  const parts: Buffer[] = [];
  for (const { value } of f.filter((x) => x.field === 1)) {
    const k = (value as Buffer).toString();
    const v = Buffer.from(collection ? await stub.getPrivateData(collection, k) : await stub.getState(k));
    const len: number[] = [];
    for (let n = v.length; ; n = Math.floor(n / 128)) {
      len.push(n > 0x7f ? (n & 0x7f) | 0x80 : n);
      if (n <= 0x7f) break;
    }
    parts.push(Buffer.from([0x0a, ...len]), v);
  }
  return Buffer.concat(parts);
}
