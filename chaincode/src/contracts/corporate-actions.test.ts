import { expect } from 'chai';
import type { BuybackAllowance, CorporateAction } from '@ecf/common';
import { ACME, ids, Market, MYR } from '../testing/market-fixture';
import type { FakeIdentity } from '../testing/fake-stub';

const DAY = 86400;
const arg = (v: unknown) => [JSON.stringify(v)];
const order = (accountId: string, side: 'BUY' | 'SELL', price: string, quantity: string) => ({
  accountId,
  classId: ACME,
  tokenId: MYR,
  side,
  price,
  quantity,
});

describe('CorporateActions: splits, tender offers, buyback limits, delisting', () => {
  let m: Market;
  const consistent = async () => {
    for (const asset of [MYR, ACME]) expect((await m.supply(asset)).consistent, asset).to.equal(true);
  };
  const supplyOf = async (asset: string) => BigInt((await m.supply(asset)).supply);
  const advance = (actionId: string, max = 50) =>
    m.ok<CorporateAction>(ids.trustee, 'CorporateActions', 'Advance', arg({ actionId, max }));
  const runToDone = async (actionId: string, max = 50) => {
    let a = await advance(actionId, max);
    for (let i = 0; a.phase !== 'DONE' && i < 100; i++) a = await advance(actionId, max);
    expect(a.phase).to.equal('DONE');
    return a;
  };

  beforeEach(async () => {
    m = await new Market().setup();
    await m.issue('acc-alice', '7');
    await m.issue('acc-bob', '100');
    await m.issue('acc-carol', '33');
    await m.issue('acc-acme', '500');
    await m.deposit('acc-carol', '50000');
    await m.deposit('acc-alice', '50000');
    await m.deposit('acc-acme', '100000');
  });

  describe('splits and consolidations (decision 52)', () => {
    it('applies 2:1 to every holding, cancels open orders with their escrow, halves the reference price', async () => {
      await m.ok(ids.regulator, 'Market', 'SetCircuitBreaker', [
        JSON.stringify({ classId: ACME, referencePrice: '101', bandBps: 1000, coolingSeconds: 60, reason: 'band' }),
      ]);
      const sell = await m.ok<string>(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '105', '40'));
      await m.ok<string>(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '95', '10'));
      const before = await supplyOf(ACME);
      await m.ok(
        ids.acme,
        'CorporateActions',
        'AnnounceSplit',
        arg({ actionId: 'acme-split', classId: ACME, numerator: 2, denominator: 1, reason: 'two for one' }),
      );
      // Announced, nothing moved yet: the class still trades.
      expect(await m.balance('acc-bob', ACME)).to.equal(60n);
      const first = await advance('acme-split', 1);
      expect(first.phase).to.equal('RELEASING');
      // Locked: no unit of the class moves until the split is done, not even by a regulator's resume.
      await m.refused('COMPLIANCE: INSTRUMENT_HALTED', ids.alice, 'Transfers', 'Transfer', [], {
        from: 'acc-alice',
        to: 'acc-bob',
        assetId: ACME,
        amount: '1',
      });
      const done = await runToDone('acme-split', 2);
      expect(done.ordersCancelled).to.equal(2);
      expect(done.residualUnits).to.equal('0');
      const order1 = await m.ok<{ status: string }>(ids.operatorA, 'Market', 'GetOrder', [ACME, sell]);
      expect(order1.status).to.equal('CANCELLED');
      expect(await m.balance('acc-bob', ACME)).to.equal(200n);
      expect(await m.balance('acc-alice', ACME)).to.equal(14n);
      expect(await m.balance('acc-carol', ACME)).to.equal(66n);
      expect(await m.balance('acc-carol', MYR)).to.equal(50000n);
      expect(await supplyOf(ACME)).to.equal(before * 2n);
      await consistent();
      const breaker = m.world.state.get([...m.world.state.keys()].find((k) => k.includes('breaker')) ?? '');
      expect(JSON.parse(String(breaker)).referencePrice).to.equal('51');
      await m.ok(ids.alice, 'Transfers', 'Transfer', [], {
        from: 'acc-alice',
        to: 'acc-bob',
        assetId: ACME,
        amount: '1',
      });
    });

    it('consolidates 1:3, rounding each holding down and crediting the fractions whole units to the issuer', async () => {
      await m.ok(ids.regulator, 'Supervision', 'SetPartialFreeze', [], {
        accountId: 'acc-bob',
        assetId: ACME,
        amount: '10',
        reason: 'court order',
      });
      const before = await supplyOf(ACME); // 640
      await m.ok(
        ids.operatorA,
        'CorporateActions',
        'AnnounceSplit',
        arg({ actionId: 'acme-cons', classId: ACME, numerator: 1, denominator: 3, reason: 'one for three' }),
      );
      const done = await runToDone('acme-cons', 1);
      // alice 7 → 2 (r 1), bob 100 → 33 (r 1), carol 33 → 11, acme 500 → 166 (r 2): residual ⌊4/3⌋ = 1.
      expect(await m.balance('acc-alice', ACME)).to.equal(2n);
      expect(await m.balance('acc-bob', ACME)).to.equal(33n);
      expect(await m.balance('acc-carol', ACME)).to.equal(11n);
      expect(await m.balance('acc-acme', ACME)).to.equal(167n);
      expect(done.residualUnits).to.equal('1');
      expect(await supplyOf(ACME)).to.equal(before / 3n);
      const frozen = await m.ok<{ frozen: string }>(ids.regulator, 'Transfers', 'GetBalance', [
        JSON.stringify({ accountId: 'acc-bob', assetId: ACME }),
      ]);
      expect(frozen.frozen).to.equal('3');
      await consistent();
    });

    it('refuses a ratio that changes nothing, a second lock, and a split while a tender is open', async () => {
      await m.refused(
        'INVALID_ARGUMENT',
        ids.acme,
        'CorporateActions',
        'AnnounceSplit',
        arg({ actionId: 's0', classId: ACME, numerator: 2, denominator: 2, reason: 'no-op' }),
      );
      await m.ok(
        ids.acme,
        'CorporateActions',
        'AnnounceTender',
        arg(tenderTerms(m.world.now + DAY, { actionId: 't1' })),
      );
      await m.ok(
        ids.acme,
        'CorporateActions',
        'AnnounceSplit',
        arg({ actionId: 's1', classId: ACME, numerator: 2, denominator: 1, reason: 'two for one' }),
      );
      const msg = await m.refused('CONFLICT', ids.trustee, 'CorporateActions', 'Advance', arg({ actionId: 's1' }));
      expect(msg).to.contain('t1');
    });
  });

  function tenderTerms(closesAt: number, over: Record<string, unknown> = {}) {
    return {
      actionId: 'acme-tender',
      classId: ACME,
      tokenId: MYR,
      price: '150',
      maxUnits: '60',
      closesAt,
      reason: 'return capital',
      ...over,
    };
  }

  describe('tender offers (decision 53)', () => {
    it('scales an oversubscribed offer pro rata exactly, burns the bought units and pays for them', async () => {
      const closesAt = m.world.now + DAY;
      await m.ok(ids.acme, 'CorporateActions', 'AnnounceTender', arg(tenderTerms(closesAt)));
      expect(await m.balance('acc-acme', MYR)).to.equal(100000n - 9000n); // escrowed
      await consistent();
      const tender = (who: FakeIdentity, accountId: string, units: string) =>
        m.ok<string>(who, 'CorporateActions', 'Tender', [], { actionId: 'acme-tender', accountId, units });
      await tender(ids.alice, 'acc-alice', '7');
      await tender(ids.operatorA, 'acc-bob', '80');
      await tender(ids.carol, 'acc-carol', '33');
      expect(await m.balance('acc-bob', ACME)).to.equal(20n);
      await consistent();
      await m.refused('CONFLICT', ids.trustee, 'CorporateActions', 'Advance', arg({ actionId: 'acme-tender' })); // still open
      m.world.now = closesAt;
      await m.refused('CONFLICT', ids.carol, 'CorporateActions', 'Tender', [], {
        actionId: 'acme-tender',
        accountId: 'acc-carol',
        units: '1',
      });
      const before = await supplyOf(ACME);
      const done = await runToDone('acme-tender', 1);
      expect(done).to.include({ unitsTendered: '120', unitsBought: '60' });
      // 120 tendered for 60: each tender is halved, by cumulative rounding in tender order.
      const bought = {
        alice: 7n - ((await m.balance('acc-alice', ACME)) - 0n),
        bob: 100n - (await m.balance('acc-bob', ACME)),
        carol: 33n - (await m.balance('acc-carol', ACME)),
      };
      expect(bought.alice + bought.bob + bought.carol).to.equal(60n);
      expect(bought.bob).to.equal(40n);
      for (const b of [bought.alice, bought.carol]) expect(Number(b)).to.be.within(3, 17);
      expect(await m.balance('acc-alice', MYR)).to.equal(50000n + bought.alice * 150n);
      expect(await m.balance('acc-bob', MYR)).to.equal(bought.bob * 150n);
      expect(await m.balance('acc-acme', MYR)).to.equal(100000n - 9000n);
      expect(await supplyOf(ACME)).to.equal(before - 60n);
      await consistent();
    });

    it('buys every tender of an undersubscribed offer and refunds the unused money', async () => {
      const closesAt = m.world.now + DAY;
      await m.ok(ids.operatorA, 'CorporateActions', 'AnnounceTender', arg(tenderTerms(closesAt)));
      await m.ok(ids.carol, 'CorporateActions', 'Tender', [], {
        actionId: 'acme-tender',
        accountId: 'acc-carol',
        units: '10',
      });
      m.world.now = closesAt;
      const done = await runToDone('acme-tender');
      expect(done).to.include({ unitsTendered: '10', unitsBought: '10' });
      expect(await m.balance('acc-carol', ACME)).to.equal(23n);
      expect(await m.balance('acc-acme', MYR)).to.equal(100000n - 1500n);
      await consistent();
    });

    it('refuses a tender beyond the balance, by another operator, or by the issuer itself, writing nothing', async () => {
      await m.ok(ids.acme, 'CorporateActions', 'AnnounceTender', arg(tenderTerms(m.world.now + DAY)));
      const t = (units: string, accountId = 'acc-alice') => ({ actionId: 'acme-tender', accountId, units });
      await m.refused('COMPLIANCE: INSUFFICIENT_BALANCE', ids.alice, 'CorporateActions', 'Tender', [], t('8'));
      await m.refused('FORBIDDEN', ids.operatorB, 'CorporateActions', 'Tender', [], t('1'));
      await m.refused('INVALID_ARGUMENT', ids.acme, 'CorporateActions', 'Tender', [], t('1', 'acc-acme'));
      await m.refused(
        'COMPLIANCE: INSUFFICIENT_BALANCE',
        ids.acme,
        'CorporateActions',
        'AnnounceTender',
        arg(tenderTerms(m.world.now + DAY, { actionId: 'too-big', maxUnits: '1000000' })),
      );
    });
  });

  describe('what a non-member learns (architecture.md, per transaction)', () => {
    it('puts no tendered, bought or paid amount in public state, arguments or events', async () => {
      const closesAt = m.world.now + DAY;
      await m.ok(ids.acme, 'CorporateActions', 'AnnounceTender', arg(tenderTerms(closesAt, { maxUnits: '30' })));
      const results = [];
      results.push(
        await m.call(ids.alice, 'CorporateActions', 'Tender', [], {
          actionId: 'acme-tender',
          accountId: 'acc-alice',
          units: '7',
        }),
        await m.call(ids.operatorA, 'CorporateActions', 'Tender', [], {
          actionId: 'acme-tender',
          accountId: 'acc-bob',
          units: '53',
        }),
      );
      m.world.now = closesAt;
      for (let i = 0; i < 6; i++)
        results.push(
          await m.call(ids.trustee, 'CorporateActions', 'Advance', arg({ actionId: 'acme-tender', max: 1 })),
        );
      // 60 tendered for 30: alice 3 or 4 units (450 or 600 paid), bob 26 or 27 (3900 or 4050). Only the
      // offer's totals, 60 and 30, are public by design.
      const secret = ['"7"', '"53"', '"3"', '"4"', '"26"', '"27"', '"450"', '"600"', '"3900"', '"4050"'];
      for (const r of results) {
        expect(r.ok, r.error?.message).to.equal(true);
        const publicBytes = [
          ...r.stub.attemptedWrites.filter((w) => !w.collection).map((w) => String(w.value ?? '')),
          String(r.stub.event?.payload ?? ''),
        ].join('\n');
        for (const s of secret) expect(publicBytes).not.to.contain(s);
      }
      const done = await m.ok<CorporateAction>(
        ids.operatorB,
        'CorporateActions',
        'Get',
        arg({ actionId: 'acme-tender' }),
      );
      expect(done).to.include({ phase: 'DONE', unitsTendered: '60', unitsBought: '30' });
    });
  });

  describe('what a non-member learns of a split', () => {
    it('puts no holding, before or after, in public state or events', async () => {
      await m.ok(
        ids.acme,
        'CorporateActions',
        'AnnounceSplit',
        arg({ actionId: 'acme-3for1', classId: ACME, numerator: 3, denominator: 1, reason: 'three for one' }),
      );
      const results = [];
      for (let i = 0; i < 6; i++)
        results.push(await m.call(ids.trustee, 'CorporateActions', 'Advance', arg({ actionId: 'acme-3for1', max: 2 })));
      expect(await m.balance('acc-bob', ACME)).to.equal(300n);
      // Holdings 7, 100, 33, 500 before; 21, 300, 99, 1500 after; the deltas 14, 200, 66, 1000 per collection.
      const secret = ['"7"', '"100"', '"33"', '"500"', '"21"', '"300"', '"99"', '"1500"', '"14"', '"200"', '"66"'];
      for (const r of results.filter((x) => x.ok)) {
        const publicBytes = [
          ...r.stub.attemptedWrites.filter((w) => !w.collection).map((w) => String(w.value ?? '')),
          String(r.stub.event?.payload ?? ''),
        ].join('\n');
        for (const s of secret) expect(publicBytes).not.to.contain(s);
      }
    });
  });

  describe('open-market buyback limit (decision 53)', () => {
    it("limits the issuer's buy orders to a share of the trailing average daily volume, with a reason code", async () => {
      // Two days of trading: 40 and 20 units.
      for (const q of ['40', '20']) {
        await m.ok(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '100', q));
        await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '100', q));
        await m.ok(ids.trustee, 'Market', 'Match', arg({ classId: ACME }));
        m.world.now += DAY;
      }
      await m.refused(
        'FORBIDDEN',
        ids.trustee,
        'CorporateActions',
        'SetBuybackPolicy',
        arg({ classId: ACME, maxBps: 2500, windowDays: 2, reason: '10b-18' }),
      );
      await m.ok(
        ids.regulator,
        'CorporateActions',
        'SetBuybackPolicy',
        arg({ classId: ACME, maxBps: 2500, windowDays: 2, reason: 'in the spirit of 10b-18' }),
      );
      // 60 units over 2 days: 30 a day on average, 25% of it is 7 units (rounded down).
      const allowance = await m.ok<BuybackAllowance>(
        ids.operatorA,
        'CorporateActions',
        'GetBuybackAllowance',
        arg({ classId: ACME }),
      );
      expect(allowance).to.include({ averageDailyVolume: '30', limit: '7', used: '0' });
      await m.refused('FORBIDDEN', ids.carol, 'CorporateActions', 'GetBuybackAllowance', arg({ classId: ACME }));
      await m.ok(ids.acme, 'Market', 'PlaceOrder', [], order('acc-acme', 'BUY', '99', '5'));
      await m.refused(
        'COMPLIANCE: BUYBACK_LIMIT_EXCEEDED',
        ids.acme,
        'Market',
        'PlaceOrder',
        [],
        order('acc-acme', 'BUY', '99', '3'),
      );
      await m.ok(ids.operatorA, 'Market', 'PlaceOrder', [], order('acc-acme', 'BUY', '99', '2'));
      // Investors are not limited; the next day the issuer has a fresh allowance.
      await m.ok(ids.carol, 'Market', 'PlaceOrder', [], order('acc-carol', 'BUY', '99', '50'));
      m.world.now += DAY;
      await m.ok(ids.acme, 'Market', 'PlaceOrder', [], order('acc-acme', 'BUY', '99', '1'));
      await consistent();
    });
  });

  describe('delisting (decision 54)', () => {
    it('closes the class, cancels orders, redeems every holding but frozen ones, and keeps the records', async () => {
      const sell = await m.ok<string>(ids.bob, 'Market', 'PlaceOrder', [], order('acc-bob', 'SELL', '105', '40'));
      await m.ok(
        ids.regulator,
        'Supervision',
        'FreezeAccount',
        arg({ accountId: 'acc-alice', frozen: true, reason: 'aml review' }),
      );
      await m.ok(
        ids.acme,
        'CorporateActions',
        'AnnounceDelisting',
        arg({
          actionId: 'acme-out',
          classId: ACME,
          redemption: { tokenId: MYR, price: '120' },
          reason: 'going private',
        }),
      );
      const done = await runToDone('acme-out', 2);
      expect(done).to.include({ ordersCancelled: 1, accountsSkipped: 1 });
      expect((await m.ok<{ status: string }>(ids.operatorA, 'Market', 'GetOrder', [ACME, sell])).status).to.equal(
        'CANCELLED',
      );
      expect(await m.balance('acc-bob', ACME)).to.equal(0n);
      expect(await m.balance('acc-bob', MYR)).to.equal(12000n);
      expect(await m.balance('acc-carol', MYR)).to.equal(50000n + 33n * 120n);
      expect(await m.balance('acc-acme', ACME)).to.equal(0n);
      expect(await m.balance('acc-acme', MYR)).to.equal(100000n - 133n * 120n);
      expect(await m.balance('acc-alice', ACME)).to.equal(7n); // frozen: left on the register
      expect(await supplyOf(ACME)).to.equal(7n);
      await consistent();
      await m.ok(
        ids.regulator,
        'Supervision',
        'FreezeAccount',
        arg({ accountId: 'acc-alice', frozen: false, reason: 'review closed' }),
      );
      await m.refused('COMPLIANCE: INSTRUMENT_HALTED', ids.alice, 'Transfers', 'Transfer', [], {
        from: 'acc-alice',
        to: 'acc-bob',
        assetId: ACME,
        amount: '1',
      });
      await m.refused('COMPLIANCE', ids.trustee, 'Equity', 'Issue', [], {
        classId: ACME,
        accountId: 'acc-bob',
        amount: '1',
        purpose: 'offering',
      });
      await m.refused(
        'CONFLICT',
        ids.acme,
        'CorporateActions',
        'AnnounceSplit',
        arg({ actionId: 'late', classId: ACME, numerator: 2, denominator: 1, reason: 'too late' }),
      );
      const listed = await m.ok<CorporateAction[]>(ids.operatorB, 'CorporateActions', 'ListForClass', [ACME]);
      expect(listed.map((a) => a.id)).to.deep.equal(['acme-out']);
    });

    it('refuses a redemption batch the issuer cannot pay, writing nothing, and resumes once it can', async () => {
      await m.ok(
        ids.acme,
        'CorporateActions',
        'AnnounceDelisting',
        arg({
          actionId: 'acme-out',
          classId: ACME,
          redemption: { tokenId: MYR, price: '1000' },
          reason: 'going private',
        }),
      );
      expect((await advance('acme-out')).phase).to.equal('APPLYING'); // closed, no order to cancel
      await m.refused(
        'COMPLIANCE: INSUFFICIENT_BALANCE',
        ids.trustee,
        'CorporateActions',
        'Advance',
        arg({ actionId: 'acme-out' }),
      );
      await consistent();
      await m.deposit('acc-acme', '40000'); // 140 units held by investors × 1000
      const done = await runToDone('acme-out');
      expect(done.accountsProcessed).to.equal(4);
      expect(await m.balance('acc-acme', MYR)).to.equal(0n);
      expect(await supplyOf(ACME)).to.equal(0n);
      await consistent();
    });
  });

  describe('who may act', () => {
    it('lets only the issuer or its operator announce, and only the custodian trustee execute', async () => {
      const split = (actionId: string) =>
        arg({ actionId, classId: ACME, numerator: 2, denominator: 1, reason: 'two for one' });
      for (const who of [ids.alice, ids.carol, ids.operatorB, ids.trustee, ids.regulator]) {
        await m.refused('FORBIDDEN', who, 'CorporateActions', 'AnnounceSplit', split('x'));
      }
      await m.ok(ids.acme, 'CorporateActions', 'AnnounceSplit', split('x'));
      await m.refused('CONFLICT', ids.operatorA, 'CorporateActions', 'AnnounceSplit', split('x'));
      for (const who of [ids.acme, ids.operatorA, ids.regulator, ids.alice]) {
        await m.refused('FORBIDDEN', who, 'CorporateActions', 'Advance', arg({ actionId: 'x' }));
      }
    });
  });
});
