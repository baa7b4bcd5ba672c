import { expect } from 'chai';
import { ACME, ids, Market, MYR, YEAR } from '../testing/market-fixture';

const t = (from: string, to: string, amount: string, assetId = MYR) => ({ from, to, assetId, amount });

describe('Money, equity and transfers with compliance on every movement', () => {
  let m: Market;
  beforeEach(async () => {
    m = await new Market().setup();
    await m.deposit('acc-alice', '10000');
    await m.issue('acc-acme', '5000');
  });

  it('keeps the money invariant through deposit, transfer and withdrawal', async () => {
    await m.ok(ids.alice, 'Transfers', 'Transfer', [], t('acc-alice', 'acc-bob', '2500'));
    await m.ok(ids.trustee, 'Money', 'Withdraw', [], {
      accountId: 'acc-bob',
      tokenId: MYR,
      amount: '1000',
      bankReference: 'W-1',
    });
    expect(await m.balance('acc-alice', MYR)).to.equal(7500n);
    expect(await m.balance('acc-bob', MYR)).to.equal(1500n);
    const s = await m.supply(MYR);
    expect(s).to.include({ supply: '9000', held: '9000', inTransit: '0', consistent: true });
  });

  it('lets the operator act for its own customer but not a competitor’s', async () => {
    await m.ok(ids.operatorA, 'Transfers', 'Transfer', [], t('acc-alice', 'acc-bob', '1'));
    await m.refused('FORBIDDEN', ids.operatorB, 'Transfers', 'Transfer', [], t('acc-alice', 'acc-bob', '1'));
    await m.refused('FORBIDDEN', ids.bob, 'Transfers', 'Transfer', [], t('acc-alice', 'acc-bob', '1'));
  });

  it('refuses each rule with its own reason code, in CanTransfer and in Transfer alike', async () => {
    const expectCode = async (code: string, body: object, who = ids.alice) => {
      const check = await m.ok<{ allowed: boolean; code: string }>(ids.regulator, 'Transfers', 'CanTransfer', [], body);
      expect(check, JSON.stringify(body)).to.include({ allowed: false, code });
      const msg = await m.refused('COMPLIANCE', who, 'Transfers', 'Transfer', [], body);
      expect(msg).to.contain(code);
    };
    await expectCode('INSUFFICIENT_BALANCE', t('acc-alice', 'acc-bob', '10001'));
    await expectCode('SAME_ACCOUNT', t('acc-alice', 'acc-alice', '1'));

    await m.ok(ids.regulator, 'Supervision', 'SetPartialFreeze', [], {
      accountId: 'acc-alice',
      assetId: MYR,
      amount: '9500',
      reason: 'court order 42',
    });
    await expectCode('AMOUNT_FROZEN', t('acc-alice', 'acc-bob', '600'));
    await m.ok(ids.alice, 'Transfers', 'Transfer', [], t('acc-alice', 'acc-bob', '500'));
    await m.ok(ids.regulator, 'Supervision', 'SetPartialFreeze', [], {
      accountId: 'acc-alice',
      assetId: MYR,
      amount: '0',
      reason: 'order lifted',
    });

    await m.ok(ids.regulator, 'Supervision', 'FreezeAccount', [
      JSON.stringify({ accountId: 'acc-bob', frozen: true, reason: 'investigation' }),
    ]);
    await expectCode('RECEIVER_FROZEN', t('acc-alice', 'acc-bob', '1'));
    await expectCode('SENDER_FROZEN', t('acc-bob', 'acc-alice', '1'), ids.bob);
    await m.ok(ids.regulator, 'Supervision', 'FreezeAccount', [
      JSON.stringify({ accountId: 'acc-bob', frozen: false, reason: 'closed' }),
    ]);

    await m.ok(ids.regulator, 'Supervision', 'HaltInstrument', [
      JSON.stringify({ assetId: MYR, halted: true, reason: 'market disorder' }),
    ]);
    await expectCode('INSTRUMENT_HALTED', t('acc-alice', 'acc-bob', '1'));
    await m.ok(ids.regulator, 'Supervision', 'HaltInstrument', [
      JSON.stringify({ assetId: MYR, halted: false, reason: 'resumed' }),
    ]);

    m.world.now += 2 * YEAR;
    await expectCode('SENDER_KYC_EXPIRED', t('acc-alice', 'acc-bob', '1'));
  });

  it('enforces investor classes, lock-up and the retail cap on equity', async () => {
    await m.ok(ids.trustee, 'Equity', 'CreateShareClass', [
      JSON.stringify({
        classId: 'ACME-PREF',
        issuerAccountId: 'acc-acme',
        kind: 'preference',
        decimals: 2,
        lockupUntil: m.world.now + 1000,
        allowedInvestorClasses: ['sophisticated'],
      }),
    ]);
    await m.ok(ids.trustee, 'Equity', 'Issue', [], {
      classId: 'ACME-PREF',
      accountId: 'acc-bob',
      amount: '100',
      purpose: 'offering',
    });
    const msg = await m.refused('COMPLIANCE', ids.trustee, 'Equity', 'Issue', [], {
      classId: 'ACME-PREF',
      accountId: 'acc-alice',
      amount: '1',
      purpose: 'offering',
    });
    expect(msg).to.contain('INVESTOR_CLASS_NOT_ALLOWED');
    await m.onboard(ids.operatorA, 'acc-dan', 'investor', 'sophisticated');
    expect(
      await m.refused('COMPLIANCE', ids.bob, 'Transfers', 'Transfer', [], t('acc-bob', 'acc-dan', '10', 'ACME-PREF')),
    ).to.contain('LOCKED_UP');
    m.world.now += 1001;
    await m.ok(ids.bob, 'Transfers', 'Transfer', [], t('acc-bob', 'acc-dan', '10', 'ACME-PREF'));

    // Retail cap: 1000 units of ACME per calendar year, counted across issuance and transfers.
    await m.issue('acc-alice', '900');
    await m.ok(ids.acme, 'Transfers', 'Transfer', [], t('acc-acme', 'acc-alice', '100', ACME));
    expect(
      await m.refused('COMPLIANCE', ids.acme, 'Transfers', 'Transfer', [], t('acc-acme', 'acc-alice', '1', ACME)),
    ).to.contain('INVESTMENT_CAP_EXCEEDED');
    await m.ok(ids.acme, 'Transfers', 'Transfer', [], t('acc-acme', 'acc-bob', '1', ACME)); // sophisticated: no cap
    const s = await m.supply(ACME);
    expect(s.consistent).to.equal(true);
  });

  it('moves money across operators by instruction and custodian settlement, conserving it throughout', async () => {
    const cross = await m.refused(
      'COMPLIANCE',
      ids.alice,
      'Transfers',
      'Transfer',
      [],
      t('acc-alice', 'acc-carol', '100'),
    );
    expect(cross).to.match(/^COMPLIANCE: CROSS_OPERATOR: .*use an instruction \(POST \/v1\/instructions\)/);
    const instructionId = await m.ok<string>(
      ids.alice,
      'Transfers',
      'Instruct',
      [],
      t('acc-alice', 'acc-carol', '300'),
    );
    expect(await m.balance('acc-alice', MYR)).to.equal(9700n);
    expect(await m.supply(MYR)).to.include({ held: '9700', inTransit: '300', consistent: true });
    await m.refused('FORBIDDEN', ids.operatorB, 'Transfers', 'Settle', [
      JSON.stringify({ instructionId, fromOperatorMspId: 'OperatorAMSP' }),
    ]);
    const r = await m.ok<{ outcome: string }>(ids.trustee, 'Transfers', 'Settle', [
      JSON.stringify({ instructionId, fromOperatorMspId: 'OperatorAMSP' }),
    ]);
    expect(r.outcome).to.equal('SETTLED');
    expect(await m.balance('acc-carol', MYR)).to.equal(300n);
    expect(await m.supply(MYR)).to.include({ held: '10000', inTransit: '0', consistent: true });
    // Settled once: settling again is a conflict with what happened, not an unknown instruction.
    const again = await m.refused('CONFLICT', ids.trustee, 'Transfers', 'Settle', [
      JSON.stringify({ instructionId, fromOperatorMspId: 'OperatorAMSP' }),
    ]);
    expect(again).to.contain('already settled');
    await m.refused('NOT_FOUND', ids.trustee, 'Transfers', 'Settle', [
      JSON.stringify({ instructionId: 'no-such-instruction', fromOperatorMspId: 'OperatorAMSP' }),
    ]);
  });

  it('answers CanTransfer from the same rule as Transfer and Instruct: CROSS_OPERATOR and SAME_OPERATOR', async () => {
    const check = (body: object) =>
      m.ok<{ allowed: boolean; code: string; message: string }>(ids.alice, 'Transfers', 'CanTransfer', [], body);
    const cross = await check(t('acc-alice', 'acc-carol', '100'));
    expect(cross).to.include({ allowed: false, code: 'CROSS_OPERATOR' });
    expect(cross.message).to.contain('POST /v1/instructions');
    const msg = await m.refused(
      'COMPLIANCE',
      ids.alice,
      'Transfers',
      'Transfer',
      [],
      t('acc-alice', 'acc-carol', '100'),
    );
    expect(msg).to.contain(cross.message);
    expect(await check(t('acc-alice', 'acc-bob', '100'))).to.include({ allowed: true, code: 'OK' });
    const same = await m.refused('COMPLIANCE', ids.alice, 'Transfers', 'Instruct', [], t('acc-alice', 'acc-bob', '1'));
    expect(same).to.match(/^COMPLIANCE: SAME_OPERATOR: .*POST \/v1\/transfers/);
    for (const text of [cross.message, msg, same])
      expect(text, 'no chaincode function names').not.to.match(/\b[A-Z][a-z]+:[A-Z]/);
  });

  it('refuses with LIMIT_EXCEEDED, writing nothing, a credit that would take a balance or supply past 2^63-1', async () => {
    const MAX = 2n ** 63n - 1n;
    const deposit = (accountId: string, amount: bigint, ref: string) => ({
      accountId,
      tokenId: MYR,
      amount: amount.toString(),
      bankReference: ref,
    });
    // A maximal deposit onto a non-zero balance (alice holds 10000).
    await m.refused('LIMIT_EXCEEDED', ids.trustee, 'Money', 'Deposit', [], deposit('acc-alice', MAX, 'B-1'));
    await m.ok(ids.trustee, 'Money', 'Deposit', [], deposit('acc-bob', MAX - 10000n, 'B-2'));
    // Money that arrives from another operator can still push a balance past the limit by transfer.
    await m.ok(ids.trustee, 'Money', 'Deposit', [], deposit('acc-carol', 5n, 'B-4'));
    const instructionId = await m.ok<string>(ids.carol, 'Transfers', 'Instruct', [], t('acc-carol', 'acc-alice', '5'));
    await m.ok(ids.trustee, 'Transfers', 'Settle', [
      JSON.stringify({ instructionId, fromOperatorMspId: 'OperatorBMSP' }),
    ]);
    const over = await m.refused(
      'LIMIT_EXCEEDED',
      ids.alice,
      'Transfers',
      'Transfer',
      [],
      t('acc-alice', 'acc-bob', '10005'),
    );
    expect(over).to.contain('balance of');
    await m.refused('LIMIT_EXCEEDED', ids.regulator, 'Supervision', 'ForcedTransfer', [], {
      ...t('acc-alice', 'acc-bob', '10005'),
      reason: 'court order 7',
    });
    // The boundary itself is accepted.
    await m.ok(ids.alice, 'Transfers', 'Transfer', [], t('acc-alice', 'acc-bob', '10000'));
    expect(await m.balance('acc-bob', MYR)).to.equal(MAX);
    expect(await m.supply(MYR)).to.include({ consistent: true });
  });

  it('refunds an instruction whose receiver became ineligible before settlement', async () => {
    const instructionId = await m.ok<string>(
      ids.alice,
      'Transfers',
      'Instruct',
      [],
      t('acc-alice', 'acc-carol', '300'),
    );
    await m.ok(ids.regulator, 'Supervision', 'FreezeAccount', [
      JSON.stringify({ accountId: 'acc-carol', frozen: true, reason: 'sanctions screening' }),
    ]);
    const r = await m.ok<{ outcome: string; code: string }>(ids.trustee, 'Transfers', 'Settle', [
      JSON.stringify({ instructionId, fromOperatorMspId: 'OperatorAMSP' }),
    ]);
    expect(r).to.include({ outcome: 'REFUNDED', code: 'RECEIVER_FROZEN' });
    expect(await m.balance('acc-alice', MYR)).to.equal(10000n);
    expect((await m.supply(MYR)).consistent).to.equal(true);
  });

  it('lets only the regulator force a transfer, past freezes, with the reason on the public record', async () => {
    await m.ok(ids.regulator, 'Supervision', 'FreezeAccount', [
      JSON.stringify({ accountId: 'acc-alice', frozen: true, reason: 'lost credentials' }),
    ]);
    await m.refused('FORBIDDEN', ids.trustee, 'Supervision', 'ForcedTransfer', [], {
      ...t('acc-alice', 'acc-bob', '10'),
      reason: 'recovery',
    });
    await m.ok(ids.regulator, 'Supervision', 'ForcedTransfer', [], {
      ...t('acc-alice', 'acc-carol', '10'),
      reason: 'court order 7/2026',
    });
    expect(await m.balance('acc-carol', MYR)).to.equal(10n);
    const actions = await m.ok<Array<{ action: string; reason: string }>>(ids.operatorB, 'Supervision', 'ListActions');
    expect(actions.map((a) => a.action)).to.include('FORCED_TRANSFER');
    expect(
      await m.refused('COMPLIANCE', ids.regulator, 'Supervision', 'ForcedTransfer', [], {
        ...t('acc-alice', 'acc-bob', '99999'),
        reason: 'too much',
      }),
    ).to.contain('INSUFFICIENT_BALANCE');
    expect((await m.supply(MYR)).consistent).to.equal(true);
  });

  it('keeps even a forced transfer within the asset custodian’s operators', async () => {
    const reason = 'licensed second custodian';
    await m.ok(ids.regulator, 'Registry', 'AdmitParticipant', [
      JSON.stringify({ mspId: 'Trustee2MSP', kind: 'trustee', reason }),
    ]);
    await m.ok(ids.regulator, 'Registry', 'AdmitParticipant', [
      JSON.stringify({ mspId: 'OperatorCMSP', kind: 'operator', trusteeMspId: 'Trustee2MSP', reason }),
    ]);
    await m.seal(['pdcOperatorC']);
    await m.onboard({ mspId: 'OperatorCMSP', attrs: { role: 'operator' } }, 'acc-dora', 'investor', 'retail');
    const msg = await m.refused('COMPLIANCE', ids.regulator, 'Supervision', 'ForcedTransfer', [], {
      ...t('acc-alice', 'acc-dora', '10'),
      reason: 'court order 9/2026',
    });
    expect(msg).to.contain('CUSTODY_MISMATCH');
  });

  it('reports portfolios, history and instrument history to those entitled', async () => {
    await m.ok(ids.acme, 'Transfers', 'Transfer', [], t('acc-acme', 'acc-bob', '10', ACME));
    const p = await m.ok<{ positions: Array<{ assetId: string; balance: string }> }>(
      ids.bob,
      'Transfers',
      'GetPortfolio',
      [JSON.stringify({ accountId: 'acc-bob' })],
    );
    expect(p.positions).to.deep.equal([{ assetId: ACME, kind: 'equity', balance: '10' }]);
    await m.refused('FORBIDDEN', ids.carol, 'Transfers', 'GetPortfolio', [JSON.stringify({ accountId: 'acc-bob' })]);
    const h = await m.ok<{ supply: unknown[] }>(ids.operatorB, 'Supervision', 'GetInstrumentHistory', [
      JSON.stringify({ assetId: ACME }),
    ]);
    // The issue to acme was a customer's mint: its amount is in OperatorA's collection, not in public state.
    expect(h.supply).to.deep.equal([]);
    await m.ok(ids.trustee, 'Equity', 'Burn', [], {
      classId: ACME,
      accountId: 'acc-bob',
      amount: '10',
      purpose: 'buyback',
    });
    expect(await m.supply(ACME)).to.include({ supply: '4990', consistent: true });
  });

  it('emits versioned events without personal data or private amounts', async () => {
    await m.ok(ids.alice, 'Transfers', 'Transfer', [], t('acc-alice', 'acc-bob', '7'));
    const last = m.world.events[m.world.events.length - 1];
    expect(last?.name).to.equal('PrivateMovement');
    expect(last?.payload).to.include({ v: 1, kind: 'transfer' });
    expect(JSON.stringify(last?.payload)).not.to.match(/acc-alice|acc-bob|"7"/);
  });

  it('refuses to let a trustee mint or burn an asset it does not keep', async () => {
    await m.refused('FORBIDDEN', ids.trustee, 'Money', 'Deposit', [], {
      accountId: 'acc-alice',
      tokenId: ACME,
      amount: '1',
      bankReference: 'X',
    });
    await m.refused('FORBIDDEN', ids.trustee, 'Equity', 'Issue', [], {
      classId: MYR,
      accountId: 'acc-alice',
      amount: '1',
      purpose: 'offering',
    });
    await m.refused('CONFLICT', ids.trustee, 'Money', 'CreateToken', [
      JSON.stringify({ currency: 'MYR', decimals: 2 }),
    ]);
  });
});
