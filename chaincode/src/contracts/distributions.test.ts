import { entitlement, escrowFor, type Distribution } from '@ecf/common';
import { expect } from 'chai';
import fc from 'fast-check';
import { ACME, ids, Market, MYR } from '../testing/market-fixture';

const DAY = 86400;
const j = (o: unknown) => [JSON.stringify(o)];
const HOLDERS = ['acc-alice', 'acc-bob', 'acc-carol', 'acc-acme'] as const;
type Holder = (typeof HOLDERS)[number];
const USERS = { 'acc-alice': ids.alice, 'acc-bob': ids.bob, 'acc-carol': ids.carol, 'acc-acme': ids.acme } as const;

function terms(m: Market, over: Record<string, unknown> = {}) {
  return {
    distributionId: 'div-1',
    classId: ACME,
    tokenId: MYR,
    amountPerUnit: '2.5',
    declaredUnits: '1000',
    recordAt: m.world.now + DAY,
    payAt: m.world.now + 2 * DAY,
    ...over,
  };
}

async function consistent(m: Market): Promise<void> {
  for (const asset of [MYR, ACME]) expect((await m.supply(asset)).consistent, asset).to.equal(true);
}

async function payAll(m: Market, max = 2, id = 'div-1'): Promise<Distribution> {
  for (let i = 0; i < 100; i++) {
    const d = await m.ok<Distribution>(ids.trustee, 'Distributions', 'Pay', j({ distributionId: id, max }));
    await consistent(m);
    if (d.status === 'PAID') return d;
  }
  throw new Error('the distribution was not paid');
}

const transfer = (m: Market, from: Holder, to: Holder, amount: string) =>
  m.call(USERS[from], 'Transfers', 'Transfer', [], { from, to, assetId: ACME, amount });

describe('Distributions: declared with escrow, paid on holdings at the record time', () => {
  let m: Market;
  beforeEach(async () => {
    m = await new Market().setup();
    await m.deposit('acc-acme', '10000');
    await m.issue('acc-alice', '300');
    await m.issue('acc-bob', '101');
    await m.issue('acc-carol', '200');
  });

  it("escrows the issuer's money at declaration, by its operator only, for future record times", async () => {
    await m.refused('FORBIDDEN', ids.acme, 'Distributions', 'Declare', j(terms(m)));
    await m.refused('FORBIDDEN', ids.operatorB, 'Distributions', 'Declare', j(terms(m)));
    await m.refused('FORBIDDEN', ids.trustee, 'Distributions', 'Declare', j(terms(m)));
    await m.refused(
      'INVALID_ARGUMENT',
      ids.operatorA,
      'Distributions',
      'Declare',
      j(terms(m, { recordAt: m.world.now })),
    );
    await m.refused(
      'INVALID_ARGUMENT',
      ids.operatorA,
      'Distributions',
      'Declare',
      j(terms(m, { payAt: m.world.now + DAY - 1 })),
    );
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Distributions', 'Declare', j(terms(m, { amountPerUnit: '0' })));
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Distributions', 'Declare', j(terms(m, { tokenId: ACME })));
    // 5000 × 2.5 = 12500 > the issuer's 10000.
    const short = await m.refused(
      'COMPLIANCE',
      ids.operatorA,
      'Distributions',
      'Declare',
      j(terms(m, { declaredUnits: '5000' })),
    );
    expect(short).to.contain('INSUFFICIENT_BALANCE');
    const d = await m.ok<Distribution>(ids.operatorA, 'Distributions', 'Declare', j(terms(m)));
    expect(d).to.include({ status: 'DECLARED', escrowed: '2500', operatorMspId: 'OperatorAMSP' });
    expect(await m.balance('acc-acme', MYR)).to.equal(7500n);
    expect(await m.supply(MYR)).to.include({ escrowed: '2500', consistent: true });
    await m.refused('CONFLICT', ids.operatorA, 'Distributions', 'Declare', j(terms(m)));
    await m.refused('CONFLICT', ids.trustee, 'Distributions', 'Pay', j({ distributionId: 'div-1', max: 5 }));
  });

  it('pays the holdings at the record time across both operators: later transfers change nobody’s payment', async () => {
    await m.ok(ids.operatorA, 'Distributions', 'Declare', j(terms(m)));
    expect((await transfer(m, 'acc-alice', 'acc-bob', '50')).ok).to.equal(true); // before: counts
    m.world.now += DAY; // the record time
    expect((await transfer(m, 'acc-alice', 'acc-bob', '100')).ok).to.equal(true); // after: does not
    const instruction = await m.ok<string>(ids.carol, 'Transfers', 'Instruct', [], {
      from: 'acc-carol',
      to: 'acc-alice',
      assetId: ACME,
      amount: '200',
    });
    await m.ok(
      ids.trustee,
      'Transfers',
      'Settle',
      j({ instructionId: instruction, fromOperatorMspId: 'OperatorBMSP' }),
    );
    await m.issue('acc-acme', '40'); // minted after the record time: not entitled
    await m.refused('CONFLICT', ids.trustee, 'Distributions', 'Pay', j({ distributionId: 'div-1', max: 5 }));
    m.world.now += DAY;
    await m.refused('FORBIDDEN', ids.operatorA, 'Distributions', 'Pay', j({ distributionId: 'div-1', max: 5 }));
    const done = await payAll(m, 1);
    expect(done).to.include({ status: 'PAID', accountsWalked: 4 });
    // At the record time: alice 250, bob 151, carol 200, acme 0. Entitlements round down: 151 × 2.5 = 377.5.
    expect(await m.balance('acc-alice', MYR)).to.equal(625n);
    expect(await m.balance('acc-bob', MYR)).to.equal(377n);
    expect(await m.balance('acc-carol', MYR)).to.equal(500n);
    // The issuer escrowed 2500 and paid 1502: 998 back, the half unit of rounding included.
    expect(await m.balance('acc-acme', MYR)).to.equal(10000n - 1502n);
    expect(await m.supply(MYR)).to.include({ escrowed: '0', consistent: true });
    await m.refused('CONFLICT', ids.trustee, 'Distributions', 'Pay', j({ distributionId: 'div-1', max: 5 }));
    // Paid and off the schedule: a movement now keeps no snapshot for it.
    const r = await transfer(m, 'acc-alice', 'acc-bob', '1');
    expect(r.stub.attemptedWrites.filter((w) => w.key.includes('dsnap'))).to.deep.equal([]);
  });

  it('pays a frozen account (the credit stays under the freeze) and withholds an offboarded one for the issuer', async () => {
    await m.onboard(ids.operatorA, 'acc-gone', 'investor', 'retail');
    await m.issue('acc-gone', '10');
    await m.ok(ids.operatorA, 'Distributions', 'Declare', j(terms(m)));
    await m.ok(
      ids.regulator,
      'Supervision',
      'FreezeAccount',
      j({ accountId: 'acc-carol', frozen: true, reason: 'court order' }),
    );
    await m.ok(ids.trustee, 'Equity', 'Burn', [], {
      classId: ACME,
      accountId: 'acc-gone',
      amount: '10',
      purpose: 'redemption',
    });
    m.world.now += 2 * DAY;
    // Offboarded after the record time with its units gone: its snapshot says 10.
    await m.ok(
      ids.operatorA,
      'Accounts',
      'SetStatus',
      j({ accountId: 'acc-gone', status: 'OFFBOARDED', reason: 'left' }),
    );
    await payAll(m, 3);
    expect(await m.balance('acc-carol', MYR)).to.equal(500n);
    expect(await m.balance('acc-gone', MYR)).to.equal(0n);
    // Paid 750 + 252 + 500 = 1502; the 25 withheld returns with the rest.
    expect(await m.balance('acc-acme', MYR)).to.equal(10000n - 1502n);
  });

  it('stops a batch on a short escrow (ESCROW_SHORT) until the issuer’s operator tops it up, then resumes', async () => {
    await m.ok(ids.operatorA, 'Distributions', 'Declare', j(terms(m, { declaredUnits: '300' }))); // 750 escrowed
    m.world.now += 2 * DAY;
    const short = await m.refused(
      'CONFLICT',
      ids.trustee,
      'Distributions',
      'Pay',
      j({ distributionId: 'div-1', max: 4 }),
    );
    expect(short).to.contain('ESCROW_SHORT');
    await m.refused('FORBIDDEN', ids.trustee, 'Distributions', 'TopUp', j({ distributionId: 'div-1', amount: '800' }));
    const topped = await m.ok<Distribution>(
      ids.operatorA,
      'Distributions',
      'TopUp',
      j({ distributionId: 'div-1', amount: '800' }),
    );
    expect(topped.escrowed).to.equal('1550');
    await consistent(m);
    await payAll(m, 4);
    expect(await m.balance('acc-acme', MYR)).to.equal(10000n - 1502n);
  });
});

describe('Distributions: a payment batch reads only its own accounts (decision 60)', () => {
  it('walks every account once in id order, ids that prefix others included, each batch reading at most max + 1 records', async () => {
    const m = await new Market().setup();
    await m.deposit('acc-acme', '100000');
    // `acc-h1` prefixes `acc-h10`…`acc-h19`: the cursor after it must neither skip nor repeat them.
    const extra = Array.from({ length: 21 }, (_, i) => `acc-h${i}`);
    for (const id of extra) {
      await m.onboard(ids.operatorA, id, 'investor', 'sophisticated');
      await m.issue(id, String(extra.indexOf(id) + 1));
    }
    await m.issue('acc-alice', '7');
    await m.ok(ids.operatorA, 'Distributions', 'Declare', j(terms(m, { amountPerUnit: '1.5' })));
    m.world.now += 2 * DAY;
    const max = 4;
    const reads: number[] = [];
    let d: Distribution | undefined;
    for (let i = 0; i < 20 && d?.status !== 'PAID'; i++) {
      const r = await m.call<Distribution>(ids.trustee, 'Distributions', 'Pay', j({ distributionId: 'div-1', max }));
      expect(r.ok, r.error?.message).to.equal(true);
      reads.push(...r.stub.rangeReads.map((x) => x.consumed));
      expect(r.stub.publicReads.length).to.be.below(max + 12); // the batch's accounts and a few fixed records
      d = r.value;
    }
    const all = 4 + extra.length;
    expect(d).to.include({ status: 'PAID', accountsWalked: all });
    expect(reads).to.have.length(Math.ceil(all / max) + (all % max === 0 ? 1 : 0));
    expect(Math.max(...reads)).to.be.at.most(max + 1);
    for (const [i, id] of extra.entries()) {
      expect(await m.balance(id, MYR), id).to.equal(entitlement(BigInt(i + 1), '1.5'));
    }
    expect(await m.balance('acc-alice', MYR)).to.equal(10n);
    await consistent(m);
  });
});

describe('Distributions: a payment batch costs the same round trips to the peer whatever its size (decision 60)', () => {
  it('pays a batch of 5 and a batch of 20 accounts in the same number of round trips', async () => {
    const roundTrips = async (max: number) => {
      const m = await new Market().setup();
      await m.deposit('acc-acme', '100000');
      for (let i = 0; i < 21; i++) {
        const id = `acc-h${String(i).padStart(2, '0')}`;
        await m.onboard(ids.operatorA, id, 'investor', 'sophisticated');
        await m.issue(id, String(i + 1));
      }
      await m.issue('acc-alice', '3');
      await m.ok(ids.operatorA, 'Distributions', 'Declare', j(terms(m, { amountPerUnit: '1.5' })));
      // A holder who moved since the record time is paid from its snapshot.
      m.world.now += 2 * DAY;
      const moved = await transfer(m, 'acc-alice', 'acc-bob', '1');
      expect(moved.ok, moved.error?.message).to.equal(true);
      const r = await m.call<Distribution>(ids.trustee, 'Distributions', 'Pay', j({ distributionId: 'div-1', max }));
      expect(r.ok, r.error?.message).to.equal(true);
      expect(r.value?.status).to.equal('PAYING');
      expect(r.stub.batchCalls, 'writes sent in one message').to.include('WriteBatchState');
      return r.stub.roundTrips;
    };
    const few = await roundTrips(5);
    expect(await roundTrips(20), `${few} round trips for 5 accounts`).to.equal(few);
  });
});

describe('Distributions under random transfer sequences (property-based)', () => {
  type Move = { kind: 'transfer' | 'instruct' | 'settle' | 'issue'; from: Holder; to: Holder; amount: number };
  const holder = fc.constantFrom(...HOLDERS);
  const move: fc.Arbitrary<Move> = fc.record({
    kind: fc.constantFrom(
      'transfer' as const,
      'transfer' as const,
      'instruct' as const,
      'settle' as const,
      'issue' as const,
    ),
    from: holder,
    to: holder,
    amount: fc.integer({ min: 1, max: 120 }),
  });
  const rate = fc
    .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 999_999 }))
    .filter(([w, f]) => w + f > 0)
    .map(([w, f]) => (f === 0 ? String(w) : `${w}.${String(f).padStart(6, '0')}`));

  async function play(m: Market, mv: Move, transit: Array<{ id: string; op: string }>): Promise<void> {
    const sameOperator = USERS[mv.from].mspId === USERS[mv.to].mspId;
    if (mv.kind === 'settle') {
      const next = transit.shift();
      if (next)
        await m.call(ids.trustee, 'Transfers', 'Settle', j({ instructionId: next.id, fromOperatorMspId: next.op }));
    } else if (mv.kind === 'issue') {
      await m.call(ids.trustee, 'Equity', 'Issue', [], {
        classId: ACME,
        accountId: mv.to,
        amount: String(mv.amount),
        purpose: 'offering',
      });
    } else if (mv.from !== mv.to) {
      const body = { from: mv.from, to: mv.to, assetId: ACME, amount: String(mv.amount) };
      if (mv.kind === 'transfer' && sameOperator) await m.call(USERS[mv.from], 'Transfers', 'Transfer', [], body);
      else {
        const r = await m.call<string>(USERS[mv.from], 'Transfers', 'Instruct', [], body);
        if (r.ok && r.value) transit.push({ id: r.value, op: USERS[mv.from].mspId });
      }
    }
  }

  it('conserves money and pays each account exactly its holding at the record time × rate, rounded down', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(move, { maxLength: 15 }),
        fc.array(move, { maxLength: 15 }),
        rate,
        fc.integer({ min: 1, max: 3 }),
        async (before, after, amountPerUnit, max) => {
          const m = await new Market().setup();
          await m.deposit('acc-acme', '100000000');
          for (const h of ['acc-alice', 'acc-bob', 'acc-carol'] as const) await m.issue(h, '200');
          const transit: Array<{ id: string; op: string }> = [];
          const declared = terms(m, { amountPerUnit, declaredUnits: '5000', payAt: m.world.now + DAY });
          await m.ok(ids.operatorA, 'Distributions', 'Declare', j(declared));
          for (const mv of before) await play(m, mv, transit);
          m.world.now = declared.recordAt;
          const atRecord = new Map<Holder, bigint>();
          for (const h of HOLDERS) atRecord.set(h, await m.balance(h, ACME));
          const moneyBefore = new Map<Holder, bigint>();
          for (const h of HOLDERS) moneyBefore.set(h, await m.balance(h, MYR));
          // Transfers after the record time, interleaved with payment batches.
          let done = false;
          for (const mv of after) {
            await play(m, mv, transit);
            if (!done) {
              const d = await m.ok<Distribution>(
                ids.trustee,
                'Distributions',
                'Pay',
                j({ distributionId: 'div-1', max }),
              );
              done = d.status === 'PAID';
            }
            await consistent(m);
          }
          if (!done) await payAll(m, max);
          let paid = 0n;
          for (const h of HOLDERS) {
            if (h === 'acc-acme') continue;
            const got = (await m.balance(h, MYR)) - (moneyBefore.get(h) ?? 0n);
            expect(got, h).to.equal(entitlement(atRecord.get(h) ?? 0n, amountPerUnit));
            paid += got;
          }
          // The issuer paid exactly what the others received (its own holding pays itself).
          const issuerGot = (await m.balance('acc-acme', MYR)) - (moneyBefore.get('acc-acme') ?? 0n);
          expect(issuerGot).to.equal(escrowFor(5000n, amountPerUnit) - paid);
          expect(await m.supply(MYR)).to.include({ supply: '100000000', escrowed: '0', consistent: true });
        },
      ),
      { numRuns: 40 },
    );
  });
});
