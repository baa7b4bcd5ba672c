import { expect } from 'chai';
import fc from 'fast-check';
import type { CorporateAction } from '@ecf/common';
import type { FakeIdentity } from '../testing/fake-stub';
import { ACME, ids, Market, MYR } from '../testing/market-fixture';

const INVESTORS = ['acc-alice', 'acc-bob', 'acc-carol'] as const;
type Investor = (typeof INVESTORS)[number];
const USERS: Record<Investor | 'acc-acme', FakeIdentity> = {
  'acc-alice': ids.alice,
  'acc-bob': ids.bob,
  'acc-carol': ids.carol,
  'acc-acme': ids.acme,
};

type Step =
  | { op: 'transfer'; from: 'acc-alice' | 'acc-bob'; units: number }
  | { op: 'order'; account: Investor | 'acc-acme'; side: 'BUY' | 'SELL'; price: number; units: number }
  | { op: 'match' }
  | { op: 'split'; numerator: number; denominator: number; batch: number }
  | { op: 'tender'; maxUnits: number; tenders: Array<{ account: Investor; units: number }>; batch: number }
  | { op: 'day' };

const investor = fc.constantFrom(...INVESTORS);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('transfer' as const),
      from: fc.constantFrom('acc-alice' as const, 'acc-bob' as const),
      units: fc.integer({ min: 1, max: 40 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('order' as const),
      account: fc.constantFrom(...INVESTORS, 'acc-acme' as const),
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      price: fc.integer({ min: 90, max: 110 }),
      units: fc.integer({ min: 1, max: 30 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ op: fc.constant('match' as const) }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('split' as const),
      numerator: fc.integer({ min: 1, max: 4 }),
      denominator: fc.integer({ min: 1, max: 4 }),
      batch: fc.integer({ min: 1, max: 5 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('tender' as const),
      maxUnits: fc.integer({ min: 1, max: 80 }),
      tenders: fc.array(fc.record({ account: investor, units: fc.integer({ min: 1, max: 40 }) }), { maxLength: 4 }),
      batch: fc.integer({ min: 1, max: 3 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ op: fc.constant('day' as const) }), weight: 1 },
);

const committed = new Map<string, number>();
const count = (op: string, ok: boolean) => {
  if (ok) committed.set(op, (committed.get(op) ?? 0) + 1);
};

async function runToDone(m: Market, actionId: string, max: number): Promise<CorporateAction> {
  for (let i = 0; i < 200; i++) {
    const a = await m.ok<CorporateAction>(ids.trustee, 'CorporateActions', 'Advance', [
      JSON.stringify({ actionId, max }),
    ]);
    if (a.phase === 'DONE') return a;
  }
  throw new Error(`${actionId} did not finish`);
}

async function apply(m: Market, s: Step, n: number): Promise<void> {
  const supply = async (asset: string) => BigInt((await m.supply(asset)).supply);
  switch (s.op) {
    case 'transfer': {
      const to = s.from === 'acc-alice' ? 'acc-bob' : 'acc-alice';
      const r = await m.call(USERS[s.from], 'Transfers', 'Transfer', [], {
        from: s.from,
        to,
        assetId: ACME,
        amount: String(s.units),
      });
      count('transfer', r.ok);
      break;
    }
    case 'order': {
      const r = await m.call(USERS[s.account], 'Market', 'PlaceOrder', [], {
        accountId: s.account,
        classId: ACME,
        tokenId: MYR,
        side: s.side,
        price: String(s.price),
        quantity: String(s.units),
      });
      count(s.account === 'acc-acme' && s.side === 'BUY' ? 'buyback order' : 'order', r.ok);
      if (!r.ok && s.account === 'acc-acme' && s.side === 'BUY')
        count('buyback refused', /BUYBACK_LIMIT/.test(r.error?.message ?? ''));
      break;
    }
    case 'match':
      count('match', (await m.call(ids.trustee, 'Market', 'Match', [JSON.stringify({ classId: ACME })])).ok);
      break;
    case 'day':
      m.world.now += 86400;
      break;
    case 'split': {
      if (s.numerator === s.denominator) break;
      const actionId = `split-${n}`;
      await m.ok(ids.acme, 'CorporateActions', 'AnnounceSplit', [
        JSON.stringify({
          actionId,
          classId: ACME,
          numerator: s.numerator,
          denominator: s.denominator,
          reason: 'random',
        }),
      ]);
      const before = await supply(ACME);
      await runToDone(m, actionId, s.batch);
      // No instruction is ever in transit here, so the rule is exact: floor(S·N/M).
      expect(await supply(ACME)).to.equal((before * BigInt(s.numerator)) / BigInt(s.denominator));
      count('split', true);
      break;
    }
    case 'tender': {
      const actionId = `tender-${n}`;
      const closesAt = m.world.now + 3600;
      const r = await m.call(ids.acme, 'CorporateActions', 'AnnounceTender', [
        JSON.stringify({
          actionId,
          classId: ACME,
          tokenId: MYR,
          price: '100',
          maxUnits: String(s.maxUnits),
          closesAt,
          reason: 'random',
        }),
      ]);
      if (!r.ok) break;
      let tendered = 0n;
      for (const t of s.tenders) {
        const tr = await m.call(USERS[t.account], 'CorporateActions', 'Tender', [], {
          actionId,
          accountId: t.account,
          units: String(t.units),
        });
        if (tr.ok) tendered += BigInt(t.units);
      }
      m.world.now = closesAt;
      const before = await supply(ACME);
      const done = await runToDone(m, actionId, s.batch);
      const bought = tendered < BigInt(s.maxUnits) ? tendered : BigInt(s.maxUnits);
      expect(done.unitsTendered).to.equal(tendered.toString());
      expect(done.unitsBought).to.equal(bought.toString());
      expect(await supply(ACME)).to.equal(before - bought);
      count('tender', true);
      break;
    }
  }
}

describe('conservation through corporate actions mixed with transfers and trades (property-based)', () => {
  it('keeps units and money conserved, and splits and tenders exact, through random sequences', async function () {
    this.timeout(120_000);
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 14 }), async (steps) => {
        const m = await new Market().setup();
        for (const a of INVESTORS) await m.issue(a, '200');
        await m.issue('acc-acme', '100');
        for (const a of [...INVESTORS, 'acc-acme']) await m.deposit(a, '100000');
        await m.ok(ids.regulator, 'CorporateActions', 'SetBuybackPolicy', [
          JSON.stringify({ classId: ACME, maxBps: 2500, windowDays: 1, reason: 'random limit' }),
        ]);
        let n = 0;
        for (const s of steps) {
          await apply(m, s, n++);
          for (const asset of [MYR, ACME]) {
            const r = await m.supply(asset);
            expect(r.consistent, `${asset} after ${s.op}: ${JSON.stringify(r)}`).to.equal(true);
          }
        }
      }),
      { numRuns: 25, seed: 20261204 },
    );
    // The property means nothing if the actions were all refused.
    for (const op of ['order', 'match', 'split', 'tender', 'transfer'])
      expect(committed.get(op) ?? 0, op).to.be.above(0);
  });
});
