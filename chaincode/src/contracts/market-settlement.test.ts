import { expect } from 'chai';
import { acmeOrder, ACME, fundedBook, ids, Market, MYR } from '../testing/market-fixture';

/**
 * What a Match costs the peer (decision 58): each key written once however many fills touch it, all writes in
 * one batch message, and the orders' owners and balances read a few messages at a time.
 */
describe('Market: settling a Match in few peer messages', () => {
  const order = acmeOrder;
  const matchBook = (m: Market) =>
    m.call<{ fills: number }>(ids.trustee, 'Market', 'Match', [JSON.stringify({ classId: ACME })]);

  async function market(): Promise<Market> {
    const m = await fundedBook();
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
    // The unit stub answers the batch messages as a peer would, counting each message as one round trip.
    const r = await matchBook(m);
    expect(r.value?.fills).to.equal(20);
    expect(
      r.stub.batchCalls.filter((c) => c === 'WriteBatchState'),
      'one write batch',
    ).to.have.length(1);
    // Before: about 23 messages a fill (decision 58), so over 400 here.
    expect(r.stub.roundTrips, 'peer messages').to.be.lessThan(30);
    expect(await m.balance('acc-carol', ACME)).to.equal(20n);
    for (const asset of [MYR, ACME]) expect((await m.supply(asset)).consistent, asset).to.equal(true);
  });
});
