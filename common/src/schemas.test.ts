import { expect } from 'chai';
import { operatorCollection } from './collections';
import { errorCodeOf, MarketError } from './errors';
import fc from 'fast-check';
import {
  amountSchema,
  decimalUpTo,
  idSchema,
  isCalendarDate,
  MAX_AMOUNT,
  newAccountIdSchema,
  onboardAccountSchema,
  personalDataSchema,
  transferSchema,
} from './schemas';

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

  it('accepts a date of birth only if it is a real calendar date from 1900-01-01 to 2100-12-31', () => {
    const dob = (dateOfBirth: string) =>
      personalDataSchema.safeParse({ fullName: 'Ann', nationalId: 'X1', dateOfBirth }).success;
    for (const ok of ['1900-01-01', '1990-06-15', '2000-02-29', '2024-02-29', '2100-12-31'])
      expect(dob(ok), ok).to.equal(true);
    for (const bad of [
      '9999-99-99',
      '1990-13-01',
      '1990-00-10',
      '1990-04-31',
      '1900-02-29',
      '2023-02-29',
      '1899-12-31',
      '2101-01-01',
      '1990-1-1',
      '',
    ])
      expect(dob(bad), bad).to.equal(false);
  });

  it('agrees with a calendar on every day: the day after the last of a month is the first of the next', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (y, mo, d) => {
          // Reference only in the test: UTC arithmetic of the platform's calendar.
          const ref = new Date(Date.UTC(y, mo - 1, d));
          const real = ref.getUTCFullYear() === y && ref.getUTCMonth() === mo - 1 && ref.getUTCDate() === d;
          const s = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          expect(isCalendarDate(s), s).to.equal(real);
        },
      ),
    );
  });

  it('refuses personal text that arrived as invalid UTF-8 (U+FFFD), lone surrogates and control characters', () => {
    const name = (fullName: string) =>
      personalDataSchema.safeParse({ fullName, nationalId: 'X1', dateOfBirth: '1990-01-01' }).success;
    expect(name('Zoë Ñúñez-李')).to.equal(true);
    for (const bad of ['Ren\uFFFDe', '\uFFFD', 'a\uD800b', 'a\u0007b', 'a\nb'])
      expect(name(bad), JSON.stringify(bad)).to.equal(false);
    const personal = { fullName: 'Ann', nationalId: 'X\uFFFD', dateOfBirth: '1990-01-01' };
    expect(personalDataSchema.safeParse(personal).success).to.equal(false);
  });

  it('keeps a new account id within 59 characters, so acct-<id> fits a 64-character CN', () => {
    expect(newAccountIdSchema.safeParse('a'.repeat(59)).success).to.equal(true);
    const long = newAccountIdSchema.safeParse('a'.repeat(60));
    expect(long.success).to.equal(false);
    expect(long.error?.issues[0]?.message).to.contain('59');
    expect(`acct-${'a'.repeat(59)}`).to.have.length(64);
    // Existing accounts keep the 64-character id everywhere else.
    expect(idSchema.safeParse('a'.repeat(64)).success).to.equal(true);
    // The onboarding field is the new-account schema with its own description: the same limit.
    expect(onboardAccountSchema.shape.accountId.safeParse('a'.repeat(59)).success).to.equal(true);
    expect(onboardAccountSchema.shape.accountId.safeParse('a'.repeat(60)).success).to.equal(false);
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
