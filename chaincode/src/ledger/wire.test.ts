import { expect } from 'chai';
import { decodeGetMultipleResult, encodeGetMultiple, encodeWriteBatch, RecordType } from './wire';

/** The batched chaincode messages, byte for byte as peer/chaincode_shim.proto lays them out. */
describe('wire: Fabric 3.1 batch messages', () => {
  it('writes GetStateMultiple as repeated keys (field 1) and the collection (field 2)', () => {
    expect([...encodeGetMultiple('c', ['a', 'bb'])]).to.deep.equal([0x0a, 1, 0x61, 0x0a, 2, 0x62, 0x62, 0x12, 1, 0x63]);
    // Public state: proto3 leaves the empty collection out.
    expect([...encodeGetMultiple('', ['a'])]).to.deep.equal([0x0a, 1, 0x61]);
  });

  it('writes each WriteRecord with its key, value, collection and type, in order', () => {
    const bytes = encodeWriteBatch([
      { type: RecordType.PUT_STATE, collection: '', key: 'k', value: Buffer.from('v') },
      { type: RecordType.DEL_STATE, collection: 'c', key: 'k' },
    ]);
    const put = [0x0a, 1, 0x6b, 0x12, 1, 0x76, 0x28, 9];
    const del = [0x0a, 1, 0x6b, 0x1a, 1, 0x63, 0x28, 10];
    expect([...bytes]).to.deep.equal([0x0a, put.length, ...put, 0x0a, del.length, ...del]);
  });

  it('writes lengths of 128 and more as multi-byte varints', () => {
    const key = 'x'.repeat(300);
    const bytes = encodeGetMultiple('', [key]);
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0x0a, 0xac, 0x02]);
    expect(bytes.length).to.equal(303);
  });

  it('reads GetStateMultipleResult values in order, an empty one for a missing key', () => {
    const long = Buffer.alloc(200, 7);
    const bytes = Uint8Array.from([0x0a, 1, 0x61, 0x0a, 0, 0x0a, 0xc8, 0x01, ...long]);
    const values = decodeGetMultipleResult(bytes);
    expect(values.map((v) => v.length)).to.deep.equal([1, 0, 200]);
    expect(Buffer.from(values[2] as Uint8Array).equals(long)).to.equal(true);
  });

  it('refuses a truncated answer', () => {
    expect(() => decodeGetMultipleResult(Uint8Array.from([0x0a, 0x80]))).to.throw(/truncated/);
  });
});
