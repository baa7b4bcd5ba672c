import { expect } from 'chai';
import fc from 'fast-check';
import { ACME, ids, Market, MYR } from '../testing/market-fixture';

const ACCOUNTS = ['acc-alice', 'acc-bob', 'acc-carol', 'acc-acme'] as const;
const USERS = { 'acc-alice': ids.alice, 'acc-bob': ids.bob, 'acc-carol': ids.carol, 'acc-acme': ids.acme } as const;
type AccountId = (typeof ACCOUNTS)[number];

type Step =
  | { op: 'deposit' | 'withdraw'; account: AccountId; amount: number }
  | { op: 'issue' | 'burn'; account: AccountId; amount: number }
  | { op: 'transfer' | 'instruct' | 'forced'; from: AccountId; to: AccountId; asset: 'MYR' | 'ACME'; amount: number }
  | { op: 'settle' }
  | { op: 'freeze'; account: AccountId; amount: number }
  | { op: 'review'; pick: number; decision: 'execute' | 'cancel'; wait: boolean };

/** Withdrawals above this are held for the review window (decision 40). */
const LARGE = { threshold: '50', reviewSeconds: 3600 };

const account = fc.constantFrom(...ACCOUNTS);
const amount = fc.integer({ min: 1, max: 5000 });
const small = fc.integer({ min: 1, max: 300 });
const asset = fc.constantFrom('MYR' as const, 'ACME' as const);
/** Pairs at the same operator (transfers) and at different operators (instructions). */
const samePair = fc.constantFrom(
  ['acc-alice', 'acc-bob'],
  ['acc-bob', 'acc-alice'],
  ['acc-acme', 'acc-alice'],
  ['acc-acme', 'acc-bob'],
  ['acc-alice', 'acc-acme'],
) as fc.Arbitrary<[AccountId, AccountId]>;
const crossPair = fc.constantFrom(
  ['acc-alice', 'acc-carol'],
  ['acc-bob', 'acc-carol'],
  ['acc-carol', 'acc-alice'],
  ['acc-acme', 'acc-carol'],
) as fc.Arbitrary<[AccountId, AccountId]>;
const move = (op: 'transfer' | 'instruct' | 'forced', pair: fc.Arbitrary<[AccountId, AccountId]>) =>
  fc
    .record({ op: fc.constant(op), pair, asset, amount: small })
    .map(({ pair: [from, to], ...rest }) => ({ ...rest, from, to }));
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('deposit' as const), account, amount }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('withdraw' as const), account, amount: small }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('issue' as const), account, amount: small }), weight: 1 },
  {
    arbitrary: fc.record({ op: fc.constant('burn' as const), account, amount: fc.integer({ min: 1, max: 50 }) }),
    weight: 1,
  },
  { arbitrary: move('transfer', samePair), weight: 4 },
  { arbitrary: move('instruct', crossPair), weight: 3 },
  { arbitrary: move('forced', fc.oneof(samePair, crossPair)), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('settle' as const) }), weight: 3 },
  {
    arbitrary: fc.record({ op: fc.constant('freeze' as const), account, amount: fc.integer({ min: 0, max: 3000 }) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('review' as const),
      pick: fc.nat(),
      decision: fc.constantFrom('execute' as const, 'cancel' as const),
      wait: fc.boolean(),
    }),
    weight: 4,
  },
);

/** How many steps of each kind committed, so the property cannot pass by refusing everything. */
const committed = new Map<string, number>();
const count = (op: string, r: { ok: boolean }) => {
  if (r.ok) committed.set(op, (committed.get(op) ?? 0) + 1);
};

type Held = { accountId: AccountId; withdrawalId: string };

async function apply(
  m: Market,
  s: Step,
  pending: Array<{ id: string; fromOperatorMspId: string }>,
  held: Held[],
): Promise<void> {
  const n = String(s.op === 'settle' || s.op === 'review' ? 0 : s.amount);
  switch (s.op) {
    case 'deposit':
    case 'withdraw': {
      const r = await m.call<{ withdrawalId: string; status: string }>(
        ids.trustee,
        'Money',
        s.op === 'deposit' ? 'Deposit' : 'Withdraw',
        [],
        { accountId: s.account, tokenId: MYR, amount: n, bankReference: 'R' },
      );
      count(r.value?.status === 'PENDING' ? 'request' : s.op, r);
      if (r.ok && r.value?.status === 'PENDING')
        held.push({ accountId: s.account, withdrawalId: r.value.withdrawalId });
      return;
    }
    case 'review': {
      const w = held[s.pick % Math.max(held.length, 1)];
      if (!w) return;
      if (s.wait) m.world.now += LARGE.reviewSeconds;
      const ref = { accountId: w.accountId, withdrawalId: w.withdrawalId };
      const r =
        s.decision === 'execute'
          ? await m.call(ids.trustee, 'Money', 'ExecuteWithdrawal', [], ref)
          : await m.call(ids.regulator, 'Money', 'CancelWithdrawal', [], { ...ref, reason: 'randomised review' });
      count(s.decision, r);
      // A premature execution is the one refusal expected here; it leaves the withdrawal pending.
      if (!r.ok && !/REVIEW_WINDOW_OPEN/.test(r.error?.message ?? '')) throw r.error;
      if (r.ok) held.splice(held.indexOf(w), 1);
      return;
    }
    case 'issue':
    case 'burn':
      count(
        s.op,
        await m.call(ids.trustee, 'Equity', s.op === 'issue' ? 'Issue' : 'Burn', [], {
          classId: ACME,
          accountId: s.account,
          amount: n,
          purpose: s.op === 'issue' ? 'offering' : 'redemption',
        }),
      );
      return;
    case 'transfer':
    case 'instruct': {
      const r = await m.call<string>(USERS[s.from], 'Transfers', s.op === 'transfer' ? 'Transfer' : 'Instruct', [], {
        from: s.from,
        to: s.to,
        assetId: s.asset === 'MYR' ? MYR : ACME,
        amount: n,
      });
      count(s.op, r);
      if (s.op === 'instruct' && r.ok && r.value) pending.push({ id: r.value, fromOperatorMspId: USERS[s.from].mspId });
      return;
    }
    case 'forced':
      count(
        s.op,
        await m.call(ids.regulator, 'Supervision', 'ForcedTransfer', [], {
          from: s.from,
          to: s.to,
          assetId: s.asset === 'MYR' ? MYR : ACME,
          amount: n,
          reason: 'randomised test order',
        }),
      );
      return;
    case 'settle': {
      const next = pending.shift();
      if (next) {
        const body = { instructionId: next.id, fromOperatorMspId: next.fromOperatorMspId };
        count(s.op, await m.call(ids.trustee, 'Transfers', 'Settle', [JSON.stringify(body)]));
      }
      return;
    }
    case 'freeze':
      await m.call(ids.regulator, 'Supervision', 'SetPartialFreeze', [], {
        accountId: s.account,
        assetId: MYR,
        amount: n,
        reason: 'randomised freeze',
      });
      return;
  }
}

describe('conservation invariants under random operation sequences (property-based)', () => {
  it('never breaks supply = balances + in transit + held withdrawals, never goes negative', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 40 }), async (steps) => {
        const m = await new Market().setup();
        await m.ok(ids.regulator, 'Money', 'SetWithdrawalPolicy', [
          JSON.stringify({ tokenId: MYR, ...LARGE, reason: 'randomised policy' }),
        ]);
        for (const a of ACCOUNTS) await m.deposit(a, '20000');
        await m.issue('acc-acme', '3000');
        await m.issue('acc-bob', '500');
        const pending: Array<{ id: string; fromOperatorMspId: string }> = [];
        const held: Held[] = [];
        for (const s of steps) {
          await apply(m, s, pending, held);
          for (const asset of [MYR, ACME]) {
            const report = await m.supply(asset);
            expect(report.consistent, `${asset} after ${JSON.stringify(s)}: ${JSON.stringify(report)}`).to.equal(true);
          }
          for (const a of ACCOUNTS) {
            expect((await m.balance(a, MYR)) >= 0n).to.equal(true);
            expect((await m.balance(a, ACME)) >= 0n).to.equal(true);
          }
        }
      }),
      { numRuns: 60, seed: 20261121 },
    );
    const ops = [
      'deposit',
      'withdraw',
      'request',
      'execute',
      'cancel',
      'issue',
      'burn',
      'transfer',
      'instruct',
      'forced',
    ];
    for (const op of [...ops, 'settle']) {
      expect(committed.get(op) ?? 0, `${op} steps committed: ${JSON.stringify([...committed])}`).to.be.greaterThan(3);
    }
  });
});

type MarketStep =
  | { op: 'order'; who: AccountId; side: 'BUY' | 'SELL'; price: number; quantity: number }
  | { op: 'cancel'; pick: number }
  | { op: 'match' }
  | { op: 'pledge'; who: AccountId; units: number }
  | { op: 'withdraw'; pick: number }
  | { op: 'tick'; seconds: number };

const investor = fc.constantFrom('acc-alice' as const, 'acc-bob' as const, 'acc-carol' as const);
const marketStep: fc.Arbitrary<MarketStep> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('order' as const),
      who: investor,
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      price: fc.integer({ min: 95, max: 105 }),
      quantity: fc.integer({ min: 1, max: 20 }),
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('match' as const) }), weight: 2 },
  {
    arbitrary: fc.record({ op: fc.constant('pledge' as const), who: investor, units: fc.integer({ min: 1, max: 40 }) }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant('withdraw' as const), pick: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({ op: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 3 * 86400 }) }),
    weight: 1,
  },
);

describe('escrow invariants of campaigns and the order book under random sequences (property-based)', () => {
  it('keeps supply = balances + transit + escrow through pledges, orders, matching, settlement and refunds', async () => {
    const done = new Map<string, number>();
    const note = (op: string, r: { ok: boolean }) => r.ok && done.set(op, (done.get(op) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(fc.array(marketStep, { minLength: 5, maxLength: 40 }), async (steps) => {
        const m = await new Market().setup();
        for (const a of ['acc-alice', 'acc-bob', 'acc-carol']) await m.deposit(a, '200000');
        await m.issue('acc-bob', '200');
        await m.issue('acc-carol', '200');
        const now = m.world.now;
        const terms = {
          campaignId: 'c',
          classId: ACME,
          tokenId: MYR,
          pricePerUnit: '100',
          minUnits: '30',
          maxUnits: '60',
          openAt: now,
          closeAt: now + 5 * 86400,
          minPledge: '100',
          maxPledge: '4000',
          allowedInvestorClasses: ['retail', 'sophisticated'],
          coolingOffSeconds: 86400,
        };
        await m.ok(ids.acme, 'Campaigns', 'Propose', [JSON.stringify(terms)]);
        await m.ok(ids.operatorA, 'Campaigns', 'Approve', [JSON.stringify({ campaignId: 'c' })]);
        await m.ok(ids.trustee, 'Campaigns', 'Fund', [JSON.stringify({ campaignId: 'c' })]);
        const orders: Array<{ id: string; who: AccountId }> = [];
        const pledges: Array<{ id: string; who: AccountId }> = [];
        for (const s of [...steps, { op: 'tick' as const, seconds: 6 * 86400 }]) {
          if (s.op === 'order') {
            const r = await m.call<string>(USERS[s.who], 'Market', 'PlaceOrder', [], {
              accountId: s.who,
              classId: ACME,
              tokenId: MYR,
              side: s.side,
              price: String(s.price),
              quantity: String(s.quantity),
            });
            note('order', r);
            if (r.ok && r.value) orders.push({ id: r.value, who: s.who });
          } else if (s.op === 'cancel' && orders.length > 0) {
            const o = orders[s.pick % orders.length] as { id: string; who: AccountId };
            note(
              'cancel',
              await m.call(USERS[o.who], 'Market', 'CancelOrder', [], {
                accountId: o.who,
                orderId: o.id,
                classId: ACME,
              }),
            );
          } else if (s.op === 'match') {
            const r = await m.call<{ fills: number }>(ids.trustee, 'Market', 'Match', [
              JSON.stringify({ classId: ACME }),
            ]);
            if (r.ok && (r.value?.fills ?? 0) > 0) note('fill', r);
          } else if (s.op === 'pledge') {
            const r = await m.call<string>(USERS[s.who], 'Campaigns', 'Pledge', [], {
              campaignId: 'c',
              accountId: s.who,
              amount: String(s.units * 100),
            });
            note('pledge', r);
            if (r.ok && r.value) pledges.push({ id: r.value, who: s.who });
          } else if (s.op === 'withdraw' && pledges.length > 0) {
            const p = pledges[s.pick % pledges.length] as { id: string; who: AccountId };
            note(
              'withdraw',
              await m.call(USERS[p.who], 'Campaigns', 'WithdrawPledge', [], {
                campaignId: 'c',
                accountId: p.who,
                pledgeId: p.id,
              }),
            );
          } else if (s.op === 'tick') {
            m.world.now += s.seconds;
            if (m.world.now >= terms.closeAt) {
              for (let i = 0; i < 50; i++) {
                const r = await m.call<{ status: string }>(ids.trustee, 'Campaigns', 'Settle', [
                  JSON.stringify({ campaignId: 'c', batchSize: 2 }),
                ]);
                if (!r.ok || r.value?.status === 'SUCCEEDED' || r.value?.status === 'FAILED') {
                  note(r.value?.status ?? 'settle-error', r);
                  break;
                }
              }
            }
          }
          for (const asset of [MYR, ACME]) {
            const report = await m.supply(asset);
            expect(report.consistent, `${asset} after ${JSON.stringify(s)}: ${JSON.stringify(report)}`).to.equal(true);
          }
        }
      }),
      { numRuns: 40, seed: 424242 },
    );
    for (const op of ['order', 'fill', 'cancel', 'pledge', 'withdraw', 'SUCCEEDED', 'FAILED']) {
      expect(done.get(op) ?? 0, `${op} happened`).to.be.greaterThan(1);
    }
    expect(done.get('settle-error') ?? 0).to.equal(0);
  });
});
