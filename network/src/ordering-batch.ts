import { fetchConfig, signUpdate, submitUpdate, updateDir, writeUpdate } from './config-update';
import type { NetworkContext } from './context';
import { waitUntilConfig } from './config-wait';
import { regulatorOf } from './topology';

/** Block cutting on a running SmartBFT channel; absent fields keep their value. */
export interface OrderingBatch {
  /** SmartBFT: requests the leader puts in one proposal at most. */
  requestBatchMaxCount?: number;
  /** SmartBFT: how long the leader waits after a batch's first request before proposing it (`100ms`). */
  requestBatchMaxInterval?: string;
  /** BatchSize.MaxMessageCount: transactions in one block at most (SmartBFT caps its batch with it). */
  maxMessageCount?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- configtxlator's JSON is Fabric's protobuf JSON
type Json = any;

/**
 * Applies block-cutting values to a channel's configuration (configtxlator JSON): the SmartBFT options in
 * the ConsensusType metadata and the BatchSize. Returns a new object; the input is left as it was.
 */
export function withOrderingBatch(config: Json, batch: OrderingBatch): Json {
  const updated = structuredClone(config) as Json;
  const values = updated.channel_group.groups.Orderer.values;
  // For BFT the metadata is SmartBFT's Options message itself (the consenters live in the Orderers value).
  const options = values.ConsensusType?.value?.metadata;
  if (values.ConsensusType?.value?.type !== 'BFT' || !options) {
    throw new Error('the channel is not ordered by SmartBFT: no request batch options to change');
  }
  if (batch.requestBatchMaxCount !== undefined) options.request_batch_max_count = String(batch.requestBatchMaxCount);
  if (batch.requestBatchMaxInterval !== undefined) options.request_batch_max_interval = batch.requestBatchMaxInterval;
  if (batch.maxMessageCount !== undefined) values.BatchSize.value.max_message_count = batch.maxMessageCount;
  return updated;
}

/**
 * Changes block cutting on a running channel: a config update of the Orderer group, which the channel's
 * genesis settings (topology `ordering`) no longer reach. Every other member admin signs (the orderer
 * group's Admins policy is a majority of the ordering orgs, and on `audit` the regulator must sign too);
 * the regulator submits and waits until its peer has the new configuration.
 */
export async function updateOrderingBatch(ctx: NetworkContext, channel: string, batch: OrderingBatch): Promise<void> {
  const regulator = regulatorOf(ctx.topology);
  const dir = updateDir(ctx, channel, `ordering-batch-${Date.now()}`);
  const original = await fetchConfig(ctx, channel, regulator, dir);
  const updated = withOrderingBatch(original, batch);
  const update = await writeUpdate(ctx, channel, dir, original, updated, `block cutting: ${JSON.stringify(batch)}`);
  for (const org of ctx.topology.orgs) if (org !== regulator) await signUpdate(ctx, update, org);
  await submitUpdate(ctx, update, regulator);
  const values = (config: Json): string => JSON.stringify(config.channel_group.groups.Orderer.values);
  await waitUntilConfig(
    ctx,
    channel,
    regulator,
    dir,
    (config: Json) => values(withOrderingBatch(config, batch)) === values(config),
    'the new block cutting',
  );
}
