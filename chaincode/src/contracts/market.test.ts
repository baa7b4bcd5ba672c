import { expect } from 'chai';
import { KeyType } from '@ecf/common';
import { acmeOrder, ACME, ids, Market, MYR } from '../testing/market-fixture';

describe('Market: limit orders, price-epoch matching, DvP, circuit breaker', () => {
  let m: Market;
  const order = acmeOrder;
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
    const buy = await m.ok<string>(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '105', '40'));
    expect(await m.balance('acc-carol', MYR)).to.equal(50000n - 4200n);
    await consistent();
    await m.refused('FORBIDDEN', ids.operatorB, 'Market', 'Match', [JSON.stringify({ classId: ACME })]);
    const r = await matchBook();
    expect(r.fills).to.equal(1);
    // Both orders joined the same book epoch, so neither rests. With no reference price yet, the batch trades at
    // the lowest price both accept, 100, and the buyer gets the 5-per-unit improvement back.
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

  it('stamps each order with the book epoch, which only Match advances; a placement never writes it', async () => {
    const placed = await m.call<string>(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '1'));
    expect(placed.ok).to.equal(true);
    const book = (w: { key: string }) => w.key.startsWith(`\u0000${KeyType.BOOK}\u0000`);
    expect(placed.stub.attemptedWrites.filter(book), 'placements only read the epoch').to.deep.equal([]);
    const first = await m.ok<{ epoch: number }>(ids.regulator, 'Market', 'GetOrder', [ACME, placed.value as string]);
    expect(first.epoch).to.equal(1);
    await matchBook();
    const next = await m.ok<string>(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '1'));
    expect((await m.ok<{ epoch: number }>(ids.regulator, 'Market', 'GetOrder', [ACME, next])).epoch).to.equal(2);
  });

  it('a backdated order gains nothing: its transaction timestamp does not rank it', async () => {
    const sell = async (who: typeof ids.bob, accountId: string, price = '100') =>
      m.ok<string>(who, 'Market', 'PlaceOrder', [], order(accountId, 'SELL', price, '10'));
    const remaining = async (id: string) =>
      (await m.ok<{ remaining: string; at: number }>(ids.regulator, 'Market', 'GetOrder', [ACME, id])).remaining;
    // Same epoch: bob's order first, then acme's with a timestamp an hour earlier. Neither outranks the other:
    // the buy is split between them pro rata, where timestamps used to hand it all to the backdated order.
    const honest = await sell(ids.bob, 'acc-bob');
    m.world.now -= 3600;
    const backdated = await sell(ids.acme, 'acc-acme');
    expect((await m.ok<{ at: number }>(ids.regulator, 'Market', 'GetOrder', [ACME, backdated])).at).to.be.below(
      (await m.ok<{ at: number }>(ids.regulator, 'Market', 'GetOrder', [ACME, honest])).at,
    );
    await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '100', '10'));
    expect((await matchBook()).fills).to.equal(2);
    expect([await remaining(honest), await remaining(backdated)]).to.deep.equal(['5', '5']);
    // Across a Match: the honest order rests from the earlier epoch, and a later order backdated before it
    // still ranks after it (at 99, both rank before the halves left at 100).
    const early = await sell(ids.bob, 'acc-bob', '99');
    await matchBook();
    m.world.now -= 86400;
    const late = await sell(ids.acme, 'acc-acme', '99');
    await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '99', '10'));
    expect((await matchBook()).fills).to.equal(1);
    expect([await remaining(early), await remaining(late)]).to.deep.equal(['0', '10']);
    await consistent();
  });

  it('a buy placed after a sell in the same epoch trades at a price that does not depend on which came first', async () => {
    const run = async (first: 'BUY' | 'SELL') => {
      const market = await new Market().setup();
      await market.issue('acc-bob', '100');
      await market.deposit('acc-carol', '50000');
      await market.ok(ids.regulator, 'Market', 'SetCircuitBreaker', [
        JSON.stringify({ classId: ACME, referencePrice: '103', bandBps: 1000, coolingSeconds: 600, reason: 'band' }),
      ]);
      const sell = () => market.ok(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', '10'));
      const buy = () => market.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '105', '10'));
      await (first === 'SELL' ? sell() : buy());
      market.world.now += 5;
      await (first === 'SELL' ? buy() : sell());
      await market.ok(ids.trustee, 'Market', 'Match', [JSON.stringify({ classId: ACME })]);
      const trades = await market.ok<Array<{ price: string }>>(ids.regulator, 'Market', 'ListTrades', [ACME]);
      return { prices: trades.map((t) => t.price), carol: await market.balance('acc-carol', MYR) };
    };
    // Neither order rests: the batch takes, of the prices both accept (100…105), the one nearest the
    // reference (103), and the buyer is refunded the rest of its escrow.
    const sellFirst = await run('SELL');
    expect(sellFirst).to.deep.equal({ prices: ['103'], carol: 50000n - 1030n });
    expect(await run('BUY')).to.deep.equal(sellFirst);
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
