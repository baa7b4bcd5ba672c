import { expect } from 'chai';
import { ACME, ids, Market, MYR } from '../testing/market-fixture';

describe('Market: limit orders, price-time matching, DvP, circuit breaker', () => {
  let m: Market;
  const order = (
    accountId: string,
    side: 'BUY' | 'SELL',
    price: string,
    quantity: string,
    extra: Record<string, unknown> = {},
  ) => ({
    accountId,
    classId: ACME,
    tokenId: MYR,
    side,
    price,
    quantity,
    ...extra,
  });
  const matchBook = () =>
    m.ok<{ fills: number; expired: number; halted: boolean }>(ids.trustee, 'Market', 'Match', [
      JSON.stringify({ classId: ACME }),
    ]);
  const consistent = async () => {
    for (const asset of [MYR, ACME]) expect((await m.supply(asset)).consistent, asset).to.equal(true);
  };

  beforeEach(async () => {
    m = await new Market().setup();
    await m.issue('acc-bob', '100');
    await m.issue('acc-acme', '500');
    await m.deposit('acc-carol', '50000');
    await m.deposit('acc-alice', '50000');
  });

  it('settles a cross-operator trade delivery-versus-payment, with a partial fill', async () => {
    const sell = await m.ok<string>(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '60'));
    expect(await m.balance('acc-bob', ACME)).to.equal(40n); // escrowed
    m.world.now += 1; // the sell rests first; same-second orders would be ordered by transaction id
    const buy = await m.ok<string>(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '105', '40'));
    expect(await m.balance('acc-carol', MYR)).to.equal(50000n - 4200n);
    await consistent();
    await m.refused('FORBIDDEN', ids.operatorB, 'Market', 'Match', [JSON.stringify({ classId: ACME })]);
    const r = await matchBook();
    expect(r.fills).to.equal(1);
    // The sell was resting first: the trade is at 100, and the buyer gets the 5-per-unit improvement back.
    expect(await m.balance('acc-carol', ACME)).to.equal(40n);
    expect(await m.balance('acc-carol', MYR)).to.equal(50000n - 4000n);
    expect(await m.balance('acc-bob', MYR)).to.equal(4000n);
    const book = await m.ok<{ asks: Array<{ id: string; remaining: string }>; bids: unknown[] }>(
      ids.operatorA,
      'Market',
      'GetOrderBook',
      [ACME],
    );
    expect(book.asks).to.have.length(1);
    expect(book.asks[0]).to.include({ id: sell, remaining: '20' });
    expect(book.bids).to.have.length(0);
    const filled = await m.ok<{ status: string }>(ids.regulator, 'Market', 'GetOrder', [ACME, buy]);
    expect(filled.status).to.equal('FILLED');
    const trades = await m.ok<Array<{ price: string; quantity: string }>>(ids.operatorB, 'Market', 'ListTrades', [
      ACME,
    ]);
    expect(trades.map((t) => [t.price, t.quantity])).to.deep.equal([['100', '40']]);
    await consistent();
  });

  it('keeps the public book anonymous: orders name the operator, never the account', async () => {
    await m.ok(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '10'));
    const book = await m.ok<{ asks: unknown[] }>(ids.operatorB, 'Market', 'GetOrderBook', [ACME]);
    expect(JSON.stringify(book)).not.to.contain('acc-bob');
  });

  it('escrows at placement, so an order that cannot be covered is refused up front', async () => {
    expect(
      await m.refused('COMPLIANCE', ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '101')),
    ).to.contain('INSUFFICIENT_BALANCE');
    expect(
      await m.refused('COMPLIANCE', ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '1000', '51')),
    ).to.contain('INSUFFICIENT_BALANCE');
    await m.refused('FORBIDDEN', ids.carol, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '1'));
  });

  it('returns escrow on cancel (owner only) and on expiry', async () => {
    const id = await m.ok<string>(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '100', '10'));
    await m.refused('FORBIDDEN', ids.alice, 'Market', 'CancelOrder', [], {
      accountId: 'acc-alice',
      orderId: id,
      classId: ACME,
    });
    await m.ok(ids.carol, 'Market', 'CancelOrder', [], { accountId: 'acc-carol', orderId: id, classId: ACME });
    expect(await m.balance('acc-carol', MYR)).to.equal(50000n);
    await m.refused('CONFLICT', ids.carol, 'Market', 'CancelOrder', [], {
      accountId: 'acc-carol',
      orderId: id,
      classId: ACME,
    });
    await m.ok(
      ids.bob,
      'Market',
      'PlaceOrder',
      [],
      order('acc-bob', 'SELL', '100', '10', { expiresAt: m.world.now + 60 }),
    );
    m.world.now += 61;
    const r = await matchBook();
    expect(r.expired).to.equal(1);
    expect(await m.balance('acc-bob', ACME)).to.equal(100n);
    await consistent();
  });

  it('halts the instrument when a trade would fall outside the band, and resumes after cooling or by the regulator', async () => {
    await m.refused('FORBIDDEN', ids.trustee, 'Market', 'SetCircuitBreaker', [
      JSON.stringify({
        classId: ACME,
        referencePrice: '100',
        bandBps: 1000,
        coolingSeconds: 600,
        reason: 'volatility control',
      }),
    ]);
    await m.ok(ids.regulator, 'Market', 'SetCircuitBreaker', [
      JSON.stringify({
        classId: ACME,
        referencePrice: '100',
        bandBps: 1000,
        coolingSeconds: 600,
        reason: 'volatility control',
      }),
    ]);
    await m.ok(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '105', '10'));
    await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '105', '10'));
    expect((await matchBook()).fills).to.equal(1); // 105 is within 10% of 100; the reference moves to 105
    await m.ok(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '150', '5'));
    await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '150', '5'));
    const r = await matchBook();
    expect(r).to.include({ fills: 0, halted: true });
    await m.refused('CONFLICT', ids.trustee, 'Market', 'Match', [JSON.stringify({ classId: ACME })]);
    expect(
      await m.refused('COMPLIANCE', ids.acme, 'Transfers', 'Transfer', [], {
        from: 'acc-acme',
        to: 'acc-alice',
        assetId: ACME,
        amount: '1',
      }),
    ).to.contain('INSTRUMENT_HALTED');
    // While halted, open orders can be released to their owners.
    const released = await m.ok<{ released: number }>(ids.regulator, 'Market', 'ReleaseOrders', [
      JSON.stringify({ classId: ACME }),
    ]);
    expect(released.released).to.equal(2);
    await consistent();
    m.world.now += 601; // the cooling period ends by itself
    await m.ok(ids.acme, 'Transfers', 'Transfer', [], {
      from: 'acc-acme',
      to: 'acc-alice',
      assetId: ACME,
      amount: '1',
    });
    await m.ok(ids.regulator, 'Supervision', 'HaltInstrument', [
      JSON.stringify({ assetId: ACME, halted: true, reason: 'news pending' }),
    ]);
    await m.ok(ids.regulator, 'Supervision', 'HaltInstrument', [
      JSON.stringify({ assetId: ACME, halted: false, reason: 'news published' }),
    ]);
    await matchBook();
  });

  it('withdraws at match time the orders of owners frozen since placing', async () => {
    await m.ok(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '10'));
    await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '100', '10'));
    await m.ok(ids.regulator, 'Supervision', 'FreezeAccount', [
      JSON.stringify({ accountId: 'acc-carol', frozen: true, reason: 'investigation' }),
    ]);
    const r = await matchBook();
    expect(r.fills).to.equal(0);
    expect(await m.balance('acc-carol', MYR)).to.equal(50000n);
    await consistent();
  });

  it('refuses sells of locked-up units and buys by ineligible investors', async () => {
    await m.ok(ids.trustee, 'Equity', 'CreateShareClass', [
      JSON.stringify({
        classId: 'ACME-L',
        issuerAccountId: 'acc-acme',
        kind: 'restricted',
        decimals: 0,
        lockupUntil: m.world.now + 1000,
        allowedInvestorClasses: ['sophisticated'],
      }),
    ]);
    await m.ok(ids.trustee, 'Equity', 'Issue', [], {
      classId: 'ACME-L',
      accountId: 'acc-bob',
      amount: '10',
      purpose: 'offering',
    });
    expect(
      await m.refused('COMPLIANCE', ids.bob, 'Market', 'PlaceOrder', [], {
        ...order('acc-bob', 'SELL', '100', '1'),
        classId: 'ACME-L',
      }),
    ).to.contain('LOCKED_UP');
    expect(
      await m.refused('COMPLIANCE', ids.carol, 'Market', 'PlaceOrder', [], {
        ...order('acc-carol', 'BUY', '100', '1'),
        classId: 'ACME-L',
      }),
    ).to.contain('INVESTOR_CLASS_NOT_ALLOWED');
  });
});
