import { expect } from 'chai';
import { operatorCollection } from './collections';
import { errorCodeOf, MarketError } from './errors';
import { amountSchema, decimalUpTo, idSchema, MAX_AMOUNT, transferSchema } from './schemas';

describe('shared schemas and error codes', () => {
  it('accepts amounts from 1 to 2^63-1 as decimal strings only', () => {
    for (const ok of ['1', '42', '9223372036854775807']) expect(amountSchema.safeParse(ok).success, ok).to.equal(true);
    for (const bad of ['0', '-1', '1.0', '9223372036854775808', '', ' 1', '0x10', 1]) {
      expect(amountSchema.safeParse(bad).success, String(bad)).to.equal(false);
    }
  });

  it('bounds amounts in the pattern itself, so the published JSON Schema refuses what zod refuses', () => {
    const pattern = new RegExp(decimalUpTo(MAX_AMOUNT));
    for (const ok of [
      '1',
      '9',
      '10',
      '999999999999999999',
      '1000000000000000000',
      '9223372036854775799',
      '9223372036854775807',
      '8999999999999999999',
    ])
      expect(pattern.test(ok), ok).to.equal(true);
    for (const bad of [
      '0',
      '01',
      '9223372036854775808',
      '9223372036854775810',
      '9300000000000000000',
      '9999999999999999999',
      '10000000000000000000',
    ])
      expect(pattern.test(bad), bad).to.equal(false);
    // Against BigInt arithmetic around every digit position of the bound.
    for (let i = 0; i < 19; i++) {
      for (const delta of [-1n, 1n]) {
        const v = MAX_AMOUNT + delta * 10n ** BigInt(i);
        expect(pattern.test(v.toString()), v.toString()).to.equal(v >= 1n && v <= MAX_AMOUNT);
      }
    }
    const small = new RegExp(decimalUpTo(305n));
    for (let v = 0; v < 1200; v++) expect(small.test(String(v)), String(v)).to.equal(v >= 1 && v <= 305);
  });

  it('refuses control characters and separators in ids, and unknown fields in payloads', () => {
    expect(idSchema.safeParse('acc-1.a_b').success).to.equal(true);
    for (const bad of ['a\u0000b', 'a b', 'a/b', '-a', 'é'])
      expect(idSchema.safeParse(bad).success, bad).to.equal(false);
    const parsed = transferSchema.safeParse(
      JSON.parse('{"from":"a","to":"b","assetId":"c","amount":"1","__proto__":{"x":1}}'),
    );
    expect(parsed.success).to.equal(false);
  });

  it('recovers an error code from a message wrapped by Fabric', () => {
    const err = new MarketError('COMPLIANCE', 'balance 0 is below 5', 'INSUFFICIENT_BALANCE');
    expect(err.message).to.equal('COMPLIANCE: INSUFFICIENT_BALANCE: balance 0 is below 5');
    expect(errorCodeOf(`chaincode response 500, ${err.message}`)).to.equal('COMPLIANCE');
    expect(errorCodeOf('transaction returned with failure: FORBIDDEN: nope')).to.equal('FORBIDDEN');
    expect(errorCodeOf('something else entirely')).to.equal(undefined);
  });

  it('names operator collections from the MSP ID', () => {
    expect(operatorCollection('OperatorAMSP')).to.equal('pdcOperatorA');
  });
});
