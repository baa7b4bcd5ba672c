import { expect } from 'chai';
import { operatorCollection } from '@ecf/common';
import { personalDataHash } from '../accounts/personal-data';
import { ids, Market, MYR, personal, YEAR } from '../testing/market-fixture';

describe('Accounts: onboarding, KYC, lifecycle and erasure', () => {
  let m: Market;
  beforeEach(async () => {
    m = await new Market().setup();
  });

  it('returns an account history in ledger order, newest last, numbered 1, 2, 3…', async () => {
    const deltas: string[] = [];
    for (let i = 1; i <= 12; i++) {
      await m.deposit('acc-alice', String(100 + i));
      deltas.push(String(100 + i));
      if (i % 4 === 0) {
        await m.ok(ids.alice, 'Transfers', 'Transfer', [], {
          from: 'acc-alice',
          to: 'acc-bob',
          assetId: MYR,
          amount: '7',
        });
        deltas.push('-7');
      }
    }
    const h = await m.ok<{ movements: Array<{ delta: string; seq: number }> }>(ids.alice, 'Accounts', 'GetHistory', [
      'acc-alice',
    ]);
    expect(h.movements.map((mv) => mv.delta)).to.deep.equal(deltas);
    expect(h.movements.map((mv) => mv.seq)).to.deep.equal(deltas.map((_, i) => i + 1));
  });

  it('refuses an impossible birth date, mangled text and an account id too long for its CA identity', async () => {
    const onboard = (accountId: string, personalOver: object) =>
      m.refused('INVALID_ARGUMENT', ids.operatorA, 'Accounts', 'Onboard', [], {
        accountId,
        type: 'investor',
        kyc: { validUntil: m.world.now + YEAR, investorClass: 'retail', jurisdiction: 'MY' },
        personal: { ...personal(accountId), ...personalOver },
        salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
      });
    expect(await onboard('acc-dan', { dateOfBirth: '9999-99-99' })).to.contain('dateOfBirth');
    expect(await onboard('acc-dan', { dateOfBirth: '2001-02-29' })).to.contain('dateOfBirth');
    expect(await onboard('acc-dan', { fullName: 'Ren\uFFFDe' })).to.contain('fullName');
    expect(await onboard('a'.repeat(60), {})).to.contain('59');
    await m.onboard(ids.operatorA, 'a'.repeat(59), 'investor', 'retail');
  });

  it('keeps personal data out of public state: only an opaque id, claims and a salted hash', async () => {
    const publicText = [...m.world.state.values()].map((v) => v.toString()).join('\n');
    expect(publicText).not.to.contain('ID-acc-alice');
    expect(publicText).not.to.contain('fullName');
    const account = await m.ok<{ personalDataHash: string; operatorMspId: string }>(
      ids.operatorA,
      'Accounts',
      'GetAccount',
      ['acc-alice'],
    );
    expect(account.personalDataHash).to.equal(personalDataHash(personal('acc-alice'), 'c2FsdHNhbHRzYWx0c2FsdA=='));
    const privateText = [...m.world.collection(operatorCollection('OperatorAMSP')).values()]
      .map((v) => v.toString())
      .join('\n');
    expect(privateText).to.contain('ID-acc-alice');
    expect([...m.world.collection(operatorCollection('OperatorBMSP')).values()].map(String).join('')).not.to.contain(
      'acc-alice',
    );
  });

  it('refuses personal data in arguments: onboarding reads only transient data', async () => {
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Accounts', 'Onboard', []);
  });

  it('lets the operator, its trustee and the regulator read personal data; not the competitor or another user', async () => {
    for (const who of [ids.operatorA, ids.trustee, ids.regulator, ids.alice]) {
      const r = await m.ok<{ personal: { fullName: string } }>(who, 'Accounts', 'GetPersonalData', ['acc-alice']);
      expect(r.personal.fullName).to.equal('acc-alice');
    }
    await m.refused('FORBIDDEN', ids.operatorB, 'Accounts', 'GetPersonalData', ['acc-alice']);
    await m.refused('FORBIDDEN', ids.bob, 'Accounts', 'GetPersonalData', ['acc-alice']);
    await m.refused('FORBIDDEN', ids.carol, 'Accounts', 'GetAccount', ['acc-alice']);
  });

  it('verifies the private record against the public hash and the on-chain private data hash', async () => {
    const v = await m.ok<{ present: boolean; matchesAccount: boolean; onChainHash: string }>(
      ids.regulator,
      'Accounts',
      'VerifyPersonalData',
      ['acc-alice'],
    );
    expect(v.present).to.equal(true);
    expect(v.matchesAccount).to.equal(true);
    expect(v.onChainHash).to.match(/^[0-9a-f]{64}$/);
  });

  it('updates KYC claims and re-commits new personal data with a new salt', async () => {
    const kyc = { validUntil: m.world.now + 2 * YEAR, investorClass: 'angel', jurisdiction: 'SG' };
    await m.ok(ids.operatorA, 'Accounts', 'UpdateKyc', [], {
      accountId: 'acc-alice',
      kyc,
      personal: personal('Alice Tan'),
      salt: 'bmV3c2FsdG5ld3NhbHRuZXc=',
    });
    const account = await m.ok<{ kyc: { investorClass: string }; personalDataHash: string }>(
      ids.regulator,
      'Accounts',
      'GetAccount',
      ['acc-alice'],
    );
    expect(account.kyc.investorClass).to.equal('angel');
    expect(account.personalDataHash).to.equal(personalDataHash(personal('Alice Tan'), 'bmV3c2FsdG5ld3NhbHRuZXc='));
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Accounts', 'UpdateKyc', [], {
      accountId: 'acc-alice',
      kyc,
      personal: personal('X'),
    });
    await m.refused('FORBIDDEN', ids.operatorB, 'Accounts', 'UpdateKyc', [], { accountId: 'acc-alice', kyc });
  });

  it('refuses onboarding twice, by a non-operator, or with KYC already expired', async () => {
    const body = {
      accountId: 'acc-alice',
      type: 'investor',
      kyc: { validUntil: m.world.now + YEAR, investorClass: 'retail', jurisdiction: 'MY' },
      personal: personal('a'),
      salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
    };
    await m.refused('CONFLICT', ids.operatorA, 'Accounts', 'Onboard', [], body);
    await m.refused('FORBIDDEN', ids.trustee, 'Accounts', 'Onboard', [], { ...body, accountId: 'acc-new' });
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Accounts', 'Onboard', [], {
      ...body,
      accountId: 'acc-new',
      kyc: { ...body.kyc, validUntil: m.world.now - 1 },
    });
  });

  it('offboards only an empty account, then purges its personal data and keeps the hash and history', async () => {
    await m.deposit('acc-bob', '100');
    const off = (s: string) => [JSON.stringify({ accountId: 'acc-bob', status: s, reason: 'customer request' })];
    await m.refused('CONFLICT', ids.operatorA, 'Accounts', 'SetStatus', off('OFFBOARDED'));
    await m.refused('CONFLICT', ids.operatorA, 'Accounts', 'PurgePersonalData', ['acc-bob']);
    await m.ok(ids.trustee, 'Money', 'Withdraw', [], {
      accountId: 'acc-bob',
      tokenId: MYR,
      amount: '100',
      bankReference: 'OUT-1',
    });
    await m.ok(ids.operatorA, 'Accounts', 'SetStatus', off('OFFBOARDED'));
    await m.ok(ids.operatorA, 'Accounts', 'PurgePersonalData', ['acc-bob']);
    await m.refused('NOT_FOUND', ids.regulator, 'Accounts', 'GetPersonalData', ['acc-bob']);
    const account = await m.ok<{ personalDataHash: string; status: string }>(ids.regulator, 'Accounts', 'GetAccount', [
      'acc-bob',
    ]);
    expect(account.personalDataHash).to.match(/^[0-9a-f]{64}$/);
    const history = await m.ok<{ movements: unknown[] }>(ids.regulator, 'Accounts', 'GetHistory', ['acc-bob']);
    expect(history.movements).to.have.length(2);
    await m.refused('CONFLICT', ids.operatorA, 'Accounts', 'SetStatus', off('ACTIVE'));
  });

  it('refuses to offboard an account with a pledge or an open order still in escrow', async () => {
    const now = m.world.now;
    await m.deposit('acc-bob', '1000');
    await m.ok(ids.acme, 'Campaigns', 'Propose', [
      JSON.stringify({
        campaignId: 'c1',
        classId: 'ACME-ORD',
        tokenId: MYR,
        pricePerUnit: '100',
        minUnits: '1',
        maxUnits: '10',
        openAt: now,
        closeAt: now + 1000,
        minPledge: '100',
        maxPledge: '1000',
        allowedInvestorClasses: ['sophisticated'],
        coolingOffSeconds: 100,
      }),
    ]);
    await m.ok(ids.operatorA, 'Campaigns', 'Approve', [JSON.stringify({ campaignId: 'c1' })]);
    await m.ok(ids.trustee, 'Campaigns', 'Fund', [JSON.stringify({ campaignId: 'c1' })]);
    const pledgeId = await m.ok<string>(ids.bob, 'Campaigns', 'Pledge', [], {
      campaignId: 'c1',
      accountId: 'acc-bob',
      amount: '200',
    });
    const orderId = await m.ok<string>(ids.bob, 'Market', 'PlaceOrder', [], {
      accountId: 'acc-bob',
      classId: 'ACME-ORD',
      tokenId: MYR,
      side: 'BUY',
      price: '100',
      quantity: '8',
    });
    const off = [JSON.stringify({ accountId: 'acc-bob', status: 'OFFBOARDED', reason: 'customer request' })];
    expect(await m.refused('CONFLICT', ids.operatorA, 'Accounts', 'SetStatus', off)).to.contain(
      'pledges in campaign c1',
    );
    await m.ok(ids.bob, 'Campaigns', 'WithdrawPledge', [], { campaignId: 'c1', accountId: 'acc-bob', pledgeId });
    await m.ok(ids.trustee, 'Money', 'Withdraw', [], {
      accountId: 'acc-bob',
      tokenId: MYR,
      amount: '200',
      bankReference: 'OUT-2',
    });
    expect(await m.refused('CONFLICT', ids.operatorA, 'Accounts', 'SetStatus', off)).to.contain(
      `open order ${orderId}`,
    );
    await m.ok(ids.bob, 'Market', 'CancelOrder', [], { accountId: 'acc-bob', orderId, classId: 'ACME-ORD' });
    await m.ok(ids.trustee, 'Money', 'Withdraw', [], {
      accountId: 'acc-bob',
      tokenId: MYR,
      amount: '800',
      bankReference: 'OUT-3',
    });
    await m.ok(ids.operatorA, 'Accounts', 'SetStatus', off);
  });

  it('suspends an account so it cannot transact, and reinstates it', async () => {
    await m.deposit('acc-alice', '100');
    const set = (s: string) => [JSON.stringify({ accountId: 'acc-alice', status: s, reason: 'review of activity' })];
    await m.ok(ids.operatorA, 'Accounts', 'SetStatus', set('SUSPENDED'));
    const msg = await m.refused('COMPLIANCE', ids.alice, 'Transfers', 'Transfer', [], {
      from: 'acc-alice',
      to: 'acc-bob',
      assetId: MYR,
      amount: '1',
    });
    expect(msg).to.contain('SENDER_NOT_ACTIVE');
    await m.refused('CONFLICT', ids.operatorA, 'Accounts', 'SetStatus', set('SUSPENDED'));
    await m.ok(ids.operatorA, 'Accounts', 'SetStatus', set('ACTIVE'));
  });
});
