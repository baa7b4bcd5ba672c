import {
  AUDIT_PRIVATE_FIELDS,
  auditFilingSchema,
  auditPrivatePartSchema,
  DEFAULT_AUDIT_POLICY,
  type AuditFiling,
  type AuditPolicy,
} from '@ecf/common';
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecodedBlock, DecodedTx, KeyWrite } from '../fabric/blocks';
import { FabricFailure, type FabricPort, type Invocation, type SubmitResult } from '../fabric/types';
import { createLogger } from '../log';
import { FakeFabric } from '../testing/fake-fabric';
import { scratchDir } from '../testing/scratch';
import { MarketObserver, observerSnapshotSchema } from './observer';
import { AuditRelay } from './relay';

const MYR = 'TrusteeMSP.MYR';
const policy: AuditPolicy = {
  ...DEFAULT_AUDIT_POLICY,
  largeTransferThresholds: { [MYR]: '100000' },
  checkpointEvery: 5,
  roundTripWindowSeconds: 600,
  layeringCancels: 3,
  layeringWindowSeconds: 120,
};

let txCounter = 0;
const T0 = 1_800_000_000;
const hex = (n: number) => n.toString(16).padStart(64, '0');
const pub = (type: string, attributes: string[], value: unknown): KeyWrite => ({
  namespace: 'market',
  type,
  attributes,
  deleted: false,
  value,
});
const pvt = (collection: string, type: string, attributes: string[], value: unknown): KeyWrite => ({
  ...pub(type, attributes, value),
  collection,
});
function tx(at: number, writes: KeyWrite[], event?: Record<string, unknown>, fn = 'Market:Match'): DecodedTx {
  const txId = hex(++txCounter);
  return {
    txId,
    valid: true,
    validationCode: 'VALID',
    timestamp: at,
    creatorMspId: 'TrusteeMSP',
    chaincode: 'market',
    fn,
    args: [],
    ...(event ? { event: { name: String(event.type), payload: { v: 1, txId, at, ...event } } } : {}),
    writes,
  };
}
const block = (number: number, txs: DecodedTx[]): DecodedBlock => ({
  number: String(number),
  hash: hex(1000 + number),
  previousHash: hex(999 + number),
  dataHash: hex(5000 + number),
  txs,
});

/** An account onboarded by an operator, with the personal data its holder gave. */
const onboard = (at: number, id: string, operator: string, nationalId: string) =>
  tx(
    at,
    [
      pub('account', [id], { id, operatorMspId: `${operator}MSP` }),
      pvt(`pdc${operator}`, 'pii', ['#1', 'blinded-id'], {
        accountId: id,
        personal: { nationalId, dateOfBirth: '1980-01-01' },
        salt: 'x',
      }),
    ],
    undefined,
    'Accounts:Onboard',
  );
const place = (at: number, orderId: string, accountId: string, operator: string) =>
  tx(
    at,
    [
      pub('order', ['ACME', orderId], { id: orderId, operatorMspId: `${operator}MSP`, classId: 'ACME' }),
      pvt(`pdc${operator}`, 'oesc', [orderId], { orderId, accountId, assetId: MYR, amount: '1' }),
    ],
    { type: 'OrderPlaced', orderId, classId: 'ACME' },
    'Market:PlaceOrder',
  );
const trade = (at: number, id: string, buyOrderId: string, sellOrderId: string) =>
  tx(at, [pub('trade', ['ACME', id], { id, classId: 'ACME', price: '10', quantity: '5', buyOrderId, sellOrderId })], {
    type: 'TradeSettled',
    tradeId: id,
  });
const cancel = (at: number, orderId: string) =>
  tx(at, [], { type: 'OrderCancelled', orderId, classId: 'ACME' }, 'Market:CancelOrder');
const movement = (at: number, accountId: string, delta: string, kind: string, counterparty?: string) =>
  tx(at, [
    pvt('pdcOperatorA', 'mv', [accountId, hex(77), '000'], {
      accountId,
      assetId: MYR,
      delta,
      kind,
      ...(counterparty ? { counterparty } : {}),
      reference: 'BANK-1',
    }),
  ]);

function run(blocks: DecodedBlock[], p = policy): AuditFiling[] {
  const o = new MarketObserver();
  return blocks.flatMap((b) => o.observe(b, p));
}

describe('audit observer (what the relay files)', () => {
  it('files a travel-rule report for each movement at or above the threshold, and only those', () => {
    const out = run([
      block(1, [
        onboard(T0, 'ann', 'OperatorA', 'N1'),
        onboard(T0, 'ben', 'OperatorA', 'N2'),
        movement(T0 + 1, 'ann', '-150000', 'transfer', 'ben'),
        movement(T0 + 2, 'ann', '150000', 'transfer', 'ben'),
        movement(T0 + 3, 'ben', '-99999', 'transfer', 'ann'),
        movement(T0 + 4, 'ben', '250000', 'deposit'),
      ]),
    ]);
    const reports = out.filter((f) => f.type === 'LARGE_TRANSFER');
    expect(reports.map((r) => [r.details.originator, r.details.beneficiary, r.details.amount])).to.deep.equal([
      ['ann', 'ben', '150000'],
      ['bank:BANK-1', 'ben', '250000'],
    ]);
    expect(reports[0]?.parties).to.deep.equal(['OperatorAMSP']);
  });

  it('files the request of a held withdrawal and its outcome, each once, with the operator and the trustee as parties', () => {
    const held = (at: number, id: string, status: string, extra: Record<string, unknown> = {}) =>
      tx(
        at,
        [
          pvt('pdcOperatorA', 'wdr', ['#1', 'blinded-account', 'blinded-id'], {
            v: 1,
            id,
            accountId: 'ann',
            tokenId: MYR,
            amount: '2500000',
            bankReference: 'OUT-7',
            status,
            requestedAt: T0 + 1,
            executableFrom: T0 + 3601,
            seal: 'ignored',
            ...extra,
          }),
        ],
        undefined,
        status === 'PENDING' ? 'Money:Withdraw' : 'Money:ExecuteWithdrawal',
      );
    const [a, b] = [hex(501), hex(502)];
    const out = run([
      block(1, [onboard(T0, 'ann', 'OperatorA', 'N1')]),
      block(2, [held(T0 + 1, a, 'PENDING'), held(T0 + 1, b, 'PENDING')]),
      block(3, [
        held(T0 + 3601, a, 'EXECUTED', { decidedBy: 'TrusteeMSP', decidedAt: T0 + 3601 }),
        held(T0 + 10, b, 'CANCELLED', { decidedBy: 'RegulatorMSP', decidedAt: T0 + 10, reason: 'account takeover' }),
      ]),
    ]).filter((f) => f.type === 'WITHDRAWAL_REVIEW');
    expect(out.map((f) => f.id)).to.deep.equal([
      `withdrawal:${a}:requested`,
      `withdrawal:${b}:requested`,
      `withdrawal:${a}:executed`,
      `withdrawal:${b}:cancelled`,
    ]);
    for (const f of out) {
      expect(auditFilingSchema.safeParse(f).success, JSON.stringify(f)).to.equal(true);
      expect(f.parties).to.deep.equal(['OperatorAMSP', 'TrusteeMSP']);
      expect(f.subjects).to.deep.equal(['ann', MYR]);
    }
    expect(out[0]?.details).to.include({ amount: '2500000', beneficiary: 'bank:OUT-7', executableFrom: T0 + 3601 });
    expect(out[3]?.details).to.include({ status: 'CANCELLED', decidedBy: 'RegulatorMSP', reason: 'account takeover' });
    expect(out[3]?.summary).to.contain('account takeover');
  });

  it('raises exactly one wash-trade alert when both sides have the same beneficial owner', () => {
    const out = run([
      block(1, [onboard(T0, 'x1', 'OperatorA', 'S1234567Z'), onboard(T0, 'x2', 'OperatorB', ' s1234567z ')]),
      block(2, [place(T0 + 10, 'o1', 'x1', 'OperatorA'), place(T0 + 11, 'o2', 'x2', 'OperatorB')]),
      block(3, [trade(T0 + 20, 't1', 'o2', 'o1')]),
    ]);
    expect(out.filter((f) => f.type === 'TRADE').map((f) => f.id)).to.deep.equal(['trade:t1']);
    const alerts = out.filter((f) => f.type === 'ALERT');
    expect(alerts.map((a) => [a.kind, a.id])).to.deep.equal([['WASH_TRADE_SAME_OWNER', 'alert:wash-owner:t1']]);
    expect(alerts[0]?.parties.sort()).to.deep.equal(['OperatorAMSP', 'OperatorBMSP']);
    expect(JSON.stringify(out)).not.to.contain('S1234567Z');
  });

  it('raises a round-trip alert when the same two accounts trade back within the window, not after it', () => {
    const setup = [
      block(1, [onboard(T0, 'a', 'OperatorA', 'P1'), onboard(T0, 'b', 'OperatorB', 'P2')]),
      block(2, [place(T0, 'o1', 'a', 'OperatorA'), place(T0, 'o2', 'b', 'OperatorB')]),
      block(3, [trade(T0 + 10, 't1', 'o2', 'o1')]),
      block(4, [place(T0 + 20, 'o3', 'b', 'OperatorB'), place(T0 + 20, 'o4', 'a', 'OperatorA')]),
    ];
    const within = run([...setup, block(6, [trade(T0 + 300, 't2', 'o4', 'o3')])]);
    expect(within.filter((f) => f.kind === 'WASH_TRADE_ROUND_TRIP').map((f) => f.source.txIds.length)).to.deep.equal([
      2,
    ]);
    const after = run([...setup, block(6, [trade(T0 + 10_000, 't2', 'o4', 'o3')])]);
    expect(after.filter((f) => f.type === 'ALERT')).to.deep.equal([]);
  });

  it('raises one layering alert for a burst of cancellations around a trade', () => {
    const out = run([
      block(1, [
        onboard(T0, 'a', 'OperatorA', 'P1'),
        onboard(T0, 'b', 'OperatorB', 'P2'),
        onboard(T0, 'c', 'OperatorA', 'P3'),
      ]),
      block(
        2,
        ['l1', 'l2', 'l3', 'l4'].map((o) => place(T0, o, 'c', 'OperatorA')),
      ),
      block(3, [place(T0, 'o1', 'a', 'OperatorA'), place(T0, 'o2', 'b', 'OperatorB')]),
      block(4, [cancel(T0 + 5, 'l1'), cancel(T0 + 6, 'l2')]),
      block(6, [trade(T0 + 10, 't1', 'o2', 'o1')]),
      block(7, [cancel(T0 + 15, 'l3'), cancel(T0 + 16, 'l4')]),
    ]);
    const alerts = out.filter((f) => f.kind === 'LAYERING');
    expect(alerts.map((a) => a.id)).to.deep.equal(['alert:layering:c:t1']);
    expect(alerts[0]?.source.txIds).to.have.length(4);
  });

  it("alerts the regulator when one account's capped investments are refused or taken back again and again (decision 49)", () => {
    const claim = (id: string, status: string, returned: string, fn: string, at: number) =>
      tx(
        at,
        [
          pvt('pdcOperatorA', 'limclaim', ['#1', `blind-${id}`], {
            investmentId: id,
            kind: 'pledge',
            accountId: 'ann',
            tokenId: MYR,
            amount: '1000',
            returned,
            status,
          }),
        ],
        undefined,
        fn,
      );
    const out = run([
      block(1, [onboard(T0, 'ann', 'OperatorA', 'ID-ANN')]),
      block(2, [
        claim('p1', 'REFUSED', '0', 'Limits:Decide', T0 + 10),
        claim('p2', 'CONFIRMED', '1000', 'Campaigns:WithdrawPledge', T0 + 20),
        // A failed campaign's refund is not the investor's (or its operator's) doing: not counted.
        claim('p3', 'CONFIRMED', '1000', 'Campaigns:Settle', T0 + 30),
        claim('p4', 'CLOSED', '1000', 'Market:CancelOrder', T0 + 40),
      ]),
      block(3, [claim('p5', 'REFUSED', '0', 'Limits:Decide', T0 + 50)]),
      block(4, [claim('p6', 'REFUSED', '0', 'Limits:Decide', T0 + 60)]),
    ]);
    const alerts = out.filter((f) => f.kind === 'LIMIT_PROBING');
    expect(alerts, 'one alert for the window, raised at the fourth').to.have.length(1);
    expect(alerts[0]).to.include({ id: `alert:limit-probing:ann:${hex(txCounter - 5)}` });
    expect(alerts[0]?.parties, "only the account's own operator, besides the regulator").to.deep.equal([
      'OperatorAMSP',
    ]);
    expect(alerts[0]?.details).to.deep.equal({ account: 'ann', tokenId: MYR, count: 4 });
  });

  it('files circuit-breaker halts, campaign outcomes, supervisory actions and checkpoints', () => {
    const out = run([
      block(5, [
        tx(T0, [pub('campaign', ['seed'], { id: 'seed', operatorMspId: 'OperatorAMSP', trusteeMspId: 'TrusteeMSP' })]),
        tx(T0 + 1, [], { type: 'CampaignSettlement', campaignId: 'seed', status: 'SUCCEEDED' }),
        tx(T0 + 2, [], { type: 'CircuitBreakerTripped', classId: 'ACME', price: '30', haltedUntil: T0 + 60 }),
        tx(T0 + 3, [], {
          type: 'SupervisoryAction',
          action: 'FREEZE',
          target: 'ann',
          reason: 'court order',
          operatorMspId: 'OperatorAMSP',
        }),
      ]),
    ]);
    expect(out.map((f) => `${f.type}${f.kind ? `/${f.kind}` : ''}`)).to.deep.equal([
      'CAMPAIGN_OUTCOME',
      'ALERT/CIRCUIT_BREAKER',
      'SUPERVISORY_ACTION',
      'CHECKPOINT',
    ]);
    expect(out.find((f) => f.type === 'CAMPAIGN_OUTCOME')?.parties).to.deep.equal(['OperatorAMSP', 'TrusteeMSP']);
    expect(out.find((f) => f.type === 'CHECKPOINT')?.details.blockHash).to.equal(hex(1005));
  });

  it('files a CORPORATE_ACTION record for the announcement and the completion of each action', () => {
    const action = {
      actionId: 'acme-split',
      kind: 'SPLIT',
      classId: 'ACME',
      operatorMspId: 'OperatorAMSP',
      trusteeMspId: 'TrusteeMSP',
      reason: 'two for one',
      ratio: '2:1',
      ordersCancelled: 0,
      accountsProcessed: 0,
      accountsSkipped: 0,
    };
    const out = run([
      block(5, [
        tx(T0, [], { type: 'CorporateAction', stage: 'ANNOUNCED', ...action }),
        tx(T0 + 9, [], {
          type: 'CorporateAction',
          stage: 'COMPLETED',
          ...action,
          ordersCancelled: 1,
          accountsProcessed: 3,
          residualUnits: '0',
        }),
      ]),
    ]).filter((f) => f.type === 'CORPORATE_ACTION');
    expect(out.map((f) => f.id)).to.deep.equal([
      'corporate-action:acme-split:announced',
      'corporate-action:acme-split:completed',
    ]);
    expect(out[1]?.parties).to.deep.equal(['OperatorAMSP', 'TrusteeMSP']);
    expect(out[1]?.subjects).to.deep.equal(['ACME', 'acme-split']);
    expect(out[1]?.details).to.include({ ratio: '2:1', ordersCancelled: 1, accountsProcessed: 3, residualUnits: '0' });
    for (const f of out) expect(auditFilingSchema.safeParse(f).success, f.id).to.equal(true);
  });

  it('names every operator whose customers pledged as a party of the campaign outcome, with the amounts', () => {
    const campaign = {
      id: 'seed',
      operatorMspId: 'OperatorAMSP',
      trusteeMspId: 'TrusteeMSP',
      classId: 'ACME',
      tokenId: MYR,
    };
    const ref = (pledgeId: string, operatorMspId: string) =>
      pub('pledgeref', ['seed', pledgeId], { v: 1, campaignId: 'seed', pledgeId, operatorMspId });
    const settled = {
      ...campaign,
      status: 'SUCCEEDED',
      settlement: { phase: 'DONE', unitsAllocated: '150', moneyToIssuer: '15000', outcome: 'SUCCEEDED' },
    };
    const out = run([
      block(5, [
        tx(T0, [pub('campaign', ['seed'], { ...campaign, status: 'FUNDED' })]),
        tx(T0 + 1, [ref('p1', 'OperatorAMSP')]),
        tx(T0 + 2, [ref('p2', 'OperatorBMSP')]),
        // Later saves of the campaign (settlement batches) must not drop the pledgers' operators.
        tx(T0 + 3, [pub('campaign', ['seed'], { ...campaign, status: 'SETTLING' })]),
        tx(T0 + 4, [pub('campaign', ['seed'], settled)], {
          type: 'CampaignSettlement',
          campaignId: 'seed',
          status: 'SUCCEEDED',
        }),
      ]),
    ]);
    const outcome = out.find((f) => f.type === 'CAMPAIGN_OUTCOME');
    expect(outcome?.parties).to.have.members(['OperatorAMSP', 'TrusteeMSP', 'OperatorBMSP']);
    expect(outcome?.details).to.include({ outcome: 'SUCCEEDED', amountRaised: '15000', unitsSold: '150' });
    expect(auditFilingSchema.safeParse(outcome).success).to.equal(true);
  });

  it('is deterministic, and every filing passes the shared schema', () => {
    const blocks = [
      block(1, [onboard(T0, 'x1', 'OperatorA', 'S1'), onboard(T0, 'x2', 'OperatorB', 'S1')]),
      block(2, [place(T0, 'o1', 'x1', 'OperatorA'), place(T0, 'o2', 'x2', 'OperatorB')]),
      block(5, [trade(T0 + 5, 't9', 'o1', 'o2'), movement(T0 + 6, 'x1', '-500000', 'withdrawal')]),
    ];
    const a = run(blocks);
    expect(run(blocks)).to.deep.equal(a);
    expect(a.length).to.be.greaterThan(3);
    for (const f of a) expect(auditFilingSchema.safeParse(f).success, f.id).to.equal(true);
  });
});

describe('audit observer: votes and price feeds', () => {
  it('files a resolution announced and its published result for the issuer’s operator, and feed set-ups', () => {
    const tally = {
      eligible: '180',
      for: '100',
      against: '80',
      abstain: '0',
      quorumMet: true,
      passed: true,
      receipts: [],
    };
    const out = run([
      block(5, [
        tx(T0, [], {
          type: 'ResolutionProposed',
          resolutionId: 'res-1',
          classId: 'ACME',
          operatorMspId: 'OperatorAMSP',
          recordTime: T0 + 10,
          closesAt: T0 + 100,
        }),
        tx(T0 + 200, [pub('resolution', ['res-1'], { id: 'res-1', tally })], {
          type: 'ResolutionClosed',
          resolutionId: 'res-1',
          classId: 'ACME',
          operatorMspId: 'OperatorAMSP',
          passed: true,
          quorumMet: true,
        }),
        tx(T0 + 201, [], {
          type: 'SupervisoryAction',
          action: 'PRICE_PROVIDER_REGISTERED',
          target: 'px-a',
          mspId: 'OperatorAMSP',
          reason: 'independent source',
        }),
      ]),
    ]);
    const actions = out.filter((f) => f.type === 'CORPORATE_ACTION');
    expect(actions.map((f) => f.id)).to.deep.equal(['resolution:res-1:announced', 'resolution:res-1:result']);
    expect(actions[1]?.parties).to.deep.equal(['OperatorAMSP']);
    expect(actions[1]?.details).to.include({ action: 'VOTE_RESULT', passed: true, eligible: '180', for: '100' });
    for (const f of actions) expect(auditFilingSchema.safeParse(f).success, JSON.stringify(f)).to.equal(true);
    const feed = out.find((f) => f.type === 'SUPERVISORY_ACTION');
    expect(feed?.details).to.include({ action: 'PRICE_PROVIDER_REGISTERED', target: 'px-a' });
    expect(feed?.parties).to.deep.equal(['OperatorAMSP']);
  });
});

describe('audit observer snapshots', () => {
  const chain = (): DecodedBlock[] => [
    block(1, [onboard(T0, 's1', 'OperatorA', 'SAME'), onboard(T0, 's2', 'OperatorB', 'same ')]),
    block(2, [place(T0, 'so1', 's1', 'OperatorA'), place(T0, 'so2', 's2', 'OperatorB'), cancel(T0 + 1, 'so9')]),
    block(3, [trade(T0 + 5, 'st1', 'so1', 'so2'), movement(T0 + 6, 's1', '-500000', 'withdrawal')]),
    block(4, [trade(T0 + 50, 'st2', 'so2', 'so1')]),
    block(5, [movement(T0 + 60, 's2', '-300000', 'transfer', 's1')]),
  ];

  it('resumes from a snapshot taken after any block with exactly the filings of an uninterrupted run', () => {
    const blocks = chain();
    const whole = run(blocks);
    expect(whole.some((f) => f.kind === 'WASH_TRADE_SAME_OWNER')).to.equal(true);
    for (let cut = 1; cut < blocks.length; cut++) {
      const first = new MarketObserver();
      const before = blocks.slice(0, cut).flatMap((b) => first.observe(b, policy));
      const saved = JSON.parse(JSON.stringify(first.snapshot())) as unknown;
      const resumed = MarketObserver.restore(observerSnapshotSchema.parse(saved));
      expect(resumed.observedThrough).to.equal(blocks[cut - 1]?.number);
      const after = blocks.slice(cut).flatMap((b) => resumed.observe(b, policy));
      expect([...before, ...after], `cut after block ${cut}`).to.deep.equal(whole);
    }
  });

  it('has no snapshot before the first block, and refuses a malformed one', () => {
    expect(new MarketObserver().snapshot()).to.equal(undefined);
    expect(observerSnapshotSchema.safeParse({ version: 1, through: 'x' }).success).to.equal(false);
  });
});

/**
 * The filing a relay's call carries, checked as the contract and the peers' gateway would: a record with
 * parties keeps accounts and amounts out of its public argument, carries them with a salt in transient
 * data, and names as endorsers only the regulator and one of its parties.
 */
function filingOf(call: Invocation): AuditFiling {
  const publicPart = JSON.parse(String(call.args?.[0])) as Record<string, unknown> & { parties: string[] };
  if (publicPart.parties.length === 0) {
    expect(call.transient).to.equal(undefined);
    return auditFilingSchema.parse(publicPart);
  }
  for (const field of AUDIT_PRIVATE_FIELDS) expect(publicPart).not.to.have.property(field);
  const { salt, ...privatePart } = auditPrivatePartSchema.parse(call.transient);
  expect(Buffer.from(salt, 'base64')).to.have.length(32);
  const [regulator, party] = call.endorsingOrganizations ?? [];
  expect(regulator).to.equal('RegulatorMSP');
  expect(publicPart.parties).to.include(party);
  return auditFilingSchema.parse({ ...publicPart, ...privatePart });
}

/** The audit channel as the contract behaves: the first filing of an id is kept, a repeat writes nothing. */
class FakeAuditChannel extends FakeFabric {
  readonly filed = new Map<string, AuditFiling>();
  attempts = 0;
  failAfter = Infinity;
  /** Called when a filing fails: the moment the relay is killed. */
  onFail = (): void => undefined;

  override async submit(identity: string, call: Invocation): Promise<SubmitResult> {
    if (call.fn === 'Audit:File') {
      if (this.attempts >= this.failAfter) {
        this.onFail();
        throw new FabricFailure('unavailable', 'the relay was killed');
      }
      this.attempts++;
      const f = filingOf(call);
      if (!this.filed.has(f.id)) this.filed.set(f.id, f);
    }
    return super.submit(identity, call);
  }

  override async evaluate(identity: string, call: Invocation): Promise<unknown> {
    if (call.fn === 'Audit:GetPolicy') return policy;
    return super.evaluate(identity, call);
  }
}

describe('audit relay (exactly once across a crash)', () => {
  const chain = (): DecodedBlock[] => [
    block(0, []),
    block(1, [onboard(T0, 'x1', 'OperatorA', 'S1'), onboard(T0, 'x2', 'OperatorB', 'S1')]),
    block(2, [place(T0, 'o1', 'x1', 'OperatorA'), place(T0, 'o2', 'x2', 'OperatorB')]),
    block(3, [trade(T0 + 5, 't1', 'o1', 'o2'), movement(T0 + 6, 'x1', '-500000', 'withdrawal')]),
    block(4, [movement(T0 + 7, 'x1', '-200000', 'transfer', 'x2')]),
    block(5, [movement(T0 + 8, 'x2', '-300000', 'transfer', 'x1')]),
  ];
  const relay = (
    market: FabricPort,
    audit: FabricPort,
    checkpointFile: string,
    options: Partial<ConstructorParameters<typeof AuditRelay>[0]> = {},
  ) =>
    new AuditRelay({
      market,
      audit,
      identity: 'gateway',
      regulatorMspId: 'RegulatorMSP',
      checkpointFile,
      logger: createLogger({ org: 'Regulator', stream: process.stdout, level: 'error' }),
      ...options,
    });

  it('files every report once even when killed part-way and restarted', async function () {
    this.timeout(10_000);
    const market = new FakeFabric();
    market.chain = chain();
    const expected = run(market.chain).map((f) => f.id);

    const dir = scratchDir('ecf-relay-');
    const audit = new FakeAuditChannel();
    audit.failAfter = 3;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1000);
    let failed = false;
    try {
      await relay(market, audit, join(dir, 'cp.json')).run(controller.signal);
    } catch {
      failed = true;
    }
    expect(failed || controller.signal.aborted).to.equal(true);
    const before = audit.attempts;
    expect(before).to.equal(3);
    audit.failAfter = Infinity;
    await relay(market, audit, join(dir, 'cp.json')).run(new AbortController().signal);
    expect([...audit.filed.keys()].sort()).to.deep.equal([...expected].sort());
    // The restart re-files at most the block it died in; earlier blocks are never re-sent.
    expect(audit.attempts - before).to.be.lessThan(expected.length);
  });

  it('resumes from its saved observer, which keeps owners whose personal data was purged since', async function () {
    this.timeout(10_000);
    const market = new FakeFabric();
    market.chain = chain();
    const expected = run(market.chain);
    expect(expected.some((f) => f.kind === 'WASH_TRADE_SAME_OWNER')).to.equal(true);
    const dir = scratchDir('ecf-relay-');
    const options = { checkpointFile: join(dir, 'cp.json'), snapshotFile: join(dir, 'observer.json') };
    const audit = new FakeAuditChannel();
    // Dies while filing block 3 (where the wash trade is), after blocks 0–2 were filed and saved.
    audit.failAfter = expected.filter((f) => Number(f.source.blockNumber) < 3).length;
    const kill = new AbortController();
    audit.onFail = () => kill.abort();
    const first = relay(market, audit, options.checkpointFile, { ...options, snapshotEveryMs: 0 });
    await first.run(kill.signal).catch(() => undefined);
    expect(audit.filed.size).to.equal(audit.failAfter);

    // Meanwhile the accounts' personal data is purged: a replay from block 0 could not link them.
    market.chain = market.chain.map((b) => ({
      ...b,
      txs: b.txs.map((t) => ({ ...t, writes: t.writes.filter((w) => w.type !== 'pii') })),
    }));
    const starts: bigint[] = [];
    const blocks = market.blocks.bind(market);
    market.blocks = (start: bigint) => {
      starts.push(start);
      return blocks(start);
    };
    audit.failAfter = Infinity;
    await relay(market, audit, options.checkpointFile, options).run(new AbortController().signal);
    expect(starts).to.deep.equal([3n]);
    expect([...audit.filed.keys()].sort()).to.deep.equal(expected.map((f) => f.id).sort());
  });

  it('replays from block 0 when its saved observer is ahead of the checkpoint or unreadable', async () => {
    const market = new FakeFabric();
    market.chain = chain();
    const dir = scratchDir('ecf-relay-');
    const snapshotFile = join(dir, 'observer.json');
    const observer = new MarketObserver();
    for (const b of market.chain) observer.observe(b, policy);
    for (const content of [JSON.stringify(observer.snapshot()), '{"version":1', '']) {
      writeFileSync(snapshotFile, content);
      const starts: bigint[] = [];
      const blocks = market.blocks.bind(market);
      market.blocks = (start: bigint) => {
        starts.push(start);
        return blocks(start);
      };
      const audit = new FakeAuditChannel();
      await relay(market, audit, join(dir, `cp-${content.length}.json`), { snapshotFile }).run(
        new AbortController().signal,
      );
      expect(starts, content.slice(0, 20)).to.deep.equal([0n]);
      expect(audit.filed.size).to.equal(run(market.chain).length);
      market.blocks = blocks;
    }
  });
});
