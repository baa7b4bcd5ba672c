import { beneficialOwnerHash, INVESTOR_LIMITS_COLLECTION } from '@ecf/common';
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
    m.ok<{ total: string; issuer: string }>(ids.trustee, 'Limits', 'GetUsage', [
      JSON.stringify({ accountId, tokenId: MYR, issuerAccountId: 'acc-acme' }),
    ]);
  const setPolicy = (totalPerYear: string, perIssuerPerYear: string) =>
    m.ok(ids.regulator, 'Limits', 'SetPolicy', [
      JSON.stringify({ tokenId: MYR, totalPerYear, perIssuerPerYear, reason }),
    ]);
  const limitWrites = (r: { stub: { attemptedWrites: Array<{ collection?: string; key: string }> } }) =>
    r.stub.attemptedWrites.filter((w) => w.collection === INVESTOR_LIMITS_COLLECTION).map((w) => w.key);

  beforeEach(async () => {
    m = await new Market().setup();
    await m.seal([INVESTOR_LIMITS_COLLECTION]);
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

  it('refuses the pledge that takes one person past the yearly cap across both operators (INVESTOR_LIMIT_EXCEEDED), writing nothing', async () => {
    await setPolicy('9000', '9000');
    const atA = await m.call(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    const atB = await m.call(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '4000'));
    // The residual decision 49 states: one person's pledges at both operators write the same (sealed) keys,
    // whose hashes every peer stores.
    expect(limitWrites(atB)).to.have.length(2).and.deep.equal(limitWrites(atA));
    const message = await m.refused(
      'COMPLIANCE: INVESTOR_LIMIT_EXCEEDED',
      aliceAtB,
      'Campaigns',
      'Pledge',
      [],
      pledge('acc-alice-b', '100'),
    );
    expect(message, 'the refusal names the cap, never the usage at the other operator').not.to.include('5000');
    expect(await usage('acc-alice-b')).to.include({ total: '9000', issuer: '9000' });
    expect(await m.balance('acc-alice-b', MYR)).to.equal(96000n);
  });

  it('refuses past the per-issuer cap (ISSUER_LIMIT_EXCEEDED) while the total has room', async () => {
    await setPolicy('20000', '6000');
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    await m.refused(
      'COMPLIANCE: ISSUER_LIMIT_EXCEEDED',
      aliceAtB,
      'Campaigns',
      'Pledge',
      [],
      pledge('acc-alice-b', '1100'),
    );
    await m.ok(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '1000'));
  });

  it('checks a buy order against the caps when placed, and counts it when it fills', async () => {
    await setPolicy('9000', '9000');
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    const buy = (quantity: string) => ({
      accountId: 'acc-alice-b',
      classId: ACME,
      tokenId: MYR,
      side: 'BUY',
      price: '100',
      quantity,
    });
    await m.refused('COMPLIANCE: INVESTOR_LIMIT_EXCEEDED', aliceAtB, 'Market', 'PlaceOrder', [], buy('41'));
    await m.ok(aliceAtB, 'Market', 'PlaceOrder', [], buy('40'));
    await m.issue('acc-bob', '40');
    await m.ok(ids.bob, 'Market', 'PlaceOrder', [], { ...buy('40'), accountId: 'acc-bob', side: 'SELL' });
    await m.ok(ids.trustee, 'Market', 'Match', [JSON.stringify({ classId: ACME, maxFills: 10 })]);
    expect(await m.balance('acc-alice-b', ACME)).to.equal(40n);
    expect(await usage('acc-alice')).to.include({ total: '9000', issuer: '9000' });
    await m.refused(
      'COMPLIANCE: INVESTOR_LIMIT_EXCEEDED',
      ids.alice,
      'Campaigns',
      'Pledge',
      [],
      pledge('acc-alice', '100'),
    );
  });

  it("counts one Match's fills cumulatively: of two resting buys that each fit when it starts, the one that would pass the cap is withdrawn", async () => {
    await setPolicy('9000', '9000');
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    const buy = { accountId: 'acc-alice-b', classId: ACME, tokenId: MYR, side: 'BUY', price: '100', quantity: '30' };
    // Each order alone fits the 4000 left; together they would make 11000.
    const first = await m.ok<string>(aliceAtB, 'Market', 'PlaceOrder', [], buy);
    const second = await m.ok<string>(aliceAtB, 'Market', 'PlaceOrder', [], buy);
    await m.issue('acc-bob', '60');
    const sell = await m.ok<string>(ids.bob, 'Market', 'PlaceOrder', [], {
      ...buy,
      accountId: 'acc-bob',
      side: 'SELL',
      quantity: '60',
    });
    const summary = await m.ok<{ fills: number; withdrawn: number }>(ids.trustee, 'Market', 'Match', [
      JSON.stringify({ classId: ACME, maxFills: 10 }),
    ]);
    expect(summary, 'one fill traded, the other withdrew its order').to.include({ fills: 1, withdrawn: 1 });
    expect(await usage('acc-alice')).to.include({ total: '8000', issuer: '8000' });
    expect(await m.balance('acc-alice-b', ACME)).to.equal(30n);
    // The withdrawn order's escrow is back: 3000 paid, nothing else held.
    expect(await m.balance('acc-alice-b', MYR)).to.equal(97000n);
    const status = async (id: string) =>
      (await m.ok<{ status: string; remaining: string }>(ids.regulator, 'Market', 'GetOrder', [ACME, id])).status;
    expect([await status(first), await status(second)].sort()).to.deep.equal(['CANCELLED', 'FILLED']);
    // The seller's unsold units keep resting for the next Match.
    const rest = await m.ok<{ status: string; remaining: string }>(ids.regulator, 'Market', 'GetOrder', [ACME, sell]);
    expect(rest).to.include({ status: 'OPEN', remaining: '30' });
    for (const asset of [MYR, ACME]) expect((await m.supply(asset)).consistent, asset).to.equal(true);
  });

  it("gives back a failed campaign's refunds, at both operators, from the year that counted them", async () => {
    await setPolicy('9000', '9000');
    // 40 units pledged of the 50 the campaign needs: it fails and refunds everything.
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '3000'));
    await m.ok(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '1000'));
    expect(await usage('acc-alice')).to.include({ total: '4000' });
    m.world.now = openAt + 11 * DAY;
    let status = '';
    for (let i = 0; i < 10 && status !== 'FAILED'; i++) {
      status = (
        await m.ok<{ status: string }>(ids.trustee, 'Campaigns', 'Settle', [
          JSON.stringify({ campaignId: 'acme-seed', batchSize: 1 }),
        ])
      ).status;
    }
    expect(status).to.equal('FAILED');
    expect(await usage('acc-alice')).to.include({ total: '0', issuer: '0' });
    expect(await m.balance('acc-alice-b', MYR)).to.equal(100000n);
  });

  it('gives back a withdrawn pledge, and counts only retail investors', async () => {
    await setPolicy('5000', '5000');
    const id = await m.ok<string>(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '5000'));
    await m.refused(
      'COMPLIANCE: INVESTOR_LIMIT_EXCEEDED',
      aliceAtB,
      'Campaigns',
      'Pledge',
      [],
      pledge('acc-alice-b', '100'),
    );
    await m.ok(ids.alice, 'Campaigns', 'WithdrawPledge', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-alice',
      pledgeId: id,
    });
    expect((await usage('acc-alice')).total).to.equal('0');
    await m.ok(aliceAtB, 'Campaigns', 'Pledge', [], pledge('acc-alice-b', '5000'));
    // bob is sophisticated: no retail cap, no counter.
    const r = await m.call(ids.bob, 'Campaigns', 'Pledge', [], pledge('acc-bob', '8000'));
    expect(r.ok).to.equal(true);
    expect(limitWrites(r)).to.deep.equal([]);
  });

  it("never lets two people's pledges touch the same key, and stores no readable owner hash", async () => {
    await setPolicy('90000', '90000');
    const a = await m.call(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '1000'));
    const c = await m.call(ids.carol, 'Campaigns', 'Pledge', [], pledge('acc-carol', '1000'));
    expect(limitWrites(a)).to.have.length(2);
    expect(limitWrites(c)).to.have.length(2);
    expect(limitWrites(a).filter((k) => limitWrites(c).includes(k))).to.deep.equal([]);
    const owner = beneficialOwnerHash({ nationalId: 'ID-acc-alice', dateOfBirth: '1990-01-01' });
    for (const [k, v] of m.world.collection(INVESTOR_LIMITS_COLLECTION)) {
      expect(k).not.to.include(owner);
      expect(v.toString()).not.to.include(owner);
    }
  });

  it("refuses a capped pledge simulated on an operator's peer, writing nothing, and reads no usage there", async () => {
    await setPolicy('9000', '9000');
    m.world.peerMspId = 'OperatorAMSP';
    await m.refused('UNAVAILABLE', ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '1000'));
    await m.refused('FORBIDDEN', ids.trustee, 'Limits', 'GetUsage', [
      JSON.stringify({ accountId: 'acc-alice', tokenId: MYR }),
    ]);
  });

  it('touches no counter for a token without caps', async () => {
    const r = await m.call(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '1000'));
    expect(r.ok).to.equal(true);
    expect(limitWrites(r)).to.deep.equal([]);
  });

  it("property: the person's usage is the sum of its live pledges at both operators, and never passes the cap", async () => {
    const who = fc.constantFrom({ id: ids.alice, account: 'acc-alice' }, { id: aliceAtB, account: 'acc-alice-b' });
    const step = fc.oneof(
      fc.record({ op: fc.constant('pledge' as const), who, hundreds: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ op: fc.constant('withdraw' as const), nth: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        m = await new Market().setup();
        await m.seal([INVESTOR_LIMITS_COLLECTION]);
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
        const live: Array<{ id: typeof ids.alice; account: string; pledgeId: string; amount: number }> = [];
        for (const s of steps) {
          if (s.op === 'pledge') {
            const amount = s.hundreds * 100;
            const sum = live.reduce((t, p) => t + p.amount, 0);
            const r = await m.call<string>(s.who.id, 'Campaigns', 'Pledge', [], pledge(s.who.account, String(amount)));
            expect(r.ok, r.error?.message).to.equal(sum + amount <= 6000);
            if (r.ok) live.push({ id: s.who.id, account: s.who.account, pledgeId: r.value as string, amount });
          } else if (live.length > 0) {
            const [p] = live.splice(s.nth % live.length, 1);
            if (!p) continue;
            await m.ok(p.id, 'Campaigns', 'WithdrawPledge', [], {
              campaignId: 'acme-seed',
              accountId: p.account,
              pledgeId: p.pledgeId,
            });
          }
          const sum = live.reduce((t, p) => t + p.amount, 0);
          expect((await usage('acc-alice')).total).to.equal(String(sum));
        }
      }),
      { numRuns: 25 },
    );
  });
});
