import { expect } from 'chai';
import { Context } from 'fabric-contract-api';
import sinon from 'sinon';
import { SystemContract } from './system';

function fakeContext(mspId: string, store: Map<string, Buffer>): Context {
  const ctx = new Context();
  const stub = {
    createCompositeKey: (type: string, attrs: string[]) => `\u0000${type}\u0000${attrs.join('\u0000')}\u0000`,
    getTxTimestamp: () => ({ seconds: { toString: () => '1700000000' }, nanos: 0 }),
    getTxID: () => 'a'.repeat(64),
    putState: sinon.spy(async (key: string, value: Buffer) => {
      store.set(key, Buffer.from(value));
    }),
    getState: async (key: string) => store.get(key) ?? Buffer.alloc(0),
  };
  (ctx as unknown as { stub: unknown }).stub = stub;
  (ctx as unknown as { clientIdentity: unknown }).clientIdentity = { getMSPID: () => mspId };
  return ctx;
}

describe('System contract', () => {
  it('records one heartbeat per org, from the transaction id and timestamp only', async () => {
    const store = new Map<string, Buffer>();
    const contract = new SystemContract();
    await contract.Heartbeat(fakeContext('OperatorAMSP', store));
    await contract.Heartbeat(fakeContext('OperatorBMSP', store));
    expect(store.size).to.equal(2);
    const value = JSON.parse(
      await contract.GetHeartbeat(fakeContext('RegulatorMSP', store), 'OperatorAMSP'),
    ) as unknown;
    expect(value).to.deep.equal({ mspId: 'OperatorAMSP', txId: 'a'.repeat(64), seconds: 1700000000 });
  });

  it('writes one key of its own per no-op transaction (the benchmark baseline)', async () => {
    const store = new Map<string, Buffer>();
    await new SystemContract().Noop(fakeContext('OperatorAMSP', store));
    expect([...store.keys()]).to.deep.equal([`\u0000system.noop\u0000${'a'.repeat(64)}\u0000`]);
  });

  it('answers an empty string for an org that never sent a heartbeat', async () => {
    const contract = new SystemContract();
    expect(await contract.GetHeartbeat(fakeContext('RegulatorMSP', new Map()), 'TrusteeMSP')).to.equal('');
  });
});
