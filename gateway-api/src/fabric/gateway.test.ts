import { expect } from 'chai';
import { decode } from './gateway';

describe('chaincode payload decoding', () => {
  const bytes = (text: string) => Buffer.from(text, 'utf8');

  it('parses JSON records and lists, and answers null for an empty payload', () => {
    expect(decode(bytes('{"instructionId":"a","outcome":"SETTLED"}'))).to.deep.equal({
      instructionId: 'a',
      outcome: 'SETTLED',
    });
    expect(decode(bytes('[1,2]'))).to.deep.equal([1, 2]);
    expect(decode(new Uint8Array())).to.equal(null);
  });

  it('keeps a transaction-derived id a string even when it reads as a JSON number', () => {
    for (const id of ['1'.repeat(64), `${'1'.repeat(30)}e${'2'.repeat(33)}`, 'ab'.repeat(32)])
      expect(decode(bytes(id))).to.equal(id);
  });
});
