import { expect } from 'chai';
import { withOrderingBatch } from './ordering-batch';

/** The part of a configtxlator-decoded SmartBFT channel config that block cutting lives in. */
function bftConfig() {
  return {
    channel_group: {
      groups: {
        Orderer: {
          values: {
            BatchSize: { mod_policy: 'Admins', value: { max_message_count: 500, preferred_max_bytes: 2097152 } },
            ConsensusType: {
              mod_policy: 'Admins',
              value: {
                type: 'BFT',
                state: 'STATE_NORMAL',
                metadata: {
                  request_batch_max_count: '500',
                  request_batch_max_interval: '100ms',
                  leader_rotation: 'ROTATION_OFF',
                },
              },
            },
          },
        },
      },
    },
  };
}

describe('block cutting on a running SmartBFT channel', () => {
  it('changes only the fields asked for, in a copy', () => {
    const original = bftConfig();
    const updated = withOrderingBatch(original, { requestBatchMaxInterval: '250ms', maxMessageCount: 1000 });
    const values = updated.channel_group.groups.Orderer.values;
    expect(values.ConsensusType.value.metadata).to.deep.equal({
      request_batch_max_count: '500',
      request_batch_max_interval: '250ms',
      leader_rotation: 'ROTATION_OFF',
    });
    expect(values.BatchSize.value).to.deep.equal({ max_message_count: 1000, preferred_max_bytes: 2097152 });
    expect(original).to.deep.equal(bftConfig());
  });

  it('writes the uint64 batch count as configtxlator does (a string)', () => {
    const updated = withOrderingBatch(bftConfig(), { requestBatchMaxCount: 1000 });
    expect(updated.channel_group.groups.Orderer.values.ConsensusType.value.metadata).to.include({
      request_batch_max_count: '1000',
    });
  });

  it('refuses a Raft channel, which has no request batch options', () => {
    const raft = bftConfig();
    (raft.channel_group.groups.Orderer.values.ConsensusType.value as { type: string }).type = 'etcdraft';
    expect(() => withOrderingBatch(raft, { requestBatchMaxInterval: '250ms' })).to.throw(/not ordered by SmartBFT/);
  });
});
