import { expect } from 'chai';
import { operatorCollection } from './collections';
import { errorCodeOf, MarketError } from './errors';
import { amountSchema, idSchema, transferSchema } from './schemas';

describe('shared schemas and error codes', () => {
  it('accepts amounts from 1 to 2^63-1 as decimal strings only', () => {
    for (const ok of ['1', '42', '9223372036854775807']) expect(amountSchema.safeParse(ok).success, ok).to.equal(true);
    for (const bad of ['0', '-1', '1.0', '9223372036854775808', '', ' 1', '0x10', 1]) {
      expect(amountSchema.safeParse(bad).success, String(bad)).to.equal(false);
    }
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
