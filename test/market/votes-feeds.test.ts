import { expect } from 'chai';
import { gatewayErrorText } from '@ecf/network';
import { blocksSeenBy, filesContaining } from '../support/adversary';
import { Client, ClientPool, createShareClass } from '../support/client';
import { until } from '../support/eventually';
import { nowSeconds } from '../support/fixtures';
import { sharedMarket, SHARED_MONEY } from '../support/shared-network';
import { onboardAccount } from '../support/market-steps';

const MYR = SHARED_MONEY;
const VOTE_CLASS = 'vote-CLS';
const PX_CLASS = 'px-CLS';
const salt = 'dm90ZXMtYW5kLWZlZWRzLXNhbHQ=';
const reason = 'independent price sources for the band';

/** Waits for the machine's clock (which stamps the gateways' transactions) to pass a ledger time. */
const clockPast = (t: number, what: string) =>
  until(
    async () => nowSeconds(),
    (now) => now > t,
    what,
    120_000,
  );

describe('shareholder votes and reference prices on the real network', function () {
  this.timeout(600_000);
  // Its own accounts and classes on the shared network; the breaker it trips is its own class's.
  let pool: ClientPool;
  let net: Awaited<ReturnType<typeof sharedMarket>>['net'];
  let regulator: Client;
  let trustee: Client;
  let operatorA: Client;
  let operatorB: Client;

  const onboard = (op: Client, accountId: string, type: 'investor' | 'issuer') =>
    onboardAccount(op, accountId, type, salt, { investorClass: type === 'issuer' ? 'sophisticated' : 'retail' });
  const issue = (classId: string, accountId: string, amount: string) =>
    trustee.submit('Equity:Issue', { transient: { classId, accountId, amount, purpose: 'offering' } });

  before(async () => {
    const shared = await sharedMarket();
    pool = shared.pool;
    net = shared.net;
    regulator = pool.get('Regulator');
    trustee = pool.get('Trustee');
    operatorA = pool.get('OperatorA');
    operatorB = pool.get('OperatorB');
    await Promise.all([onboard(operatorA, 'vote-iss', 'issuer'), onboard(operatorA, 'px-iss', 'issuer')]);
    await Promise.all([
      onboard(operatorA, 'vote-ann', 'investor'),
      onboard(operatorA, 'vote-cal', 'investor'),
      onboard(operatorB, 'vote-bob', 'investor'),
      onboard(operatorA, 'px-sel', 'investor'),
      onboard(operatorB, 'px-buy', 'investor'),
    ]);
    await createShareClass(trustee, VOTE_CLASS, 'vote-iss');
    await createShareClass(trustee, PX_CLASS, 'px-iss');
    await Promise.all([
      issue(VOTE_CLASS, 'vote-ann', '60'),
      issue(VOTE_CLASS, 'vote-bob', '40'),
      issue(PX_CLASS, 'px-sel', '10'),
      trustee.submit('Money:Deposit', {
        transient: { accountId: 'px-buy', tokenId: MYR, amount: '100000', bankReference: 'DEP-px-buy' },
      }),
    ]);
  });

  it('reaches quorum across both operators with one cross-operator delegation, counting holdings at the record time', async () => {
    const recordTime = nowSeconds() + 8;
    const closesAt = recordTime + 40;
    await operatorA.submit('Votes:Propose', {
      args: [
        JSON.stringify({
          resolutionId: 'vote-agm',
          classId: VOTE_CLASS,
          title: 'Approve the annual accounts',
          recordTime,
          opensAt: recordTime,
          closesAt,
          quorumBps: 6000,
          majorityBps: 5000,
        }),
      ],
    });
    await clockPast(recordTime, 'the record time passes');
    // After the record time: moves units, not votes.
    await operatorA.submit('Transfers:Transfer', {
      transient: { from: 'vote-ann', to: 'vote-cal', assetId: VOTE_CLASS, amount: '10' },
    });
    await operatorB.submit('Votes:Delegate', {
      transient: { resolutionId: 'vote-agm', accountId: 'vote-bob', proxyAccountId: 'vote-ann' },
    });
    const nonce = 'dm90ZS1hbm4tbm9uY2UtYnl0ZXMtLS0=';
    await operatorA.submit('Votes:Cast', {
      transient: { resolutionId: 'vote-agm', accountId: 'vote-ann', choice: 'FOR', nonce },
    });
    try {
      await operatorB.submit('Votes:Cast', {
        transient: { resolutionId: 'vote-agm', accountId: 'vote-bob', choice: 'AGAINST', nonce },
      });
      expect.fail('a principal that delegated must not vote the same units');
    } catch (err) {
      expect(gatewayErrorText(err)).to.match(/CONFLICT: vote-bob has delegated/);
    }
    await clockPast(closesAt, 'voting closes');
    for (const operatorMspId of ['OperatorAMSP', 'OperatorBMSP']) {
      for (let done = false; !done;) {
        const q = { resolutionId: 'vote-agm', operatorMspId, max: 50 };
        const { evidence } = await trustee.evaluate<{ evidence: unknown[] }>('Votes:CountEvidence', {
          args: [JSON.stringify(q)],
        });
        ({ done } = await trustee.submit<{ done: boolean }>('Votes:Count', { transient: { ...q, evidence } }));
      }
    }
    const closed = await trustee.submit<{ tally: Record<string, unknown> & { receipts: string[] } }>('Votes:Publish', {
      args: [JSON.stringify({ resolutionId: 'vote-agm' })],
    });
    // ann's 60 at the record time (not the 50 she holds now) and bob's 40 through her ballot.
    expect(closed.tally).to.deep.include({
      eligible: '100',
      for: '100',
      against: '0',
      abstain: '0',
      quorumMet: true,
      passed: true,
    });
    const ann = await operatorA.evaluate<{ receipt: string; counted: boolean }>('Votes:GetBallot', {
      args: [JSON.stringify({ resolutionId: 'vote-agm', accountId: 'vote-ann' })],
    });
    expect(ann.counted).to.equal(true);
    expect(closed.tally.receipts).to.deep.equal([ann.receipt]);

    // The competitor's side: it may not read the ballot, and nothing it stores names the choice or the nonce;
    // the receipt appears only in the public tally.
    try {
      await operatorB.evaluate('Votes:GetBallot', {
        args: [JSON.stringify({ resolutionId: 'vote-agm', accountId: 'vote-ann' })],
      });
      expect.fail('OperatorB must not read a ballot of OperatorA’s customer');
    } catch (err) {
      expect(gatewayErrorText(err)).to.match(/FORBIDDEN/);
    }
    const seen = await blocksSeenBy(net.layout, net.org('OperatorB'), 'market');
    const cast = seen.filter((t) => t.valid && t.fn === 'Votes:Cast' && t.creatorMspId === 'OperatorAMSP');
    expect(cast).to.have.length(1);
    const castText = JSON.stringify(cast);
    expect(castText).not.to.match(/"FOR"/);
    expect(castText).not.to.include(nonce);
    expect(castText).not.to.include(ann.receipt);
    const withReceipt = seen.filter((t) => JSON.stringify(t).includes(ann.receipt)).map((t) => t.fn);
    expect(withReceipt).to.deep.equal(['Votes:Publish']);
    // The proxy is named in no public read: OperatorA's copy of bob's delegation shows neither ann nor a choice.
    const delegated = (await blocksSeenBy(net.layout, net.org('OperatorA'), 'market')).filter(
      (t) => t.valid && t.fn === 'Votes:Delegate',
    );
    expect(delegated.map((t) => t.creatorMspId)).to.deep.equal(['OperatorBMSP']);
    expect(JSON.stringify(delegated)).not.to.include('vote-ann');
    const peerB = net.org('OperatorB').peers[0];
    if (!peerB) throw new Error('no OperatorB peer');
    expect(filesContaining(net.layout.nodeData(peerB.id), [nonce])).to.deep.equal([]);
  });

  it('ignores a flash-crash feed, and moves the band when a majority of feeds move', async () => {
    const providers = [
      { providerId: 'px-a', client: operatorA, mspId: 'OperatorAMSP' },
      { providerId: 'px-b', client: operatorB, mspId: 'OperatorBMSP' },
      { providerId: 'px-t', client: trustee, mspId: 'TrusteeMSP' },
    ];
    for (const p of providers) {
      await regulator.submit('PriceFeeds:RegisterProvider', {
        args: [JSON.stringify({ providerId: p.providerId, mspId: p.mspId, enrollmentId: 'gateway', reason })],
      });
    }
    await regulator.submit('PriceFeeds:Configure', {
      args: [JSON.stringify({ classId: PX_CLASS, staleSeconds: 3600, minFeeds: 2, outlierBps: 2000, reason })],
    });
    await regulator.submit('Market:SetCircuitBreaker', {
      args: [JSON.stringify({ classId: PX_CLASS, referencePrice: '100', bandBps: 1000, coolingSeconds: 3600, reason })],
    });
    const post = (i: number, price: string) => {
      const p = providers[i]!;
      return p.client.submit('PriceFeeds:PostPrice', {
        args: [JSON.stringify({ providerId: p.providerId, classId: PX_CLASS, price })],
      });
    };
    const reference = () =>
      operatorB.evaluate<{ source: string; price?: string; used: string[] }>('PriceFeeds:GetReference', {
        args: [PX_CLASS],
      });
    const cross = async (price: string) => {
      await operatorA.submit('Market:PlaceOrder', {
        transient: { accountId: 'px-sel', classId: PX_CLASS, tokenId: MYR, side: 'SELL', price, quantity: '1' },
      });
      await operatorB.submit('Market:PlaceOrder', {
        transient: { accountId: 'px-buy', classId: PX_CLASS, tokenId: MYR, side: 'BUY', price, quantity: '1' },
      });
      return trustee.submit<{ fills: number; halted: boolean }>('Market:Match', {
        args: [JSON.stringify({ classId: PX_CLASS })],
      });
    };

    await Promise.all([post(0, '100'), post(1, '100'), post(2, '50')]);
    const crashed = await until(reference, (r) => r.used.length === 2, 'every quote visible to OperatorB');
    expect(crashed).to.deep.include({ source: 'FEEDS', price: '100', used: ['px-a', 'px-b'] });
    expect(await cross('100')).to.include({ fills: 1, halted: false });

    await Promise.all([post(0, '150'), post(1, '150')]);
    const moved = await until(reference, (r) => r.price === '150', 'the majority’s move visible to OperatorB');
    expect(moved).to.deep.include({ source: 'FEEDS', used: ['px-a', 'px-b'] });
    // 150 is 50% above both the breaker's own reference and the last trade: it trades only if the band followed.
    expect(await cross('150')).to.include({ fills: 1, halted: false });
    const asset = await regulator.evaluate<{ halted?: boolean }>('Registry:GetAsset', { args: [PX_CLASS] });
    expect(asset.halted ?? false).to.equal(false);
  });
});
