import { DEFAULT_AUDIT_POLICY, Role, splitFiling } from '@ecf/common';
import type { FakeIdentity } from '@ecf/chaincode/dist/testing/fake-stub';
import {
  ACME,
  campaignTerms,
  ids,
  Market,
  MYR,
  offeringDocument,
  type ContractName,
} from '@ecf/chaincode/dist/testing/market-fixture';
import { expect } from 'chai';
import request from 'supertest';
import { FabricFailure, type Invocation, type SubmitHooks, type SubmitResult } from './fabric/types';
import { buildDocument, DocumentValidators } from './openapi';
import { OPERATIONS } from './operations';
import { FakeFabric, harness } from './testing/fake-fabric';

/**
 * The operations table against the chaincode itself: every route is driven over HTTP through the gateway
 * to the real contract classes (on the chaincode's unit-test stub), so each declared `result` schema is
 * checked against what its function really returns, not against a hand-written sample.
 */
class ChaincodeFabric extends FakeFabric {
  constructor(
    private readonly market: Market,
    private readonly identities: Readonly<Record<string, FakeIdentity>>,
  ) {
    super();
  }

  override async evaluate(identity: string, call: Invocation): Promise<unknown> {
    return (await this.run(identity, call)).value;
  }

  override async submit(identity: string, call: Invocation, hooks: SubmitHooks = {}): Promise<SubmitResult> {
    const { value, txId } = await this.run(identity, call);
    await hooks.beforeOrder?.(txId, Buffer.from(txId, 'hex'));
    return { txId, blockNumber: '1', result: value, attempts: 1 };
  }

  private async run(label: string, call: Invocation): Promise<{ value: unknown; txId: string }> {
    const who = this.identities[label];
    if (!who) throw new Error(`no test identity for wallet label ${label}`);
    const [contract, method] = call.fn.split(':') as [ContractName, string];
    const r = await this.market.call(who, contract, method, [...(call.args ?? [])], call.transient);
    if (!r.ok) throw new FabricFailure('chaincode', r.error?.message ?? 'failed');
    // As the Fabric gateway decodes it: a function returning nothing answers an empty payload, i.e. null.
    return { value: r.value === undefined ? null : r.value, txId: r.stub.txId };
  }
}

const DAY = 86400;

describe('operations table against the chaincode (every result schema, every route)', () => {
  it('answers every operation with a body its published schema accepts', async function () {
    this.timeout(60_000);
    const market = new Market();
    await market.seal();
    const auditMarket = new Market();
    auditMarket.world.channel = 'audit';
    const labels: Record<string, FakeIdentity> = {
      regulator: ids.regulator,
      trustee: ids.trustee,
      operatorA: ids.operatorA,
      operatorB: ids.operatorB,
      'acct-acc-alice': ids.alice,
      'acct-acc-bob': ids.bob,
      'acct-acc-carol': ids.carol,
      'acct-acc-acme': ids.acme,
    };
    const h = harness({
      fabric: new ChaincodeFabric(market, labels),
      audit: new ChaincodeFabric(auditMarket, labels),
    });
    const validators = new DocumentValidators(buildDocument({ org: 'OperatorA', version: 'test' }));
    const token = (identity: string, role: Role, accountId?: string) =>
      h.tokens.create({ identity, role, ...(accountId ? { accountId } : {}) }).token;
    const as = {
      regulator: token('regulator', Role.REGULATOR),
      trustee: token('trustee', Role.TRUSTEE),
      operatorA: token('operatorA', Role.OPERATOR),
      operatorB: token('operatorB', Role.OPERATOR),
      alice: token('acct-acc-alice', Role.INVESTOR, 'acc-alice'),
      bob: token('acct-acc-bob', Role.INVESTOR, 'acc-bob'),
      carol: token('acct-acc-carol', Role.INVESTOR, 'acc-carol'),
      acme: token('acct-acc-acme', Role.ISSUER, 'acc-acme'),
    };
    const covered = new Set<string>();
    /** One route, by operation id: must answer 2xx with a body its document schema accepts, result included. */
    const call = async (
      id: string,
      who: string,
      params: Record<string, string> = {},
      body?: object,
      query = '',
    ): Promise<Record<string, unknown>> => {
      const op = OPERATIONS.find((o) => o.id === id);
      if (!op) throw new Error(`no operation ${id}`);
      const path = op.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''));
      let req = request(h.app)[op.method](`${path}${query}`).set('Authorization', `Bearer ${who}`);
      if (body) req = req.send(body);
      const res = await req;
      expect(res.status, `${id}: ${JSON.stringify(res.body)}`).to.equal(op.status ?? 200);
      const validate = validators.of(id).response;
      expect(validate(res.body), `${id}: ${JSON.stringify(validate.errors)}`).to.equal(true);
      expect(res.headers['result-omitted'], id).to.equal(undefined);
      if (op.mode === 'submit') expect(res.body, id).to.have.property('result');
      covered.add(id);
      return res.body as Record<string, unknown>;
    };
    const reason = 'licensed by the regulator';
    const kyc = (investorClass: string) => ({
      validUntil: market.world.now + 365 * DAY,
      investorClass,
      jurisdiction: 'MY',
    });
    const personal = (name: string) => ({ fullName: name, nationalId: `ID-${name}`, dateOfBirth: '1990-01-01' });

    // ---- participants ----
    await call('admitParticipant', as.regulator, {}, { mspId: 'TrusteeMSP', kind: 'trustee', reason });
    for (const mspId of ['OperatorAMSP', 'OperatorBMSP'])
      await call('admitParticipant', as.regulator, {}, { mspId, kind: 'operator', trusteeMspId: 'TrusteeMSP', reason });
    await call('listParticipants', as.operatorA);
    await call('getParticipant', as.operatorA, { mspId: 'OperatorBMSP' });
    await call('setParticipantStatus', as.regulator, { mspId: 'OperatorBMSP' }, { status: 'SUSPENDED', reason });
    await call('setParticipantStatus', as.regulator, { mspId: 'OperatorBMSP' }, { status: 'ACTIVE', reason });

    // ---- accounts and assets ----
    const onboard = (who: string, accountId: string, type: string, investorClass: string) =>
      call('onboardAccount', who, {}, { accountId, type, kyc: kyc(investorClass), personal: personal(accountId) });
    await onboard(as.operatorA, 'acc-alice', 'investor', 'retail');
    await onboard(as.operatorA, 'acc-bob', 'investor', 'sophisticated');
    await onboard(as.operatorA, 'acc-acme', 'issuer', 'sophisticated');
    await onboard(as.operatorB, 'acc-carol', 'investor', 'retail');
    await call('createMoneyToken', as.trustee, {}, { currency: 'MYR', decimals: 2 });
    const classTerms = { classId: ACME, issuerAccountId: 'acc-acme', kind: 'ordinary', decimals: 0 };
    await call(
      'createShareClass',
      as.trustee,
      {},
      { ...classTerms, allowedInvestorClasses: ['retail', 'sophisticated'] },
    );
    await call('listAssets', as.operatorA);
    await call('getAsset', as.operatorA, { assetId: ACME });

    // ---- documents of the class: a campaign is approved only under a current offering document ----
    const { classId: _c, ...offering } = offeringDocument(ACME, 'acme-offering', market.world.now);
    await call('attachDocument', as.operatorA, { classId: ACME }, offering);
    await call('attestDocument', as.regulator, { classId: ACME, documentId: 'acme-offering' }, {});
    await call('getDocument', as.alice, { classId: ACME, documentId: 'acme-offering' });
    await call('listDocuments', as.operatorB, { classId: ACME });
    const verified = await call(
      'verifyDocument',
      as.alice,
      { classId: ACME, documentId: 'acme-offering' },
      { contentBase64: Buffer.from(`offering document of ${ACME}`).toString('base64') },
    );
    expect(verified).to.include({ matches: true });
    for (const accountId of ['acc-alice', 'acc-bob', 'acc-carol'])
      await call(
        'deposit',
        as.trustee,
        {},
        { accountId, tokenId: MYR, amount: '100000', bankReference: `IN-${accountId}` },
      );
    await call(
      'withdraw',
      as.trustee,
      {},
      { accountId: 'acc-bob', tokenId: MYR, amount: '10', bankReference: 'OUT-1' },
    );
    // A large withdrawal is held for review: cancelled with a reason, or executed after the window.
    await call('getWithdrawalPolicy', as.operatorA, { tokenId: MYR });
    await call('setWithdrawalPolicy', as.regulator, { tokenId: MYR }, { threshold: '1000', reviewSeconds: 60, reason });
    const large = async (amount: string) => {
      const body = { accountId: 'acc-bob', tokenId: MYR, amount, bankReference: `OUT-${amount}` };
      const held = await call('withdraw', as.trustee, {}, body);
      expect(held.result).to.include({ status: 'PENDING' });
      return { accountId: 'acc-bob', withdrawalId: (held.result as { withdrawalId: string }).withdrawalId };
    };
    const cancelled = await large('2000');
    await call('listWithdrawals', as.bob, { accountId: 'acc-bob' });
    await call('getWithdrawal', as.operatorA, cancelled);
    await call('cancelWithdrawal', as.regulator, cancelled, { reason: 'wrong bank account' });
    const executed = await large('3000');
    market.world.now += 60;
    await call('executeWithdrawal', as.trustee, executed, {});

    // Allowances: alice lets the trustee move 500 MYR; the trustee moves 100 of it to bob; alice revokes.
    const alw = { accountId: 'acc-alice', spenderMspId: 'TrusteeMSP', assetId: MYR };
    await call(
      'approveAllowance',
      as.alice,
      { accountId: 'acc-alice' },
      { spenderMspId: 'TrusteeMSP', assetId: MYR, amount: '500', expiresAt: market.world.now + DAY },
    );
    await call('spendAllowance', as.trustee, {}, { from: 'acc-alice', to: 'acc-bob', assetId: MYR, amount: '100' });
    await call('getAllowance', as.trustee, alw);
    await call('listAllowances', as.alice, { accountId: 'acc-alice' });
    await call('revokeAllowance', as.alice, alw, {});

    // Investor limits across platforms.
    await call(
      'setInvestorLimits',
      as.regulator,
      { tokenId: MYR },
      { totalPerYear: '50000', perIssuerPerYear: '20000', reason },
    );
    await call('getInvestorLimits', as.operatorB, { tokenId: MYR });
    await call(
      'getInvestorLimitUsage',
      as.trustee,
      { accountId: 'acc-alice' },
      undefined,
      `?tokenId=${MYR}&issuerAccountId=acc-acme`,
    );
    await call(
      'issueUnits',
      as.trustee,
      { classId: ACME },
      { accountId: 'acc-bob', amount: '100', purpose: 'offering' },
    );
    await call(
      'burnUnits',
      as.trustee,
      { classId: ACME },
      { accountId: 'acc-bob', amount: '1', purpose: 'correction' },
    );
    await call('getSupply', as.trustee, { assetId: MYR });
    await call('getAccount', as.operatorA, { accountId: 'acc-alice' });
    await call('updateKyc', as.operatorA, { accountId: 'acc-alice' }, { kyc: kyc('retail') });
    await call('setAccountStatus', as.operatorA, { accountId: 'acc-bob' }, { status: 'SUSPENDED', reason: 'review' });
    await call('setAccountStatus', as.operatorA, { accountId: 'acc-bob' }, { status: 'ACTIVE', reason: 'reviewed' });
    await call('renewCredential', as.operatorA, { accountId: 'acc-alice' });
    await call('getPersonalData', as.operatorA, { accountId: 'acc-alice' });
    await call('verifyPersonalData', as.operatorA, { accountId: 'acc-alice' });
    await call('getBalance', as.alice, { accountId: 'acc-alice', assetId: MYR });
    await call('getPortfolio', as.alice, { accountId: 'acc-alice' });

    // ---- transfers ----
    await call('transfer', as.alice, {}, { to: 'acc-bob', assetId: MYR, amount: '100' });
    await call('checkTransfer', as.alice, {}, { to: 'acc-bob', assetId: MYR, amount: '100' });
    const instruction = await call('instructTransfer', as.alice, {}, { to: 'acc-carol', assetId: MYR, amount: '100' });
    const instructionId = String(instruction.result);
    await call('settleInstruction', as.trustee, { instructionId }, { fromOperatorMspId: 'OperatorAMSP' });
    await call('getAccountHistory', as.alice, { accountId: 'acc-alice' });

    // ---- a campaign, from proposal to settlement ----
    const openAt = market.world.now + DAY;
    const terms = (campaignId: string) => campaignTerms(openAt, { campaignId, minUnits: '10' });
    await call('proposeCampaign', as.acme, {}, terms('seed'));
    await call('proposeCampaign', as.acme, {}, terms('other'));
    await call('approveCampaign', as.operatorA, { campaignId: 'seed' }, {});
    await call('rejectCampaign', as.operatorA, { campaignId: 'other' }, {});
    await call('fundCampaign', as.trustee, { campaignId: 'seed' }, {});
    market.world.now = openAt;
    const first = await call('pledge', as.alice, { campaignId: 'seed' }, { amount: '2000' });
    const limitCheck = { accountId: 'acc-alice', investmentId: String(first.result) };
    expect(await call('getInvestorLimitCheck', as.alice, limitCheck)).to.include({ status: 'PENDING' });
    // The trustee's keeper (a service, not a route) reviews and decides the capped pledge.
    const review = await market.ok<{ decisions: unknown[] }>(ids.trustee, 'Limits', 'Review', ['{}']);
    await market.ok(ids.trustee, 'Limits', 'Decide', [], review);
    expect(await call('getInvestorLimitCheck', as.operatorA, limitCheck)).to.include({ status: 'CONFIRMED' });
    const second = await call('pledge', as.alice, { campaignId: 'seed' }, { amount: '500' });
    await call('listPledges', as.alice, { campaignId: 'seed' });
    await call('withdrawPledge', as.alice, { campaignId: 'seed', pledgeId: String(second.result) });
    await call('getCampaign', as.operatorB, { campaignId: 'seed' });
    await call('listCampaigns', as.operatorB);
    const early = await call('closeCampaignEarly', as.operatorA, { campaignId: 'seed' }, { closeAt: openAt + 9 * DAY });
    expect(early.result).to.deep.include({ closeAt: openAt + 9 * DAY, settleableFrom: openAt + 9 * DAY });
    market.world.now = openAt + 10 * DAY;
    for (let i = 0; i < 20; i++) {
      const settled = await call('settleCampaign', as.trustee, { campaignId: 'seed' }, { batchSize: 1 });
      if (['SUCCEEDED', 'FAILED'].includes(String((settled.result as { status: string }).status))) break;
    }
    // Over HTTP, the campaign shows when it became settleable and its progress in counts, never the cursor.
    const seed = await call('getCampaign', as.operatorB, { campaignId: 'seed' });
    expect(seed).to.include({ settleableFrom: openAt + 9 * DAY });
    expect(seed.settlement).to.include({ phase: 'DONE', pledgesTotal: 1, pledgesSettled: 1 });
    expect(JSON.stringify(seed)).not.to.match(/lastKey|cumulativeUnits|pledgesProcessed|\\u0000/);

    // ---- the secondary market ----
    const order = (side: string, price: string, quantity: string) => ({
      classId: ACME,
      tokenId: MYR,
      side,
      price,
      quantity,
    });
    const sell = await call('placeOrder', as.bob, {}, order('SELL', '100', '10'));
    market.world.now += 1;
    await call('placeOrder', as.carol, {}, order('BUY', '105', '4'));
    // carol is retail in a capped token: her buy joins the book once the trustee's keeper confirms it.
    await market.ok(ids.trustee, 'Limits', 'Decide', [], await market.ok(ids.trustee, 'Limits', 'Review', ['{}']));
    await call('getOrder', as.operatorA, { classId: ACME, orderId: String(sell.result) });
    await call('getOrderBook', as.operatorA, { classId: ACME });
    await call(
      'setCircuitBreaker',
      as.regulator,
      { classId: ACME },
      { referencePrice: '100', bandBps: 1000, coolingSeconds: 3600, reason },
    );
    await call('match', as.trustee, { classId: ACME }, {});
    await call('listTrades', as.operatorB, { classId: ACME });
    const spare = await call('placeOrder', as.bob, {}, order('SELL', '150', '1'));
    await call('cancelOrder', as.bob, { classId: ACME, orderId: String(spare.result) });
    await call('haltInstrument', as.regulator, { assetId: ACME }, { halted: true, reason: 'market disorder' });
    await call('releaseOrders', as.regulator, { classId: ACME }, {});
    await call('haltInstrument', as.regulator, { assetId: ACME }, { halted: false, reason: 'resumed' });
    await call('getInstrumentHistory', as.operatorA, { assetId: ACME });

    // ---- a distribution on ACME, paid across both operators ----
    const recordAt = market.world.now + 10;
    const distribution = { classId: ACME, tokenId: MYR, amountPerUnit: '0.5', declaredUnits: '200', recordAt };
    await call('declareDistribution', as.operatorA, {}, { ...distribution, distributionId: 'div-1', payAt: recordAt });
    await call('topUpDistribution', as.operatorA, { distributionId: 'div-1' }, { amount: '5' });
    await call('listDistributions', as.carol);
    market.world.now = recordAt + 1;
    await call('payDistribution', as.trustee, { distributionId: 'div-1' }, { max: 200 });
    expect(await call('getDistribution', as.operatorB, { distributionId: 'div-1' })).to.include({
      status: 'PAID',
    });

    // ---- supervision ----
    await call('freezeAccount', as.regulator, { accountId: 'acc-bob' }, { frozen: true, reason: 'investigation' });
    await call('freezeAccount', as.regulator, { accountId: 'acc-bob' }, { frozen: false, reason: 'closed' });
    await call(
      'setPartialFreeze',
      as.regulator,
      { accountId: 'acc-alice' },
      { assetId: MYR, amount: '100', reason: 'court order' },
    );
    await call(
      'forcedTransfer',
      as.regulator,
      {},
      { from: 'acc-alice', to: 'acc-bob', assetId: MYR, amount: '1', reason: 'correction' },
    );
    await call('listSupervisoryActions', as.operatorA);

    // ---- corporate actions ----
    await call('setBuybackPolicy', as.regulator, { classId: ACME }, { maxBps: 2500, windowDays: 5, reason });
    await call('getBuybackAllowance', as.acme, { classId: ACME });
    const untilDone = async (actionId: string) => {
      for (let i = 0; i < 20; i++) {
        const a = await call('advanceCorporateAction', as.trustee, { actionId }, { max: 10 });
        if ((a.result as { phase: string }).phase === 'DONE') return;
      }
      throw new Error(`${actionId} did not finish`);
    };
    const tenderOffer = { classId: ACME, tokenId: MYR, price: '10', maxUnits: '2', reason };
    await call(
      'announceTenderOffer',
      as.acme,
      {},
      { ...tenderOffer, actionId: 'buy-back', closesAt: market.world.now + DAY },
    );
    await call('tender', as.carol, { actionId: 'buy-back' }, { units: '3' });
    market.world.now += DAY;
    await untilDone('buy-back');
    await call(
      'announceSplit',
      as.operatorA,
      {},
      { actionId: 'two-for-one', classId: ACME, numerator: 2, denominator: 1, reason },
    );
    await untilDone('two-for-one');
    await call('getCorporateAction', as.operatorB, { actionId: 'two-for-one' });
    await call('announceDelisting', as.acme, {}, { actionId: 'going-private', classId: ACME, reason });
    await call('listCorporateActions', as.operatorB, { classId: ACME });
    // ---- shareholder votes (decision 55) and price feeds (decision 56) ----
    const resolution = { resolutionId: 'res-1' };
    const at = market.world.now;
    await call(
      'proposeResolution',
      as.acme,
      {},
      {
        ...resolution,
        classId: ACME,
        title: 'Approve the accounts',
        recordTime: at + 10,
        opensAt: at + 10,
        closesAt: at + 100,
        quorumBps: 1,
        majorityBps: 5000,
      },
    );
    market.world.now += 10;
    await call('castBallot', as.alice, resolution, { accountId: 'acc-alice', choice: 'FOR' });
    await call('delegateVotes', as.bob, resolution, { accountId: 'acc-bob', proxyAccountId: 'acc-alice' });
    await call('revokeDelegation', as.operatorA, { ...resolution, accountId: 'acc-bob' });
    market.world.now += 100;
    for (const operatorMspId of ['OperatorAMSP', 'OperatorBMSP']) {
      const { evidence } = await call('voteCountEvidence', as.trustee, resolution, { operatorMspId });
      await call('countVotes', as.trustee, resolution, { operatorMspId, evidence });
    }
    await call('publishTally', as.trustee, resolution, {});
    await call('getResolution', as.carol, resolution);
    await call('getBallot', as.alice, { ...resolution, accountId: 'acc-alice' });
    await call(
      'registerPriceProvider',
      as.regulator,
      { providerId: 'px-a' },
      { mspId: 'OperatorAMSP', enrollmentId: 'operator', reason },
    );
    await call(
      'configurePriceFeeds',
      as.regulator,
      { classId: ACME },
      { staleSeconds: 600, minFeeds: 1, outlierBps: 2000, reason },
    );
    await call('postPrice', as.operatorA, { classId: ACME }, { providerId: 'px-a', price: '100' });
    await call('getReferencePrice', as.carol, { classId: ACME });

    // ---- offboarding and erasure ----
    await onboard(as.operatorA, 'acc-gone', 'investor', 'retail');
    await call(
      'setAccountStatus',
      as.operatorA,
      { accountId: 'acc-gone' },
      { status: 'OFFBOARDED', reason: 'customer left' },
    );
    await call('purgePersonalData', as.operatorA, { accountId: 'acc-gone' });

    // ---- wind-down of OperatorB into OperatorA ----
    await market.onboard(ids.operatorB, 'acc-dan', 'investor', 'retail');
    await call('setParticipantStatus', as.regulator, { mspId: 'OperatorBMSP' }, { status: 'SUSPENDED', reason });
    const exiting = { exitingMspId: 'OperatorBMSP' };
    await call('nameSuccessor', as.regulator, {}, { ...exiting, successorMspId: 'OperatorAMSP', reason });
    for (let i = 0; i < 20; i++) {
      const w = await call('getWindDown', as.operatorA, exiting);
      if (w.phase === 'RELEASING') await call('releaseWindDownBook', as.trustee, exiting, { max: 10 });
      else if (w.phase === 'MOVING') await call('moveWindDownAccounts', as.trustee, exiting, { max: 10 });
      else break;
    }
    const { keys } = await call('listWindDownLeftovers', as.regulator, exiting);
    await call('sweepWindDown', as.trustee, exiting, { keys });
    expect((await call('listWindDownLeftovers', as.trustee, exiting)).keys).to.deep.equal([]);
    await call('completeWindDown', as.trustee, exiting, {});
    await call('issueCredential', as.operatorA, { accountId: 'acc-dan' });

    // ---- the audit channel (a filing is the relay's, not a route: filed on the chaincode directly) ----
    await call(
      'setAuditPolicy',
      as.regulator,
      {},
      { ...DEFAULT_AUDIT_POLICY, largeTransferThresholds: { [MYR]: '5000' } },
    );
    await call('getAuditPolicy', as.operatorA);
    const txId = 'c'.repeat(64);
    // As the relay files it: the account-level part in transient data, with its salt.
    const { publicPart, privatePart } = splitFiling(
      {
        id: `trade:${txId}.0`,
        type: 'TRADE',
        source: { blockNumber: '12', txIds: [txId] },
        parties: ['OperatorAMSP'],
        subjects: [ACME],
        summary: '4 ACME at 100',
        details: { price: '100', quantity: '4' },
        observedAt: market.world.now,
      },
      Buffer.alloc(32, 1).toString('base64'),
    );
    await auditMarket.ok(ids.regulator, 'Audit', 'File', [JSON.stringify(publicPart)], privatePart);
    await call('searchAuditRecords', as.operatorA, {}, undefined, '?type=TRADE');
    await call('getAuditRecord', as.operatorA, { recordId: `trade:${txId}.0` });

    const missing = OPERATIONS.map((o) => o.id).filter((id) => !covered.has(id));
    expect(missing, 'operations this test does not drive').to.deep.equal([]);
    const failures = (await h.deps.metrics.responseFailures.get()).values.filter((v) => v.value > 0);
    expect(failures, 'answers shaped other than documented').to.deep.equal([]);
  });
});
