import { expect } from 'chai';
import { ids, Market, MYR } from '../testing/market-fixture';

/** Hostile or sloppy input: every case is INVALID_ARGUMENT, refused before any read or write. */
describe('input validation', () => {
  let m: Market;
  before(async () => {
    m = await new Market().setup();
    await m.deposit('acc-alice', '100');
  });

  const transfer = (amount: unknown, extra: Record<string, unknown> = {}) => ({
    from: 'acc-alice',
    to: 'acc-bob',
    assetId: MYR,
    amount,
    ...extra,
  });
  const badAmounts: Array<[string, unknown]> = [
    ['negative', '-5'],
    ['zero', '0'],
    ['fractional', '1.5'],
    ['exponent', '1e3'],
    ['over 2^63-1', '9223372036854775808'],
    ['NaN', 'NaN'],
    ['a number, not a string', 5],
    ['leading zero', '007'],
    ['padded', ' 5'],
  ];
  for (const [name, amount] of badAmounts) {
    it(`refuses a ${name} amount`, async () => {
      const msg = await m.refused('INVALID_ARGUMENT', ids.alice, 'Transfers', 'Transfer', [], transfer(amount));
      expect(msg).to.contain('amount');
    });
  }

  it('accepts the largest amount, 2^63-1, as input (and then refuses it on balance)', async () => {
    const msg = await m.refused('COMPLIANCE', ids.alice, 'Transfers', 'Transfer', [], transfer('9223372036854775807'));
    expect(msg).to.contain('INSUFFICIENT_BALANCE');
  });

  it('refuses unknown fields, including __proto__', async () => {
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Transfers', 'Transfer', [], transfer('1', { memo: 'hi' }));
    await m.refused(
      'INVALID_ARGUMENT',
      ids.alice,
      'Transfers',
      'Transfer',
      [],
      '{"from":"acc-alice","to":"acc-bob","assetId":"TrusteeMSP.MYR","amount":"1","__proto__":{"admin":true}}',
    );
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Registry', 'AdmitParticipant', [
      '{"mspId":"XMSP","kind":"trustee","reason":"new licence","constructor":{}}',
    ]);
  });

  it('refuses NUL and other control characters in ids and reasons', async () => {
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Transfers', 'Transfer', [], {
      ...transfer('1'),
      to: 'acc-bob\u0000',
    });
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Transfers', 'Transfer', [], { ...transfer('1'), to: 'acc\nbob' });
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Supervision', 'FreezeAccount', [
      JSON.stringify({ accountId: 'acc-bob', frozen: true, reason: 'bad\u0007bell' }),
    ]);
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Accounts', 'GetAccount', ['acc\u0000x']);
  });

  it('refuses malformed JSON, non-objects and missing transient data', async () => {
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Transfers', 'Transfer', [], '{not json');
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Transfers', 'Transfer', [], '[1,2]');
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Transfers', 'Transfer', [], 'null');
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Transfers', 'Transfer');
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Registry', 'AdmitParticipant', ['"just a string"']);
  });

  it('refuses bad identifiers, currencies and enum values', async () => {
    await m.refused('INVALID_ARGUMENT', ids.trustee, 'Money', 'CreateToken', [
      JSON.stringify({ currency: 'myr', decimals: 2 }),
    ]);
    await m.refused('INVALID_ARGUMENT', ids.trustee, 'Money', 'CreateToken', [
      JSON.stringify({ currency: 'USD', decimals: 2.5 }),
    ]);
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Registry', 'SetParticipantStatus', [
      JSON.stringify({ mspId: 'OperatorAMSP', status: 'PAUSED', reason: 'whatever' }),
    ]);
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Registry', 'GetParticipant', ['not an msp']);
    await m.refused('INVALID_ARGUMENT', ids.alice, 'Transfers', 'Transfer', [], {
      ...transfer('1'),
      from: 'x'.repeat(65),
    });
  });

  it('answers an unknown transaction with NOT_FOUND', async () => {
    const r = await m.call(ids.alice, 'Transfers', 'unknownTransaction');
    expect(r.ok).to.equal(false);
    expect(r.error?.message).to.match(/^NOT_FOUND: unknown transaction/);
  });
});
