import { beneficialOwnerHash, type LimitCheck, type LimitDecision } from '@ecf/common';
import { expect } from 'chai';
import fc from 'fast-check';
import { ACME, campaignTerms, ids, Market, MYR, YEAR } from '../testing/market-fixture';

const DAY = 86400;
const reason = 'retail cap across platforms';
/** Alice's second account, at the other operator: the same person, its national id written differently. */
const aliceAtB = { mspId: 'OperatorBMSP', attrs: { role: 'investor', account: 'acc-alice-b' } };

describe("Limits: one retail investor's caps counted across operators", () => {
  let m: Market;
  let openAt: number;
  const pledge = (accountId: string, amount: string) => ({ campaignId: 'acme-seed', accountId, amount });
  const usage = (accountId: string) =>
    m.ok<{ total: string; issuer: string; pending: string }>(ids.trustee, 'Limits', 'GetUsage', [
      JSON.stringify({ accountId, tokenId: MYR, issuerAccountId: 'acc-acme' }),
    ]);
  const setPolicy = (totalPerYear: string, perIssuerPerYear: string) =>
    m.ok(ids.regulator, 'Limits', 'SetPolicy', [
      JSON.stringify({ tokenId: MYR, totalPerYear, perIssuerPerYear, reason }),
    ]);
  const check = (who: typeof ids.alice, accountId: string, investmentId: string) =>
    m.ok<LimitCheck>(who, 'Limits', 'GetCheck', [], { accountId, investmentId });
  /** What the trustee's keeper does: review on its own peer, then decide, one operator's claims per call. */
  const keep = async (): Promise<LimitDecision[]> => {
    const { decisions } = await m.ok<{ decisions: LimitDecision[] }>(ids.trustee, 'Limits', 'Review', ['{}']);
    for (const op of [...new Set(decisions.map((d) => d.operatorMspId))]) {
      await m.ok(ids.trustee, 'Limits', 'Decide', [], { decisions: decisions.filter((d) => d.operatorMspId === op) });
    }
    return decisions;
  };
  const privateWrites = (r: { stub: { attemptedWrites: Array<{ collection?: string; key: string }> } }) =>
    r.stub.attemptedWrites.filter((w) => w.collection !== undefined).map((w) => `${w.collection}/${w.key}`);

  beforeEach(async () => {
    m = await new Market().setup();
    await m.ok(ids.operatorB, 'Accounts', 'Onboard', [], {
      accountId: 'acc-alice-b',
      type: 'investor',
      kyc: { validUntil: m.world.now + YEAR, investorClass: 'retail', jurisdiction: 'MY' },
      personal: { fullName: 'Alice at B', nationalId: ' id-acc-alice ', dateOfBirth: '1990-01-01' },
      salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
    });
    for (const a of ['acc-alice', 'acc-alice-b', 'acc-bob', 'acc-carol']) await m.deposit(a, '100000');
    openAt = m.world.now + DAY;
    await m.ok(ids.acme, 'Campaigns', 'Propose', [JSON.stringify(campaignTerms(openAt, { maxUnits: '2000' }))]);
    await m.ok(ids.operatorA, 'Campaigns', 'Approve', [JSON.stringify({ campaignId: 'acme-seed' })]);
    await m.ok(ids.trustee, 'Campaigns', 'Fund', [JSON.stringify({ campaignId: 'acme-seed' })]);
    m.world.now = openAt;
  });

  it('is set by the regulator alone, with the issuer cap within the total', async () => {
    await m.refused('FORBIDDEN', ids.trustee, 'Limits', 'SetPolicy', [
      JSON.stringify({ tokenId: MYR, totalPerYear: '9000', perIssuerPerYear: '9000', reason }),
    ]);
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Limits', 'SetPolicy', [
      JSON.stringify({ tokenId: MYR, totalPerYear: '9000', perIssuerPerYear: '9001', reason }),
    ]);
    await m.refused('NOT_FOUND', ids.operatorA, 'Limits', 'GetPolicy', [JSON.stringify({ tokenId: MYR })]);
    await setPolicy('9000', '9000');
    const p = await m.ok<{ totalPerYear: string }>(ids.alice, 'Limits', 'GetPolicy', [
      JSON.stringify({ tokenId: MYR }),
    ]);
    expect(p.totalPerYear).to.equal('9000');
  });

  it("checks one person's pledges at both operators against one cap, and refunds the one that passes it (INVESTOR_LIMIT_EXCEEDED)", async () => {
    await setPolicy('9000', '9000');
    const atA = await m.ok<string>(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    const atB = await m.ok<string>(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '4000'));
    expect(await check(ids.alice, 'acc-alice', atA)).to.include({ status: 'PENDING', amount: '5000' });
    expect(await usage('acc-alice')).to.include({ total: '0', pending: '9000' });
    expect((await keep()).map((d) => d.decision)).to.deep.equal(['CONFIRM', 'CONFIRM']);
    expect(await check(aliceAtB, 'acc-alice-b', atB)).to.include({ status: 'CONFIRMED' });
    const over = await m.ok<string>(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '100'));
    expect(await m.balance('acc-alice-b', MYR)).to.equal(95900n);
    await keep();
    const refused = await check(aliceAtB, 'acc-alice-b', over);
    expect(refused).to.include({ status: 'REFUSED', code: 'INVESTOR_LIMIT_EXCEEDED' });
    expect(refused.message, 'the refusal names the cap, never the usage at the other operator').not.to.include('5000');
    expect(await usage('acc-alice-b')).to.include({ total: '9000', issuer: '9000', pending: '0' });
    expect(await m.balance('acc-alice-b', MYR)).to.equal(96000n);
    // The refunded pledge is gone, as a withdrawn one would be: the two confirmed ones remain.
    const pledges = await m.ok<Array<{ id: string; limitCheck: string }>>(aliceAtB, 'Campaigns', 'ListPledges', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-alice-b',
    });
    expect(pledges.map((p) => [p.id, p.limitCheck])).to.deep.equal([[atB, 'CONFIRMED']]);
    expect((await m.supply(MYR)).consistent).to.equal(true);
  });

  it('decides pending claims oldest first, counting the ones it confirms in the same review', async () => {
    await setPolicy('9000', '9000');
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    m.world.now += 1;
    await m.ok(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '4500'));
    // Another person's pledge is unaffected by the first one's usage.
    await m.ok(ids.carol, 'Campaigns', 'Pledge', [], pledge('acc-carol', '9000'));
    const decisions = await keep();
    expect(decisions.map((d) => [d.operatorMspId, d.decision, d.code])).to.deep.equal([
      ['OperatorAMSP', 'CONFIRM', undefined],
      ['OperatorBMSP', 'REFUSE', 'INVESTOR_LIMIT_EXCEEDED'],
      ['OperatorBMSP', 'CONFIRM', undefined],
    ]);
    expect(await usage('acc-alice')).to.include({ total: '5000' });
    expect(await usage('acc-carol')).to.include({ total: '9000' });
  });

  it('refuses past the per-issuer cap (ISSUER_LIMIT_EXCEEDED) while the total has room, and an amount over a cap on its own at once', async () => {
    await setPolicy('20000', '6000');
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    m.world.now += 1;
    const over = await m.ok<string>(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '1100'));
    await keep();
    expect(await check(aliceAtB, 'acc-alice-b', over)).to.include({ status: 'REFUSED', code: 'ISSUER_LIMIT_EXCEEDED' });
    const fits = await m.ok<string>(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '1000'));
    await keep();
    expect(await check(aliceAtB, 'acc-alice-b', fits)).to.include({ status: 'CONFIRMED' });
    // Past a cap whatever the person did elsewhere: refused in the pledge itself, writing nothing.
    await m.refused(
      'COMPLIANCE: ISSUER_LIMIT_EXCEEDED',
      ids.carol,
      'Campaigns',
      'Pledge',
      [],
      pledge('acc-carol', '6100'),
    );
  });

  it('keeps a capped buy out of the book until confirmed, cancels a refused one, and counts what a fill paid', async () => {
    await setPolicy('9000', '9000');
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    await keep();
    const buy = (quantity: string, price = '100') => ({
      accountId: 'acc-alice-b',
      classId: ACME,
      tokenId: MYR,
      side: 'BUY',
      price,
      quantity,
    });
    await m.issue('acc-bob', '60');
    await m.ok(ids.bob, 'Market', 'PlaceOrder', [], { ...buy('60', '90'), accountId: 'acc-bob', side: 'SELL' });
    const tooMuch = await m.ok<string>(aliceAtB, 'Market', 'PlaceOrder', [], buy('41'));
    const match = () =>
      m.ok<{ fills: number }>(ids.trustee, 'Market', 'Match', [JSON.stringify({ classId: ACME, maxFills: 10 })]);
    expect((await match()).fills, 'a pending buy is not matched').to.equal(0);
    await keep();
    const order = async (id: string) =>
      m.ok<{ status: string; limitCheck?: string }>(ids.regulator, 'Market', 'GetOrder', [ACME, id]);
    expect(await order(tooMuch)).to.include({ status: 'CANCELLED' });
    expect(await check(aliceAtB, 'acc-alice-b', tooMuch)).to.include({ code: 'INVESTOR_LIMIT_EXCEEDED' });
    expect(await m.balance('acc-alice-b', MYR)).to.equal(100000n);
    const fits = await m.ok<string>(aliceAtB, 'Market', 'PlaceOrder', [], buy('40'));
    expect(await order(fits)).to.include({ limitCheck: 'PENDING' });
    const bids = async () =>
      (await m.ok<{ bids: Array<{ id: string }> }>(ids.regulator, 'Market', 'GetOrderBook', [ACME])).bids.map(
        (b) => b.id,
      );
    expect(await bids(), 'not in the book before it is confirmed').not.to.include(fits);
    await keep();
    expect((await order(fits)).limitCheck).to.equal(undefined);
    expect(await bids()).to.include(fits);
    expect((await match()).fills).to.equal(1);
    // Filled at the resting sell's 90: the 400 the buy's escrow did not spend goes back to its claim.
    expect(await m.balance('acc-alice-b', ACME)).to.equal(40n);
    expect(await usage('acc-alice')).to.include({ total: '8600', issuer: '8600' });
    for (const asset of [MYR, ACME]) expect((await m.supply(asset)).consistent, asset).to.equal(true);
  });

  it("gives back a failed campaign's refunds, at both operators, and waits for pending pledges before settling", async () => {
    await setPolicy('9000', '9000');
    // 40 units pledged of the 50 the campaign needs: it fails and refunds everything.
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '3000'));
    await m.ok(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '1000'));
    m.world.now = openAt + 11 * DAY;
    const settle = () =>
      m.call<{ status: string }>(ids.trustee, 'Campaigns', 'Settle', [
        JSON.stringify({ campaignId: 'acme-seed', batchSize: 1 }),
      ]);
    const early = await settle();
    expect(early.ok).to.equal(false);
    expect(early.error?.message).to.match(/CONFLICT: pledge .* awaits the investor-limit check/);
    await keep();
    expect(await usage('acc-alice')).to.include({ total: '4000' });
    let status = '';
    for (let i = 0; i < 10 && status !== 'FAILED'; i++)
      status = (
        await m.ok<{ status: string }>(ids.trustee, 'Campaigns', 'Settle', [
          JSON.stringify({ campaignId: 'acme-seed', batchSize: 1 }),
        ])
      ).status;
    expect(status).to.equal('FAILED');
    expect(await usage('acc-alice')).to.include({ total: '0', issuer: '0' });
    expect(await m.balance('acc-alice-b', MYR)).to.equal(100000n);
  });

  it('closes a pledge withdrawn before its check, gives back a confirmed one withdrawn, and counts only retail investors', async () => {
    await setPolicy('5000', '5000');
    const withdraw = (pledgeId: string) =>
      m.ok(ids.alice, 'Campaigns', 'WithdrawPledge', [], { campaignId: 'acme-seed', accountId: 'acc-alice', pledgeId });
    const early = await m.ok<string>(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    await withdraw(early);
    expect(await check(ids.alice, 'acc-alice', early)).to.include({ status: 'CLOSED' });
    expect(await keep()).to.deep.equal([]);
    m.world.now += 1;
    const later = await m.ok<string>(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    await keep();
    await withdraw(later);
    expect(await usage('acc-alice')).to.include({ total: '0', pending: '0' });
    const atB = await m.ok<string>(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '5000'));
    await keep();
    expect(await check(aliceAtB, 'acc-alice-b', atB)).to.include({ status: 'CONFIRMED' });
    // bob is sophisticated: no retail cap, no claim.
    const r = await m.call<string>(ids.bob, 'Campaigns', 'Pledge', [], pledge('acc-bob', '8000'));
    expect(r.ok).to.equal(true);
    await m.refused('NOT_FOUND', ids.bob, 'Limits', 'GetCheck', [], { accountId: 'acc-bob', investmentId: r.value });
  });

  it("never lets two investments share a private key, one person's or not, and keeps every owner hash sealed", async () => {
    await setPolicy('90000', '90000');
    const writes = [
      await m.call(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '1000')),
      await m.call(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '1000')),
      await m.call(ids.carol, 'Campaigns', 'Pledge', [], pledge('acc-carol', '1000')),
    ].map(privateWrites);
    const [a, b, c] = writes.map((w) => new Set(w));
    const common = (x: Set<string>, y: Set<string>) => [...x].filter((k) => y.has(k));
    expect(common(a!, b!), "one person's pledges at A and at B").to.deep.equal([]);
    expect(common(b!, c!), 'two people at B').to.deep.equal([]);
    // The trustee's decisions touch one operator's collection per transaction, and only the decided claims.
    const { decisions } = await m.ok<{ decisions: LimitDecision[] }>(ids.trustee, 'Limits', 'Review', ['{}']);
    const decideA = await m.call(ids.trustee, 'Limits', 'Decide', [], {
      decisions: decisions.filter((d) => d.operatorMspId === 'OperatorAMSP'),
    });
    expect(privateWrites(decideA).every((k) => k.startsWith('pdcOperatorA/'))).to.equal(true);
    expect(common(new Set(privateWrites(decideA)), b!)).to.deep.equal([]);
    const owner = beneficialOwnerHash({ nationalId: 'ID-acc-alice', dateOfBirth: '1990-01-01' });
    for (const collection of ['pdcOperatorA', 'pdcOperatorB'])
      for (const k of m.world.collection(collection).keys()) expect(k).not.to.include(owner);
  });

  it('lets only the serving trustee review (on its own peer) and decide, one operator at a time', async () => {
    await setPolicy('9000', '9000');
    const id = await m.ok<string>(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '1000'));
    const d = { investmentId: id, operatorMspId: 'OperatorAMSP', decision: 'CONFIRM' };
    for (const who of [ids.regulator, ids.operatorA, ids.alice]) {
      await m.refused('FORBIDDEN', who, 'Limits', 'Review', ['{}']);
      await m.refused('FORBIDDEN', who, 'Limits', 'Decide', [], { decisions: [d] });
    }
    m.world.peerMspId = 'OperatorAMSP';
    await m.refused('FORBIDDEN', ids.trustee, 'Limits', 'Review', ['{}']);
    await m.refused('FORBIDDEN', ids.trustee, 'Limits', 'GetUsage', [
      JSON.stringify({ accountId: 'acc-alice', tokenId: MYR }),
    ]);
    m.world.peerMspId = 'TrusteeMSP';
    await m.refused('INVALID_ARGUMENT', ids.trustee, 'Limits', 'Decide', [], {
      decisions: [d, { ...d, investmentId: 'x', operatorMspId: 'OperatorBMSP' }],
    });
    await m.refused('INVALID_ARGUMENT', ids.trustee, 'Limits', 'Decide', [], {
      decisions: [{ ...d, decision: 'REFUSE' }],
    });
    expect(await m.ok(ids.trustee, 'Limits', 'Decide', [], { decisions: [d] })).to.deep.equal({ decided: 1 });
    // Decided already: skipped, not decided twice.
    expect(await m.ok(ids.trustee, 'Limits', 'Decide', [], { decisions: [d] })).to.deep.equal({ decided: 0 });
    await m.refused('FORBIDDEN', ids.carol, 'Limits', 'GetCheck', [], { accountId: 'acc-alice', investmentId: id });
  });

  it('touches no claim for a token without caps', async () => {
    const r = await m.call(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '1000'));
    expect(r.ok).to.equal(true);
    expect(await keep()).to.deep.equal([]);
  });

  it("property: the person's confirmed usage is the sum of its live confirmed pledges at both operators, and never passes the cap", async () => {
    const who = fc.constantFrom({ id: ids.alice, account: 'acc-alice' }, { id: aliceAtB, account: 'acc-alice-b' });
    const step = fc.oneof(
      fc.record({ op: fc.constant('pledge' as const), who, hundreds: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ op: fc.constant('withdraw' as const), nth: fc.nat() }),
      fc.record({ op: fc.constant('keep' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        m = await new Market().setup();
        await m.ok(ids.operatorB, 'Accounts', 'Onboard', [], {
          accountId: 'acc-alice-b',
          type: 'investor',
          kyc: { validUntil: m.world.now + YEAR, investorClass: 'retail', jurisdiction: 'MY' },
          personal: { fullName: 'Alice at B', nationalId: 'ID-acc-alice', dateOfBirth: '1990-01-01' },
          salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
        });
        for (const a of ['acc-alice', 'acc-alice-b']) await m.deposit(a, '100000');
        const start = m.world.now + DAY;
        await m.ok(ids.acme, 'Campaigns', 'Propose', [JSON.stringify(campaignTerms(start, { maxUnits: '2000' }))]);
        await m.ok(ids.operatorA, 'Campaigns', 'Approve', [JSON.stringify({ campaignId: 'acme-seed' })]);
        await m.ok(ids.trustee, 'Campaigns', 'Fund', [JSON.stringify({ campaignId: 'acme-seed' })]);
        m.world.now = start;
        await setPolicy('6000', '6000');
        type Live = { id: typeof ids.alice; account: string; pledgeId: string; amount: number; confirmed: boolean };
        let live: Live[] = [];
        for (const s of steps) {
          m.world.now += 1;
          if (s.op === 'pledge') {
            const amount = s.hundreds * 100;
            const r = await m.call<string>(s.who.id, 'Campaigns', 'Pledge', [], pledge(s.who.account, String(amount)));
            expect(r.ok, r.error?.message).to.equal(true);
            live.push({ id: s.who.id, account: s.who.account, pledgeId: r.value as string, amount, confirmed: false });
          } else if (s.op === 'keep') {
            const decided = await keep();
            live = live.filter((p) => decided.find((d) => d.investmentId === p.pledgeId)?.decision !== 'REFUSE');
            for (const p of live) p.confirmed = true;
          } else if (live.length > 0) {
            const [p] = live.splice(s.nth % live.length, 1);
            if (!p) continue;
            await m.ok(p.id, 'Campaigns', 'WithdrawPledge', [], {
              campaignId: 'acme-seed',
              accountId: p.account,
              pledgeId: p.pledgeId,
            });
          }
          const confirmed = live.filter((p) => p.confirmed).reduce((t, p) => t + p.amount, 0);
          const pending = live.filter((p) => !p.confirmed).reduce((t, p) => t + p.amount, 0);
          expect(await usage('acc-alice')).to.include({ total: String(confirmed), pending: String(pending) });
          expect(confirmed).to.be.at.most(6000);
        }
      }),
      { numRuns: 25 },
    );
  });
});
