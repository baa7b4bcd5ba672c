import { expect } from 'chai';
import { KeyType } from '@ecf/common';
import { acmeOrder, ACME, fundedBook, ids, Market, MYR } from '../testing/market-fixture';

/** Match through the book's index (decision 58): what it reads, and that nothing else changed. */
describe('Market: the indexed book', () => {
  const order = acmeOrder;
  const prefix = (type: string) => `\u0000${type}\u0000${ACME}\u0000`;
  const indexKeys = (m: Market, type: string = KeyType.ORDER_INDEX) =>
    [...m.world.state.keys()].filter((k) => k.startsWith(prefix(type)));
  const matchBook = (m: Market) =>
    m.call<{ fills: number; expired: number; withdrawn: number }>(ids.trustee, 'Market', 'Match', [
      JSON.stringify({ classId: ACME }),
    ]);
  const matched = async (m: Market) => {
    const r = await matchBook(m);
    if (!r.ok) throw new Error(r.error?.message);
    return r.value as { fills: number; expired: number; withdrawn: number };
  };
  const status = async (m: Market, id: string) =>
    (await m.ok<{ status: string; remaining: string }>(ids.regulator, 'Market', 'GetOrder', [ACME, id])).status;

  const market = fundedBook;

  /** A class's first Match reads the whole book once and turns the index on. */
  async function indexed(): Promise<Market> {
    const m = await market();
    await matched(m);
    return m;
  }

  it('reads as much for a Match on a deep book as on a shallow one', async () => {
    const readsWith = async (resting: number) => {
      const m = await indexed();
      for (let i = 0; i < resting; i += 1) {
        await m.ok(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', String(200 + i), '1'));
        await m.ok(ids.alice, 'Market', 'PlaceOrder', [], order('acc-alice', 'BUY', String(50 - i), '1'));
      }
      await m.ok(ids.acme, 'Market', 'PlaceOrder', [], order('acc-acme', 'SELL', '100', '2'));
      await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '100', '2'));
      const r = await matchBook(m);
      expect(r.value?.fills).to.equal(1);
      return r.stub.publicReads.length;
    };
    const shallow = await readsWith(2);
    expect(await readsWith(30)).to.equal(shallow);
  });

  it('turns the index on at a class’s first Match, which still trades the orders placed before the index', async () => {
    const m = await market();
    const sell = await m.ok<string>(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '10'));
    const buy = await m.ok<string>(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '100', '4'));
    // As the chaincode before decision 58 left them: orders without index keys.
    for (const key of indexKeys(m)) m.world.state.delete(key);
    expect((await matched(m)).fills).to.equal(1);
    expect(await status(m, buy)).to.equal('FILLED');
    const rest = await m.ok<{ status: string }>(ids.regulator, 'Market', 'GetOrder', [ACME, sell]);
    expect(rest).to.include({ status: 'OPEN', remaining: '6' });
    expect(indexKeys(m), 'what stays open is indexed').to.have.length(1);
    // The next Match finds the old order through the index.
    await m.ok(ids.alice, 'Market', 'PlaceOrder', [], order('acc-alice', 'BUY', '100', '6'));
    expect((await matched(m)).fills).to.equal(1);
    expect(await status(m, sell)).to.equal('FILLED');
    expect(indexKeys(m)).to.deep.equal([]);
    expect(await m.balance('acc-bob', MYR)).to.equal(1000n);
  });

  it('expires lapsed orders anywhere in the book through the expiry index', async () => {
    const m = await indexed();
    const lapsing = await m.ok<string>(
      ids.carol,
      'Market',
      'PlaceOrder',
      [],
      order('acc-carol', 'BUY', '10', '5', { expiresAt: m.world.now + 60 }),
    );
    const later = await m.ok<string>(
      ids.alice,
      'Market',
      'PlaceOrder',
      [],
      order('acc-alice', 'BUY', '11', '5', { expiresAt: m.world.now + 600 }),
    );
    expect(indexKeys(m, KeyType.ORDER_EXPIRY)).to.have.length(2);
    m.world.now += 61;
    expect(await matched(m)).to.include({ fills: 0, expired: 1 });
    expect(await status(m, lapsing)).to.equal('EXPIRED');
    expect(await status(m, later)).to.equal('OPEN');
    expect(await m.balance('acc-carol', MYR)).to.equal(50000n);
    expect(indexKeys(m)).to.have.length(1);
    expect(indexKeys(m, KeyType.ORDER_EXPIRY)).to.have.length(1);
  });

  it('withdraws a frozen owner’s order when the walk reaches it, and fills the next one instead', async () => {
    const m = await indexed();
    const frozen = await m.ok<string>(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '101', '10'));
    const next = await m.ok<string>(ids.alice, 'Market', 'PlaceOrder', [], order('acc-alice', 'BUY', '100', '10'));
    await m.ok(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '10'));
    await m.ok(ids.regulator, 'Supervision', 'FreezeAccount', [
      JSON.stringify({ accountId: 'acc-carol', frozen: true, reason: 'investigation' }),
    ]);
    expect(await matched(m)).to.include({ fills: 1, withdrawn: 1 });
    expect(await status(m, frozen)).to.equal('CANCELLED');
    expect(await status(m, next)).to.equal('FILLED');
    expect(await m.balance('acc-carol', MYR)).to.equal(50000n);
    expect(await m.balance('acc-alice', ACME)).to.equal(10n);
    for (const asset of [MYR, ACME]) expect((await m.supply(asset)).consistent, asset).to.equal(true);
  });

  it('keeps a partial fill’s remainder in the index and drops cancelled and filled orders', async () => {
    const m = await indexed();
    const sell = await m.ok<string>(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '10'));
    const cancelled = await m.ok<string>(ids.alice, 'Market', 'PlaceOrder', [], order('acc-alice', 'BUY', '90', '1'));
    await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '100', '3'));
    expect(indexKeys(m)).to.have.length(3);
    await m.ok(ids.alice, 'Market', 'CancelOrder', [], { accountId: 'acc-alice', orderId: cancelled, classId: ACME });
    await matched(m);
    const keys = indexKeys(m);
    expect(keys).to.have.length(1);
    expect(keys[0]).to.contain(sell);
    expect(JSON.parse((m.world.state.get(keys[0] as string) as Buffer).toString())).to.include({ remaining: '7' });
    const book = await m.ok<{ asks: Array<{ id: string; remaining: string }> }>(
      ids.operatorB,
      'Market',
      'GetOrderBook',
      [ACME],
    );
    expect(book.asks.map((o) => [o.id, o.remaining])).to.deep.equal([[sell, '7']]);
  });
});
