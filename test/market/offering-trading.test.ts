import { expect } from 'chai';
import { gatewayErrorText } from '@ecf/network';
import { Client, ClientPool, createShareClass } from '../support/client';
import { eventually } from '../support/eventually';
import { campaignTerms, pastClose } from '../support/fixtures';
import { sharedMarket, SHARED_MONEY } from '../support/shared-network';
import { balanceOf, consistentSupply, depositTo, onboardAccount } from '../support/market-steps';

const MYR = SHARED_MONEY;
const CLASS = 'ACME-ORD';
const salt = 'b2ZmZXJpbmctdGVzdC1zYWx0LTk=';

describe('campaigns and the secondary market on the real network', function () {
  this.timeout(600_000);
  // Its own accounts and class on the shared network; its halt and circuit breaker are the class's own.
  let pool: ClientPool;
  let regulator: Client;
  let trustee: Client;
  let operatorA: Client;
  let operatorB: Client;
  /** Units the pro-rata allocation gave acc-cat (22 or 23, by pledge order). */
  let catUnits = 0;

  const client = (org: string) => pool.get(org);
  const onboard = (op: Client, accountId: string, type: 'investor' | 'issuer', investorClass = 'retail') =>
    onboardAccount(op, accountId, type, salt, { investorClass });
  const deposit = (accountId: string, amount: string) => depositTo(trustee, accountId, MYR, amount);
  const balance = (accountId: string, assetId: string) => balanceOf(regulator, accountId, assetId);
  const consistent = async () => {
    for (const assetId of [MYR, CLASS]) await consistentSupply(regulator, assetId);
  };
  const settle = async (campaignId: string) => {
    for (let i = 0; i < 50; i++) {
      const c = await trustee.submit<{
        status: string;
        settlement?: { pledgesSettled?: number; pledgesTotal?: number };
      }>('Campaigns:Settle', {
        args: [JSON.stringify({ campaignId, batchSize: 2 })],
      });
      if (c.status === 'SUCCEEDED' || c.status === 'FAILED') return c;
    }
    throw new Error(`campaign ${campaignId} did not settle`);
  };
  const campaign = (campaignId: string, closeIn: number, over: Record<string, unknown> = {}) =>
    campaignTerms({ campaignId, classId: CLASS, tokenId: MYR }, closeIn, over);
  const launch = async (terms: ReturnType<typeof campaign>) => {
    await operatorA.submit('Campaigns:Propose', { args: [JSON.stringify(terms)] });
    await operatorA.submit('Campaigns:Approve', { args: [JSON.stringify({ campaignId: terms.campaignId })] });
    await trustee.submit('Campaigns:Fund', { args: [JSON.stringify({ campaignId: terms.campaignId })] });
  };
  const pledge = (op: Client, campaignId: string, accountId: string, amount: string) =>
    op.submit<string>('Campaigns:Pledge', { transient: { campaignId, accountId, amount } });

  before(async () => {
    pool = (await sharedMarket()).pool;
    regulator = client('Regulator');
    trustee = client('Trustee');
    operatorA = client('OperatorA');
    operatorB = client('OperatorB');
    await onboard(operatorA, 'acc-acme', 'issuer', 'sophisticated');
    await Promise.all([
      onboard(operatorA, 'acc-ann', 'investor'),
      onboard(operatorA, 'acc-ben', 'investor', 'sophisticated'),
      onboard(operatorB, 'acc-cat', 'investor'),
    ]);
    await createShareClass(trustee, CLASS, 'acc-acme');
    await Promise.all(['acc-ann', 'acc-ben', 'acc-cat'].map((a) => deposit(a, '1000000')));
  });

  it('settles an oversubscribed campaign pro rata across operators, with a cooling-off withdrawal on the way', async () => {
    const terms = campaign('seed', 20);
    await launch(terms);
    const withdrawn = await pledge(operatorA, 'seed', 'acc-ann', '3000');
    await operatorA.submit('Campaigns:WithdrawPledge', {
      transient: { campaignId: 'seed', accountId: 'acc-ann', pledgeId: withdrawn },
    });
    await Promise.all([
      pledge(operatorA, 'seed', 'acc-ann', '8000'),
      pledge(operatorA, 'seed', 'acc-ben', '6000'),
      pledge(operatorB, 'seed', 'acc-cat', '4000'),
    ]);
    await consistent();
    await pastClose(terms);
    const done = await settle('seed');
    expect(done.status).to.equal('SUCCEEDED');
    // 180 units pledged for 100: exact shares 44.4, 33.3 and 22.2. Cumulative rounding in pledge-index
    // order gives each its share rounded down or up, and exactly 100 in total.
    const units = async () => [
      await balance('acc-ann', CLASS),
      await balance('acc-ben', CLASS),
      await balance('acc-cat', CLASS),
    ];
    await eventually(
      async () => (await units()).reduce((a, b) => a + Number(b), 0),
      100,
      'all units on offer allocated',
    );
    const [ann, ben, cat] = (await units()).map(Number) as [number, number, number];
    expect(ann).to.be.within(44, 45);
    expect(ben).to.be.within(33, 34);
    expect(cat).to.be.within(22, 23);
    catUnits = cat;
    expect(await balance('acc-acme', MYR)).to.equal('10000');
    expect(await balance('acc-cat', MYR)).to.equal(String(1000000 - cat * 100));
    await consistent();
  });

  it('refunds every pledge of a campaign that misses its minimum', async () => {
    const terms = campaign('bridge', 15, { minUnits: '90' });
    await operatorA.submit('Campaigns:Propose', { args: [JSON.stringify(terms)] });
    await operatorA.submit('Campaigns:Approve', { args: [JSON.stringify({ campaignId: 'bridge' })] });
    // Approved, not yet funded: nothing is open to close early (decision 64); refused at endorsement.
    try {
      await operatorA.submit('Campaigns:CloseEarly', { args: [JSON.stringify({ campaignId: 'bridge' })] });
      expect.fail('a campaign that is not funded does not close early');
    } catch (err) {
      expect(gatewayErrorText(err)).to.match(/CONFLICT: CAMPAIGN_NOT_FUNDED: campaign bridge is APPROVED/);
    }
    await trustee.submit('Campaigns:Fund', { args: [JSON.stringify({ campaignId: 'bridge' })] });
    const before = String(1000000 - catUnits * 100);
    await pledge(operatorB, 'bridge', 'acc-cat', '1000');
    await eventually(() => balance('acc-cat', MYR), String(Number(before) - 1000), 'money escrowed by the pledge');
    await pastClose(terms);
    const done = await settle('bridge');
    expect(done.status).to.equal('FAILED');
    await eventually(() => balance('acc-cat', MYR), before, 'full refund');
    await consistent();
  });

  it('trades across operators delivery-versus-payment, with a partial fill', async () => {
    await operatorA.submit('Market:PlaceOrder', {
      transient: { accountId: 'acc-ben', classId: CLASS, tokenId: MYR, side: 'SELL', price: '120', quantity: '20' },
    });
    // No pause between the two: both join the same book epoch (no Match between them), so neither rests and
    // which came first does not matter. With no reference price yet (no breaker, no earlier trade of the class),
    // the batch trades at the lowest price both accept, 120.
    await operatorB.submit('Market:PlaceOrder', {
      transient: { accountId: 'acc-cat', classId: CLASS, tokenId: MYR, side: 'BUY', price: '125', quantity: '15' },
    });
    const r = await trustee.submit<{ fills: number }>('Market:Match', { args: [JSON.stringify({ classId: CLASS })] });
    expect(r.fills).to.equal(1);
    await eventually(() => balance('acc-cat', CLASS), String(catUnits + 15), 'units delivered to the buyer');
    const book = await operatorA.evaluate<{ asks: Array<{ remaining: string }> }>('Market:GetOrderBook', {
      args: [CLASS],
    });
    expect(book.asks.map((a) => a.remaining)).to.deep.equal(['5']);
    const trades = await operatorB.evaluate<Array<{ price: string; quantity: string }>>('Market:ListTrades', {
      args: [CLASS],
    });
    expect(trades.map((t) => `${t.quantity}@${t.price}`)).to.deep.equal(['15@120']);
    await consistent();
  });

  it('halts the instrument on a trade outside the circuit-breaker band, and the regulator resumes it', async () => {
    await regulator.submit('Market:SetCircuitBreaker', {
      args: [
        JSON.stringify({
          classId: CLASS,
          referencePrice: '100',
          bandBps: 1000,
          coolingSeconds: 3600,
          reason: 'volatility control',
        }),
      ],
    });
    // The 5 units left of the last test's ask rest from an earlier book epoch, so the new bid trades at the ask's
    // own price, 120: outside 10% of 100.
    await operatorB.submit('Market:PlaceOrder', {
      transient: { accountId: 'acc-cat', classId: CLASS, tokenId: MYR, side: 'BUY', price: '200', quantity: '5' },
    });
    const r = await trustee.submit<{ fills: number; halted: boolean }>('Market:Match', {
      args: [JSON.stringify({ classId: CLASS })],
    });
    expect(r).to.include({ fills: 0, halted: true });
    try {
      await trustee.submit('Market:Match', { args: [JSON.stringify({ classId: CLASS })] });
      expect.fail('matching a halted instrument must be refused');
    } catch (err) {
      expect(gatewayErrorText(err)).to.match(/CONFLICT: .* is halted/);
    }
    await regulator.submit('Supervision:HaltInstrument', {
      args: [JSON.stringify({ assetId: CLASS, halted: false, reason: 'volatility reviewed' })],
    });
    await regulator.submit('Market:SetCircuitBreaker', {
      args: [
        JSON.stringify({
          classId: CLASS,
          referencePrice: '120',
          bandBps: 1000,
          coolingSeconds: 3600,
          reason: 'new reference after review',
        }),
      ],
    });
    const after = await trustee.submit<{ fills: number }>('Market:Match', {
      args: [JSON.stringify({ classId: CLASS })],
    });
    expect(after.fills).to.equal(1);
    await consistent();
  });

  it('commits 50 orders placed concurrently by 50 different investors with no conflict', async () => {
    const investors = Array.from({ length: 50 }, (_, i) => ({
      id: `acc-inv${String(i).padStart(2, '0')}`,
      op: i % 2 === 0 ? operatorA : operatorB,
    }));
    await Promise.all(investors.map((inv) => onboard(inv.op, inv.id, 'investor')));
    await Promise.all(investors.map((inv) => deposit(inv.id, '10000')));
    const results = await Promise.allSettled(
      investors.map((inv, i) =>
        inv.op.submit<string>('Market:PlaceOrder', {
          transient: {
            accountId: inv.id,
            classId: CLASS,
            tokenId: MYR,
            side: 'BUY',
            price: String(100 + (i % 7)),
            quantity: '1',
          },
        }),
      ),
    );
    const failed = results
      .filter((r) => r.status === 'rejected')
      .map((r) => gatewayErrorText((r as PromiseRejectedResult).reason));
    expect(failed, failed.join('\n')).to.deep.equal([]);
    const book = await regulator.evaluate<{ bids: unknown[] }>('Market:GetOrderBook', { args: [CLASS] });
    expect(book.bids.length).to.be.at.least(50);
    await consistent();
  });
});
