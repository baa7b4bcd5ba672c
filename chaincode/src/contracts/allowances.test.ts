import { expect } from 'chai';
import { ACME, ids, Market, MYR, YEAR } from '../testing/market-fixture';

describe('Allowances: custodial moves within a holder-approved limit', () => {
  let m: Market;
  const ref = { accountId: 'acc-alice', spenderMspId: 'TrusteeMSP', assetId: MYR };
  const approve = (amount: string, expiresAt = m.world.now + 3600, over: Record<string, unknown> = {}) =>
    m.ok(ids.alice, 'Allowances', 'Approve', [], { ...ref, amount, expiresAt, ...over });
  const move = (amount: string, to = 'acc-bob', assetId = MYR) => ({ from: 'acc-alice', to, assetId, amount });
  const allowance = () =>
    m.ok<{ remaining: string; status: string }>(ids.alice, 'Allowances', 'Get', [JSON.stringify(ref)]);

  beforeEach(async () => {
    m = await new Market().setup();
    await m.deposit('acc-alice', '10000');
  });

  it("is approved by the holder alone, for its own operator or that operator's trustee, with a future expiry", async () => {
    const terms = { ...ref, amount: '500', expiresAt: m.world.now + 60 };
    await m.refused('FORBIDDEN', ids.operatorA, 'Allowances', 'Approve', [], terms);
    await m.refused('FORBIDDEN', ids.bob, 'Allowances', 'Approve', [], terms);
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Allowances', 'Approve', [], {
      ...terms,
      spenderMspId: 'OperatorBMSP',
    });
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Allowances', 'Approve', [], {
      ...terms,
      expiresAt: m.world.now,
    });
    await m.ok(ids.alice, 'Allowances', 'Approve', [], { ...terms, spenderMspId: 'OperatorAMSP' });
    await m.ok(ids.alice, 'Allowances', 'Approve', [], terms);
    const list = await m.ok<{ allowances: unknown[] }>(ids.operatorA, 'Allowances', 'List', [
      JSON.stringify({ accountId: 'acc-alice' }),
    ]);
    expect(list.allowances).to.have.length(2);
  });

  it('moves within the allowance without the holder, lowering it, under the ordinary transfer records', async () => {
    await approve('500');
    // The answer is in the block: it names nothing of the allowance or the amount.
    const r = await m.ok<object>(ids.trustee, 'Allowances', 'Spend', [], move('300'));
    expect(r).to.deep.equal({});
    expect(await m.balance('acc-alice', MYR)).to.equal(9700n);
    expect(await m.balance('acc-bob', MYR)).to.equal(300n);
    expect((await allowance()).remaining).to.equal('200');
    const history = await m.ok<{ movements: Array<{ kind: string; delta: string }> }>(
      ids.alice,
      'Accounts',
      'GetHistory',
      ['acc-alice'],
    );
    expect(history.movements.at(-1)).to.include({ kind: 'transfer', delta: '-300' });
    expect((await m.supply(MYR)).consistent).to.equal(true);
  });

  it('refuses a move over what is left (ALLOWANCE_EXCEEDED), then any move once used up (ALLOWANCE_EXHAUSTED), writing nothing', async () => {
    await approve('500');
    await m.refused('COMPLIANCE: ALLOWANCE_EXCEEDED', ids.trustee, 'Allowances', 'Spend', [], move('501'));
    await m.ok(ids.trustee, 'Allowances', 'Spend', [], move('500'));
    await m.refused('COMPLIANCE: ALLOWANCE_EXHAUSTED', ids.trustee, 'Allowances', 'Spend', [], move('1'));
    expect(await m.balance('acc-alice', MYR)).to.equal(9500n);
  });

  it('refuses a move under a revoked allowance (ALLOWANCE_REVOKED) and under an expired one (ALLOWANCE_EXPIRED)', async () => {
    await approve('500');
    await m.refused('FORBIDDEN', ids.operatorA, 'Allowances', 'Revoke', [], ref);
    await m.ok(ids.alice, 'Allowances', 'Revoke', [], ref);
    await m.refused('CONFLICT', ids.alice, 'Allowances', 'Revoke', [], ref);
    await m.refused('COMPLIANCE: ALLOWANCE_REVOKED', ids.trustee, 'Allowances', 'Spend', [], move('1'));
    await approve('500', m.world.now + 60);
    m.world.now += 60;
    await m.refused('COMPLIANCE: ALLOWANCE_EXPIRED', ids.trustee, 'Allowances', 'Spend', [], move('1'));
    expect(await m.balance('acc-alice', MYR)).to.equal(10000n);
  });

  it("gives no authority to an org it does not name (FORBIDDEN), nor to the holder's customers", async () => {
    await approve('500');
    await m.refused('FORBIDDEN', ids.operatorA, 'Allowances', 'Spend', [], move('1'));
    await m.refused('FORBIDDEN', ids.operatorB, 'Allowances', 'Spend', [], move('1'));
    await m.refused('FORBIDDEN', ids.bob, 'Allowances', 'Spend', [], move('1'));
    await m.refused('FORBIDDEN', ids.regulator, 'Allowances', 'Spend', [], move('1'));
  });

  it('passes every compliance rule of a transfer: a frozen holder, a receiver over its retail cap', async () => {
    await approve('500');
    await m.ok(ids.regulator, 'Supervision', 'FreezeAccount', [
      JSON.stringify({ accountId: 'acc-alice', frozen: true, reason: 'court order' }),
    ]);
    await m.refused('COMPLIANCE: SENDER_FROZEN', ids.trustee, 'Allowances', 'Spend', [], move('10'));
    await m.ok(ids.regulator, 'Supervision', 'FreezeAccount', [
      JSON.stringify({ accountId: 'acc-alice', frozen: false, reason: 'order lifted' }),
    ]);
    // Units of ACME to carol, retail, whose cap is 1000 a year and who got 200: the allowance covers 900, the cap does not.
    await m.issue('acc-alice', '900');
    await m.issue('acc-carol', '200');
    await m.ok(ids.alice, 'Allowances', 'Approve', [], {
      ...ref,
      assetId: ACME,
      amount: '900',
      expiresAt: m.world.now + 60,
    });
    await m.refused(
      'COMPLIANCE: INVESTMENT_CAP_EXCEEDED',
      ids.trustee,
      'Allowances',
      'Spend',
      [],
      move('900', 'acc-carol', ACME),
    );
    expect((await allowance()).remaining).to.equal('500');
  });

  it('moves across operators as an instruction the custodian settles', async () => {
    await approve('500');
    const r = await m.ok<{ instructionId?: string }>(ids.trustee, 'Allowances', 'Spend', [], move('200', 'acc-carol'));
    expect(r.instructionId).to.match(/^[0-9a-f]{64}$/);
    await m.ok(ids.trustee, 'Transfers', 'Settle', [
      JSON.stringify({ instructionId: r.instructionId, fromOperatorMspId: 'OperatorAMSP' }),
    ]);
    expect(await m.balance('acc-carol', MYR)).to.equal(200n);
    expect((await m.supply(MYR)).consistent).to.equal(true);
  });

  it("keeps the allowance sealed in the holder's operator collection: no readable id in its key, a salt in its value", async () => {
    await approve('500', m.world.now + YEAR);
    const stored = [...m.world.collection('pdcOperatorA').entries()].filter(([k]) => k.includes('alw'));
    expect(stored).to.have.length(1);
    const [key, value] = stored[0] as [string, Buffer];
    for (const id of ['acc-alice', 'TrusteeMSP', MYR]) expect(key).not.to.include(id);
    expect(JSON.parse(value.toString())).to.have.property('seal');
    expect([...m.world.collection('pdcOperatorB').keys()].some((k) => k.includes('alw'))).to.equal(false);
  });
});
