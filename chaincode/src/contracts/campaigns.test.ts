import { campaignRecordSchema, MAX_SETTLE_BATCH } from '@ecf/common';
import { expect } from 'chai';
import { ACME, campaignTerms, ids, Market, MYR } from '../testing/market-fixture';

const DAY = 86400;

/** The three investors the batch tests spread their pledges over, across both operators' collections. */
const INVESTORS = [
  [ids.alice, 'acc-alice'],
  [ids.bob, 'acc-bob'],
  [ids.carol, 'acc-carol'],
] as const;

describe('Campaigns: all-or-nothing primary offerings', () => {
  let m: Market;
  let openAt: number;
  const terms = (over: Record<string, unknown> = {}) => campaignTerms(openAt, over);
  const ref = (campaignId = 'acme-seed') => [JSON.stringify({ campaignId })];
  const pledge = (accountId: string, amount: string, campaignId = 'acme-seed') => ({ campaignId, accountId, amount });

  async function launch(over: Record<string, unknown> = {}) {
    await m.ok(ids.acme, 'Campaigns', 'Propose', [JSON.stringify(terms(over))]);
    await m.ok(ids.operatorA, 'Campaigns', 'Approve', ref(String(over.campaignId ?? 'acme-seed')));
    await m.ok(ids.trustee, 'Campaigns', 'Fund', ref(String(over.campaignId ?? 'acme-seed')));
  }

  async function settleAll(
    campaignId = 'acme-seed',
    batchSize = 1,
  ): Promise<{ status: string; settlement: Record<string, string> }> {
    for (let i = 0; i < 100; i++) {
      const c = await m.ok<{ status: string; settlement: Record<string, string> }>(ids.trustee, 'Campaigns', 'Settle', [
        JSON.stringify({ campaignId, batchSize }),
      ]);
      for (const asset of [MYR, ACME])
        expect((await m.supply(asset)).consistent, `${asset} during settlement`).to.equal(true);
      if (c.status === 'SUCCEEDED' || c.status === 'FAILED') return c;
    }
    throw new Error('settlement did not finish');
  }

  beforeEach(async () => {
    m = await new Market().setup();
    openAt = m.world.now + DAY;
    for (const a of ['acc-alice', 'acc-bob', 'acc-carol']) await m.deposit(a, '100000');
  });

  it('keeps what a campaign can raise and the units it mints within 2^63-1 (LIMIT_EXCEEDED)', async () => {
    const half = (2n ** 62n).toString();
    // maxUnits × pricePerUnit is what settlement may pay the issuer: refused at proposal, not at settlement.
    await m.refused('LIMIT_EXCEEDED', ids.acme, 'Campaigns', 'Propose', [
      JSON.stringify(terms({ maxUnits: half, minUnits: '1', pricePerUnit: '2', minPledge: '2', maxPledge: '2' })),
    ]);
    // Two campaigns of one class, each minting 2^62 units into escrow: the second would pass 2^63-1.
    const big = { maxUnits: half, minUnits: '1', pricePerUnit: '1', minPledge: '1', maxPledge: '1' };
    await launch({ ...big, campaignId: 'big-1' });
    await m.ok(ids.acme, 'Campaigns', 'Propose', [JSON.stringify(terms({ ...big, campaignId: 'big-2' }))]);
    await m.ok(ids.operatorA, 'Campaigns', 'Approve', ref('big-2'));
    await m.refused('LIMIT_EXCEEDED', ids.trustee, 'Campaigns', 'Fund', ref('big-2'));
  });

  it('goes through proposal, operator approval and trustee funding, each by its own party only', async () => {
    await m.refused('FORBIDDEN', ids.bob, 'Campaigns', 'Propose', [JSON.stringify(terms())]);
    await m.ok(ids.acme, 'Campaigns', 'Propose', [JSON.stringify(terms())]);
    await m.refused('FORBIDDEN', ids.operatorB, 'Campaigns', 'Approve', ref());
    await m.refused('CONFLICT', ids.trustee, 'Campaigns', 'Fund', ref()); // not approved yet
    await m.ok(ids.operatorA, 'Campaigns', 'Approve', ref());
    await m.refused('FORBIDDEN', ids.operatorA, 'Campaigns', 'Fund', ref());
    await m.ok(ids.trustee, 'Campaigns', 'Fund', ref());
    expect(await m.supply(ACME)).to.include({ supply: '100', escrowed: '100', consistent: true });
    await m.refused('INVALID_ARGUMENT', ids.acme, 'Campaigns', 'Propose', [
      JSON.stringify(terms({ campaignId: 'x', minPledge: '150' })),
    ]);
    await m.refused('INVALID_ARGUMENT', ids.acme, 'Campaigns', 'Propose', [
      JSON.stringify(terms({ campaignId: 'y', minUnits: '200' })),
    ]);
  });

  it('accepts pledges only while open, within limits, from allowed classes, and escrows the money', async () => {
    await launch({ allowedInvestorClasses: ['retail'], perInvestorCap: '3000' });
    await m.refused('CONFLICT', ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '1000'));
    m.world.now = openAt;
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '150'));
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '30000'));
    expect(await m.refused('COMPLIANCE', ids.bob, 'Campaigns', 'Pledge', [], pledge('acc-bob', '1000'))).to.contain(
      'INVESTOR_CLASS_NOT_ALLOWED',
    );
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '2000'));
    expect(await m.refused('COMPLIANCE', ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '2000'))).to.contain(
      'INVESTMENT_CAP_EXCEEDED',
    );
    await m.refused('FORBIDDEN', ids.carol, 'Campaigns', 'Pledge', [], pledge('acc-alice', '100'));
    expect(await m.balance('acc-alice', MYR)).to.equal(98000n);
    expect(await m.supply(MYR)).to.include({ escrowed: '2000', consistent: true });
    m.world.now = openAt + 10 * DAY;
    await m.refused('CONFLICT', ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '100'));
  });

  it('lets an investor withdraw a pledge within the cooling-off period only', async () => {
    await launch();
    m.world.now = openAt;
    const first = await m.ok<string>(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '1000'));
    const second = await m.ok<string>(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '500'));
    m.world.now += DAY;
    await m.ok(ids.alice, 'Campaigns', 'WithdrawPledge', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-alice',
      pledgeId: first,
    });
    expect(await m.balance('acc-alice', MYR)).to.equal(99500n);
    m.world.now += 2 * DAY;
    await m.refused('CONFLICT', ids.alice, 'Campaigns', 'WithdrawPledge', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-alice',
      pledgeId: second,
    });
    // Withdrawn already: a conflict with what happened, not an unknown pledge.
    const again = await m.refused('CONFLICT', ids.alice, 'Campaigns', 'WithdrawPledge', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-alice',
      pledgeId: first,
    });
    expect(again).to.contain('already withdrawn');
    await m.refused('NOT_FOUND', ids.alice, 'Campaigns', 'WithdrawPledge', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-alice',
      pledgeId: 'no-such-pledge',
    });
    const listed = await m.ok<Array<{ id: string }>>(ids.alice, 'Campaigns', 'ListPledges', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-alice',
    });
    expect(listed.map((p) => p.id)).to.deep.equal([second]);
    m.world.now = openAt + 10 * DAY;
    const done = await settleAll();
    expect(done.status).to.equal('FAILED'); // 5 units pledged, 50 needed
    expect(done.settlement).to.include({ totalUnits: '5' });
    expect(await m.balance('acc-alice', MYR)).to.equal(100000n);
    // Settled: the pledge is final, which is a conflict rather than an unknown pledge.
    await m.refused('CONFLICT', ids.alice, 'Campaigns', 'WithdrawPledge', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-alice',
      pledgeId: second,
    });
  });

  it('refunds, rather than fails the settlement, an investor whose holding could not take the units', async () => {
    await launch();
    // bob already holds all but 10 units of the largest possible holding.
    await m.issue('acc-bob', (2n ** 63n - 1n - 10n).toString());
    m.world.now = openAt;
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000')); // 50 units
    await m.ok(ids.bob, 'Campaigns', 'Pledge', [], pledge('acc-bob', '2000')); // 20 units: would overflow
    m.world.now = openAt + 10 * DAY;
    const done = await settleAll();
    expect(done.status).to.equal('SUCCEEDED');
    expect(await m.balance('acc-alice', ACME)).to.equal(50n);
    expect(await m.balance('acc-bob', ACME)).to.equal(2n ** 63n - 1n - 10n);
    expect(await m.balance('acc-bob', MYR)).to.equal(100000n);
  });

  it('settles an oversubscribed campaign pro rata, exactly, in resumable batches across operators', async () => {
    await launch();
    m.world.now = openAt;
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '8000')); // 80 units
    await m.ok(ids.bob, 'Campaigns', 'Pledge', [], pledge('acc-bob', '6000')); // 60 units
    await m.ok(ids.carol, 'Campaigns', 'Pledge', [], pledge('acc-carol', '4000')); // 40 units, at OperatorB
    await m.refused('CONFLICT', ids.trustee, 'Campaigns', 'Settle', [JSON.stringify({ campaignId: 'acme-seed' })]);
    m.world.now = openAt + 10 * DAY;
    await m.refused('FORBIDDEN', ids.operatorA, 'Campaigns', 'Settle', [JSON.stringify({ campaignId: 'acme-seed' })]);
    const done = await settleAll('acme-seed', 1);
    expect(done.status).to.equal('SUCCEEDED');
    expect(done.settlement).to.include({ totalUnits: '180', unitsAllocated: '100', moneyToIssuer: '10000' });
    // Cumulative rounding in the order of the pledge index (by pledge id: bob, carol, alice): 33, 22, 45.
    expect(await m.balance('acc-alice', ACME)).to.equal(45n);
    expect(await m.balance('acc-bob', ACME)).to.equal(33n);
    expect(await m.balance('acc-carol', ACME)).to.equal(22n);
    expect(await m.balance('acc-alice', MYR)).to.equal(100000n - 4500n);
    expect(await m.balance('acc-carol', MYR)).to.equal(100000n - 2200n);
    expect(await m.balance('acc-acme', MYR)).to.equal(10000n);
    expect(await m.supply(ACME)).to.include({ supply: '100', escrowed: '0', consistent: true });
    const again = await m.ok<{ status: string }>(ids.trustee, 'Campaigns', 'Settle', [
      JSON.stringify({ campaignId: 'acme-seed' }),
    ]);
    expect(again.status).to.equal('SUCCEEDED');
  });

  it('allocates the same units whatever the batch size; a batch reads only its own part of the index and pays the issuer once', async () => {
    // Ten pledges over three investors, oversubscribed 2:1; settled in batches of 1, 3 and 10 on fresh ledgers.
    const outcome = async (batchSize: number) => {
      m = await new Market().setup();
      openAt = m.world.now + DAY;
      for (const a of ['acc-alice', 'acc-bob', 'acc-carol']) await m.deposit(a, '100000');
      await launch();
      m.world.now = openAt;
      for (let i = 0; i < 10; i++) {
        const [id, account] = INVESTORS[i % 3] ?? INVESTORS[0];
        await m.ok(id, 'Campaigns', 'Pledge', [], pledge(account, String(1000 + 300 * i)));
      }
      m.world.now = openAt + 10 * DAY;
      let phase = 'TALLY';
      for (let call = 0; call < 100; call++) {
        const r = await m.call<{ status: string; settlement: { phase: string } }>(ids.trustee, 'Campaigns', 'Settle', [
          JSON.stringify({ campaignId: 'acme-seed', batchSize }),
        ]);
        if (!r.ok) throw new Error(`Settle failed: ${r.error?.message}`);
        const indexRead = r.stub.publicReads.filter((b) => b.toString().includes('"pledgeId"')).length;
        // A batch that began in the allocation pass reads from its cursor and no further than its last pledge.
        if (phase === 'ALLOCATE') expect(indexRead, 'index entries read').to.be.at.most(batchSize);
        phase = r.value?.settlement.phase ?? phase;
        if (r.value?.status === 'SUCCEEDED') break;
      }
      const history = await m.ok<{ movements: Array<{ kind: string }> }>(ids.trustee, 'Accounts', 'GetHistory', [
        'acc-acme',
      ]);
      const issuerPayments = history.movements.filter((mv) => mv.kind === 'settlement').length;
      expect((await m.supply(ACME)).consistent).to.equal(true);
      expect((await m.supply(MYR)).consistent).to.equal(true);
      const units = await Promise.all(['acc-alice', 'acc-bob', 'acc-carol'].map((a) => m.balance(a, ACME)));
      const money = await Promise.all(['acc-alice', 'acc-bob', 'acc-carol', 'acc-acme'].map((a) => m.balance(a, MYR)));
      return { units, money, issuerPayments };
    };
    const one = await outcome(1);
    const three = await outcome(3);
    const ten = await outcome(10);
    expect(one.units.reduce((a, b) => a + b, 0n)).to.equal(100n);
    expect(three.units).to.deep.equal(one.units);
    expect(ten.units).to.deep.equal(one.units);
    expect(three.money).to.deep.equal(one.money);
    expect(ten.money).to.deep.equal(one.money);
    expect(one.money[3]).to.equal(10000n);
    // One issuer movement per allocating batch: ten of one pledge, four of three (3+3+3+1), one of ten.
    expect([one.issuerPayments, three.issuerPayments, ten.issuerPayments]).to.deep.equal([10, 4, 1]);
  });

  it('settles a batch in the same number of round trips to the peer whatever its number of pledges', async () => {
    // The whole close (tally, allocation with refunds, the issuer's payment) in one call, over the same
    // three investors in both operators' collections: 3 pledges, then 12, each allocated half its units.
    const roundTrips = async (pledges: number) => {
      m = await new Market().setup();
      openAt = m.world.now + DAY;
      for (const a of ['acc-alice', 'acc-bob', 'acc-carol']) await m.deposit(a, '100000');
      await launch({ minUnits: '1', maxUnits: String(5 * pledges) });
      m.world.now = openAt;
      for (let i = 0; i < pledges; i++) {
        const [id, account] = INVESTORS[i % 3] ?? INVESTORS[0];
        await m.ok(id, 'Campaigns', 'Pledge', [], pledge(account, '1000'));
      }
      m.world.now = openAt + 10 * DAY;
      const r = await m.call<{ status: string }>(ids.trustee, 'Campaigns', 'Settle', [
        JSON.stringify({ campaignId: 'acme-seed', batchSize: MAX_SETTLE_BATCH }),
      ]);
      expect(r.value?.status, r.error?.message).to.equal('SUCCEEDED');
      expect(r.stub.batchCalls, 'writes sent in one message').to.include('WriteBatchState');
      expect((await m.supply(MYR)).consistent).to.equal(true);
      return r.stub.roundTrips;
    };
    const few = await roundTrips(3);
    const many = await roundTrips(12);
    expect(many, `${few} round trips for 3 pledges`).to.equal(few);
  });

  it('takes a batch size of 1 to MAX_SETTLE_BATCH pledges per call and refuses any other', async () => {
    await launch();
    m.world.now = openAt + 10 * DAY;
    for (const batchSize of [0, MAX_SETTLE_BATCH + 1, 2.5])
      await m.refused('INVALID_ARGUMENT', ids.trustee, 'Campaigns', 'Settle', [
        JSON.stringify({ campaignId: 'acme-seed', batchSize }),
      ]);
    const done = await m.ok<{ status: string }>(ids.trustee, 'Campaigns', 'Settle', [
      JSON.stringify({ campaignId: 'acme-seed', batchSize: MAX_SETTLE_BATCH }),
    ]);
    expect(done.status).to.equal('FAILED');
  });

  it('refunds every pledge and burns the units when the minimum is not reached', async () => {
    await launch();
    m.world.now = openAt;
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '2000'));
    await m.ok(ids.carol, 'Campaigns', 'Pledge', [], pledge('acc-carol', '1000'));
    m.world.now = openAt + 10 * DAY;
    const done = await settleAll('acme-seed', 5);
    expect(done.status).to.equal('FAILED');
    expect(await m.balance('acc-alice', MYR)).to.equal(100000n);
    expect(await m.balance('acc-carol', MYR)).to.equal(100000n);
    expect(await m.balance('acc-alice', ACME)).to.equal(0n);
    expect(await m.supply(ACME)).to.include({ supply: '0', escrowed: '0', consistent: true });
  });

  it('refunds an investor who became ineligible before allocation; the units stay unsold and are burned', async () => {
    await launch();
    m.world.now = openAt;
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    await m.ok(ids.bob, 'Campaigns', 'Pledge', [], pledge('acc-bob', '3000'));
    await m.ok(ids.regulator, 'Supervision', 'FreezeAccount', [
      JSON.stringify({ accountId: 'acc-bob', frozen: true, reason: 'sanctions hit' }),
    ]);
    m.world.now = openAt + 10 * DAY;
    const done = await settleAll();
    expect(done.status).to.equal('SUCCEEDED');
    expect(await m.balance('acc-bob', ACME)).to.equal(0n);
    expect(await m.balance('acc-bob', MYR)).to.equal(100000n);
    expect(await m.supply(ACME)).to.include({ supply: '50', consistent: true });
  });

  it('shows when a campaign can be settled and how far settlement has got, in counts, never its ledger cursor', async () => {
    type View = {
      status: string;
      closeAt: number;
      settleableFrom?: number;
      settlement?: Record<string, unknown>;
    };
    const get = (campaignId = 'acme-seed') => m.ok<View>(ids.carol, 'Campaigns', 'Get', ref(campaignId));
    await launch();
    const funded = await get();
    // Pledges and withdrawals both stop at the close, so settlement waits for nothing after it.
    expect(funded.settleableFrom)
      .to.equal(funded.closeAt)
      .and.to.equal(openAt + 10 * DAY);
    expect(funded).not.to.have.property('settlement');
    await m.ok(ids.acme, 'Campaigns', 'Propose', [JSON.stringify(terms({ campaignId: 'other' }))]);
    await m.ok(ids.operatorA, 'Campaigns', 'Reject', ref('other'));
    expect(await get('other')).not.to.have.property('settleableFrom');

    m.world.now = openAt;
    for (const [who, account] of [
      [ids.alice, 'acc-alice'],
      [ids.bob, 'acc-bob'],
      [ids.carol, 'acc-carol'],
    ] as const)
      await m.ok(who, 'Campaigns', 'Pledge', [], pledge(account, '2000'));
    m.world.now = funded.closeAt;
    const batch = () =>
      m.ok<View>(ids.trustee, 'Campaigns', 'Settle', [JSON.stringify({ campaignId: 'acme-seed', batchSize: 2 })]);
    const progress = (v: View) => {
      const { phase, pledgesCounted, pledgesTotal, pledgesSettled } = v.settlement ?? {};
      return { phase, pledgesCounted, pledgesTotal, pledgesSettled };
    };
    // Two of three counted; then the third counted and the first allocated; then the other two, and done.
    expect(progress(await batch())).to.deep.equal({
      phase: 'TALLY',
      pledgesCounted: 2,
      pledgesTotal: undefined,
      pledgesSettled: 0,
    });
    expect(progress(await batch())).to.deep.equal({
      phase: 'ALLOCATE',
      pledgesCounted: 3,
      pledgesTotal: 3,
      pledgesSettled: 1,
    });
    expect(progress(await batch())).to.deep.equal({
      phase: 'ALLOCATE',
      pledgesCounted: 3,
      pledgesTotal: 3,
      pledgesSettled: 3,
    });
    // Every pledge settled: the next batch finds none left and closes the campaign.
    const done = await batch();
    expect(progress(done)).to.deep.equal({ phase: 'DONE', pledgesCounted: 3, pledgesTotal: 3, pledgesSettled: 3 });
    expect(done.status).to.equal('SUCCEEDED');

    // Every answer has exactly the published fields: no cursor, no NUL byte of a composite key.
    const listed = await m.ok<View[]>(ids.operatorB, 'Campaigns', 'List', []);
    for (const view of [await get(), done, ...listed]) {
      expect(JSON.stringify(view)).not.to.contain('\u0000');
      const published = Object.keys(campaignRecordSchema.shape);
      expect(
        Object.keys(view).filter((k) => !published.includes(k)),
        'unpublished fields',
      ).to.deep.equal([]);
      if (view.settlement)
        expect(view.settlement).to.have.all.keys(
          'phase',
          'pledgesCounted',
          'pledgesTotal',
          'pledgesSettled',
          'totalUnits',
          'unitsAllocated',
          'moneyToIssuer',
          'outcome',
        );
    }
    // The walk's cursor stays in state, where the next batch needs it.
    const stored = [...m.world.state.values()].map((b) => b.toString()).find((v) => v.includes('"id":"acme-seed"'));
    expect(stored).to.contain('"lastKey"');
  });
});
