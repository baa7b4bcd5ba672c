import { campaignRecordSchema, type CampaignView } from '@ecf/common';
import { expect } from 'chai';
import { ACME, campaignTerms, ids, Market, MYR } from '../testing/market-fixture';

const DAY = 86400;
const COOLING_OFF = 2 * DAY; // the fixture's terms

describe("Campaigns:CloseEarly: the issuer's operator closes a campaign before its deadline (decision 64)", () => {
  let m: Market;
  let openAt: number;
  const ref = (campaignId = 'acme-seed') => [JSON.stringify({ campaignId })];
  const close = (over: Record<string, unknown> = {}) => [JSON.stringify({ campaignId: 'acme-seed', ...over })];
  const pledge = (accountId: string, amount: string) => ({ campaignId: 'acme-seed', accountId, amount });
  const get = () => m.ok<CampaignView>(ids.trustee, 'Campaigns', 'Get', ref());

  async function launch(): Promise<void> {
    await m.ok(ids.acme, 'Campaigns', 'Propose', [JSON.stringify(campaignTerms(openAt))]);
    await m.ok(ids.operatorA, 'Campaigns', 'Approve', ref());
    await m.ok(ids.trustee, 'Campaigns', 'Fund', ref());
  }

  async function settleAll(): Promise<CampaignView> {
    for (let i = 0; i < 20; i++) {
      const c = await m.ok<CampaignView>(ids.trustee, 'Campaigns', 'Settle', [
        JSON.stringify({ campaignId: 'acme-seed', batchSize: 1 }),
      ]);
      if (c.status !== 'SETTLING') return c;
    }
    throw new Error('settlement did not finish');
  }

  beforeEach(async () => {
    m = await new Market().setup();
    openAt = m.world.now + DAY;
    for (const a of ['acc-alice', 'acc-bob', 'acc-carol']) await m.deposit(a, '100000');
  });

  it('is refused to anyone but the campaign operator, and before funding, opening, or after the close', async () => {
    await m.ok(ids.acme, 'Campaigns', 'Propose', [JSON.stringify(campaignTerms(openAt))]);
    expect(await m.refused('CONFLICT', ids.operatorA, 'Campaigns', 'CloseEarly', close())).to.contain(
      'CAMPAIGN_NOT_FUNDED',
    );
    await m.ok(ids.operatorA, 'Campaigns', 'Approve', ref());
    expect(await m.refused('CONFLICT', ids.operatorA, 'Campaigns', 'CloseEarly', close())).to.contain(
      'CAMPAIGN_NOT_FUNDED',
    );
    await m.ok(ids.trustee, 'Campaigns', 'Fund', ref());
    expect(await m.refused('CONFLICT', ids.operatorA, 'Campaigns', 'CloseEarly', close())).to.contain(
      'CAMPAIGN_NOT_OPEN',
    );
    m.world.now = openAt;
    for (const who of [ids.operatorB, ids.acme, ids.trustee, ids.regulator, ids.alice]) {
      await m.refused('FORBIDDEN', who, 'Campaigns', 'CloseEarly', close());
    }
    await m.refused('NOT_FOUND', ids.operatorA, 'Campaigns', 'CloseEarly', close({ campaignId: 'nope' }));
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Campaigns', 'CloseEarly', close({ extra: 1 }));

    await m.ok(ids.regulator, 'Supervision', 'HaltInstrument', [
      JSON.stringify({ assetId: ACME, halted: true, reason: 'news pending' }),
    ]);
    expect(await m.refused('COMPLIANCE', ids.operatorA, 'Campaigns', 'CloseEarly', close())).to.contain(
      'INSTRUMENT_HALTED',
    );
    await m.ok(ids.regulator, 'Supervision', 'HaltInstrument', [
      JSON.stringify({ assetId: ACME, halted: false, reason: 'news published' }),
    ]);

    // Later than the deadline, or cutting into a cooling-off period that runs from now.
    const { closeAt } = await get();
    for (const at of [closeAt, closeAt + 1, m.world.now + COOLING_OFF]) {
      await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Campaigns', 'CloseEarly', close({ closeAt: at }));
    }
    // Within one cooling-off period of the deadline there is no earlier close to give.
    m.world.now = closeAt - COOLING_OFF - 1;
    expect(await m.refused('CONFLICT', ids.operatorA, 'Campaigns', 'CloseEarly', close())).to.contain(
      'CLOSE_NOT_EARLIER',
    );
    m.world.now = closeAt;
    expect(await m.refused('CONFLICT', ids.operatorA, 'Campaigns', 'CloseEarly', close())).to.contain(
      'CAMPAIGN_CLOSED',
    );
  });

  it('moves the close to after every running cooling-off period, writing only the public campaign record', async () => {
    await launch();
    m.world.now = openAt;
    const alice = await m.ok<string>(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '3000'));
    m.world.now += 3600;
    const carol = await m.ok<string>(ids.carol, 'Campaigns', 'Pledge', [], pledge('acc-carol', '2000'));
    const original = (await get()).closeAt;

    // No private collection may be read: the operator's peer is not a member of the other's.
    const collection = m.world.collection.bind(m.world);
    m.world.collection = (name: string) => {
      throw new Error(`CloseEarly read collection ${name}`);
    };
    const r = await m.call<string>(ids.operatorA, 'Campaigns', 'CloseEarly', close());
    m.world.collection = collection;
    expect(r.ok, r.error?.message).to.equal(true);
    // The one write: the campaign record, which pledges read but never write, so they never conflict with it.
    expect(r.stub.attemptedWrites.map((w) => [w.kind, w.collection, w.key])).to.deep.equal([
      ['put', undefined, '\u0000campaign\u0000acme-seed\u0000'],
    ]);
    const closed = campaignRecordSchema.parse(r.value) as CampaignView;
    const now = m.world.now;
    expect(closed.closeAt).to.equal(now + COOLING_OFF + 1);
    expect(closed.settleableFrom).to.equal(closed.closeAt);
    expect(closed.earlyClose).to.deep.equal({ at: now, by: 'OperatorAMSP', originalCloseAt: original });
    expect(m.world.events.at(-1)?.name).to.equal('CampaignClosedEarly');
    expect(m.world.events.at(-1)?.payload).to.deep.include({
      campaignId: 'acme-seed',
      operatorMspId: 'OperatorAMSP',
      closeAt: closed.closeAt,
      originalCloseAt: original,
    });

    // Pledges still arrive until the new close; the one made in the same second keeps its whole period.
    const bob = await m.ok<string>(ids.bob, 'Campaigns', 'Pledge', [], pledge('acc-bob', '1000'));
    await m.refused('CONFLICT', ids.trustee, 'Campaigns', 'Settle', ref());
    m.world.now = now + COOLING_OFF; // the last second of bob's cooling-off, and of every earlier pledge's
    await m.ok(ids.bob, 'Campaigns', 'WithdrawPledge', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-bob',
      pledgeId: bob,
    });
    await m.ok(ids.bob, 'Campaigns', 'Pledge', [], pledge('acc-bob', '1000'));
    m.world.now = closed.closeAt;
    await m.refused('CONFLICT', ids.bob, 'Campaigns', 'Pledge', [], pledge('acc-bob', '1000'));
    await m.refused('CONFLICT', ids.alice, 'Campaigns', 'WithdrawPledge', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-alice',
      pledgeId: alice,
    });
    expect(carol).to.be.a('string');
    await m.refused('CONFLICT', ids.operatorA, 'Campaigns', 'CloseEarly', close());

    const done = await settleAll();
    expect(done.status).to.equal('SUCCEEDED');
    expect(await m.balance('acc-alice', ACME)).to.equal(30n);
    expect(await m.balance('acc-carol', ACME)).to.equal(20n);
    expect(await m.balance('acc-bob', ACME)).to.equal(10n);
    expect(await m.balance('acc-acme', MYR)).to.equal(6000n);
    for (const asset of [MYR, ACME]) expect((await m.supply(asset)).consistent).to.equal(true);
  });

  it('closes at a later time the operator names, and a second early close keeps the original deadline', async () => {
    await launch();
    m.world.now = openAt;
    const original = (await get()).closeAt;
    const first = await m.ok<CampaignView>(
      ids.operatorA,
      'Campaigns',
      'CloseEarly',
      close({ closeAt: original - DAY }),
    );
    expect(first.closeAt).to.equal(original - DAY);
    m.world.now += DAY;
    const second = await m.ok<CampaignView>(ids.operatorA, 'Campaigns', 'CloseEarly', close());
    expect(second.closeAt).to.equal(m.world.now + COOLING_OFF + 1);
    expect(second.earlyClose).to.deep.include({ at: m.world.now, originalCloseAt: original });
  });

  it('reopens until the original deadline, rather than fails, a campaign closed early below its minimum', async () => {
    await launch();
    m.world.now = openAt;
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '3000'));
    const original = (await get()).closeAt;
    const closed = await m.ok<CampaignView>(ids.operatorA, 'Campaigns', 'CloseEarly', close());
    m.world.now = closed.closeAt;
    // 30 of the 50 units: the tally finds the minimum not reached and gives the campaign its time back.
    const reopened = await settleAll();
    expect(reopened).to.deep.include({ status: 'FUNDED', closeAt: original, settleableFrom: original });
    expect(reopened).not.to.have.property('settlement');
    expect(reopened.earlyClose).to.deep.include({ originalCloseAt: original, reopenedAt: m.world.now });
    expect(m.world.events.at(-1)?.name).to.equal('CampaignReopened');
    expect(m.world.events.at(-1)?.payload).to.deep.include({ campaignId: 'acme-seed', closeAt: original });
    expect(await m.balance('acc-alice', MYR)).to.equal(97000n); // the pledge stands

    await m.ok(ids.carol, 'Campaigns', 'Pledge', [], pledge('acc-carol', '2000'));
    await m.refused('CONFLICT', ids.trustee, 'Campaigns', 'Settle', ref());
    m.world.now = original;
    expect((await settleAll()).status).to.equal('SUCCEEDED');
    expect(await m.balance('acc-alice', ACME)).to.equal(30n);
    expect(await m.balance('acc-carol', ACME)).to.equal(20n);
  });

  it('fails as any campaign a campaign closed early and settled below its minimum after its original deadline', async () => {
    await launch();
    m.world.now = openAt;
    await m.ok(ids.alice, 'Campaigns', 'Pledge', [], pledge('acc-alice', '3000'));
    const original = (await get()).closeAt;
    await m.ok(ids.operatorA, 'Campaigns', 'CloseEarly', close());
    m.world.now = original;
    expect((await settleAll()).status).to.equal('FAILED');
    expect(await m.balance('acc-alice', MYR)).to.equal(100000n);
  });
});
