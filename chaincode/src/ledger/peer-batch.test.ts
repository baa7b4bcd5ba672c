import { expect } from 'chai';
import fc from 'fast-check';
import { peer } from '@hyperledger/fabric-protos';
import {
  decodeGetStateMultipleResult,
  encodeGetStateMultiple,
  encodeWriteBatch,
  type BatchedWrite,
} from './peer-batch';

// Keys as the ledger makes them: composite keys with U+0000 and any other character, sealed or not.
const key = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
const bytes = fc.uint8Array({ maxLength: 300 });
const collection = fc.constantFrom('', 'pdcOperatorAMSP', 'investorLimits');

describe("Peer batch messages: our encoding is what Fabric's own protobuf classes read", () => {
  it('GetStateMultiple: every key in order, and the collection', () => {
    fc.assert(
      fc.property(collection, fc.array(key, { maxLength: 50 }), (c, keys) => {
        const decoded = peer.GetStateMultiple.deserializeBinary(encodeGetStateMultiple(c, keys));
        expect(decoded.getKeysList()).to.deep.equal(keys);
        expect(decoded.getCollection()).to.equal(c);
      }),
    );
  });

  it('WriteBatchState: every put, delete and purge in order, with its collection and value', () => {
    const write = fc.record({
      kind: fc.constantFrom<BatchedWrite['kind']>('put', 'delete', 'purge'),
      collection,
      key,
      value: bytes,
    });
    fc.assert(
      fc.property(fc.array(write, { maxLength: 40 }), (writes) => {
        const batch: BatchedWrite[] = writes.map((w) =>
          w.kind === 'put' ? w : { kind: w.kind, collection: w.collection, key: w.key },
        );
        const recs = peer.WriteBatchState.deserializeBinary(encodeWriteBatch(batch)).getRecList();
        const T = peer.WriteRecord.Type;
        const type = { put: T.PUT_STATE, delete: T.DEL_STATE, purge: T.PURGE_PRIVATE_DATA };
        expect(
          recs.map((r) => ({
            type: r.getType(),
            collection: r.getCollection(),
            key: r.getKey(),
            value: Buffer.from(r.getValue_asU8()).toString('hex'),
          })),
        ).to.deep.equal(
          batch.map((w) => ({
            type: type[w.kind],
            collection: w.collection,
            key: w.key,
            value: Buffer.from(w.value ?? []).toString('hex'),
          })),
        );
      }),
    );
  });

  it("GetStateMultipleResult: the peer's values in order, an absent key's as empty", () => {
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 50 }), (values) => {
        const res = new peer.GetStateMultipleResult();
        res.setValuesList(values);
        const decoded = decodeGetStateMultipleResult(res.serializeBinary());
        expect(decoded.map((v) => Buffer.from(v).toString('hex'))).to.deep.equal(
          values.map((v) => Buffer.from(v).toString('hex')),
        );
      }),
    );
  });

  it('refuses a truncated answer rather than read a value short', () => {
    const res = new peer.GetStateMultipleResult();
    res.setValuesList([Buffer.from('a balance record')]);
    const whole = res.serializeBinary();
    expect(() => decodeGetStateMultipleResult(whole.subarray(0, whole.length - 3))).to.throw(/truncated/);
  });
});
