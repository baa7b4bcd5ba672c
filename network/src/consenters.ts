import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { osnadmin, peerCli, ordererArgs, orderersFor } from './admin-cli';
import {
  adoptOrdererRules,
  defaultSigners,
  fetchConfig,
  fetchConfigBlock,
  NothingToUpdateError,
  signUpdate,
  submitUpdate,
  updateDir,
  writeUpdate,
  type PreparedUpdate,
} from './config-update';
import type { NetworkContext } from './context';
import { sleep } from './exec';
import { orgOf, TopologyError, type OrdererNode, type Org, type Topology } from './topology';

/**
 * Adding an ordering node of a new org to the SmartBFT consenter set of a running channel, the way
 * separate hosts would: the update (the org's group in /Channel/Orderer and one more consenter) is
 * written by one org, signed by the admins the Orderer group's Admins policy needs, submitted; then the
 * new org starts its node and joins it with the channel participation API from the latest config block,
 * and the node pulls the chain from the others until it is a consenter at their height.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- configtxlator's JSON is Fabric's protobuf JSON
type Json = any;

/** How many faulty consenters a SmartBFT set of `n` nodes tolerates: the largest f with n ≥ 3f + 1. */
export function bftFaultsTolerated(n: number): number {
  return n < 1 ? 0 : Math.floor((n - 1) / 3);
}

/** The orgs whose admins make up the Orderer group's Admins policy: those with an ordering node in it. */
export function ordererMembers(t: Topology, config: Json): Org[] {
  const mspIds = Object.keys(config.channel_group.groups.Orderer.groups as Record<string, unknown>);
  return t.orgs.filter((o) => mspIds.includes(o.mspId));
}

/** The consenter mapping of a channel configuration (SmartBFT), as configtxlator decodes it. */
export function consentersOf(config: Json): Json[] {
  const mapping = config.channel_group.groups.Orderer.values.Orderers?.value?.consenter_mapping as Json[] | undefined;
  if (!mapping) throw new Error('the channel configuration has no SmartBFT consenter mapping (Orderer/Orderers)');
  return mapping;
}

/**
 * Step 1, on the proposer's host: writes the update that adds one ordering node to the channel's consenter
 * set, and its org to the Orderer group if it is not there yet. The org's group, the consenter entry
 * (enrollment and TLS certificates), the block validation rule (a quorum of the consenters) and, on a channel where the regulator must sign, the Orderer group's
 * Admins rule (which counts the ordering orgs) are taken from what configtxgen writes for the topology as
 * it is now, so a node added later is described exactly as one present at genesis.
 * Throws NothingToUpdateError when the node is already a consenter.
 */
export async function proposeConsenter(
  ctx: NetworkContext,
  channel: string,
  node: OrdererNode,
  proposer: Org,
  fresh: Json,
): Promise<PreparedUpdate> {
  const org = orgOf(ctx.topology, node.org);
  const dir = updateDir(ctx, channel, `consenter-${node.id}`);
  const original = await fetchConfig(ctx, channel, proposer, dir);
  if (consentersOf(original).some((c) => Number(c.id) === node.consenterId)) {
    throw new NothingToUpdateError(`${node.id} is already a consenter of ${channel}`);
  }
  const entry = consentersOf(fresh).find((c) => Number(c.id) === node.consenterId);
  if (!entry) throw new Error(`configtxgen wrote no consenter ${node.consenterId} (${node.id}) for ${channel}`);
  const updated = JSON.parse(JSON.stringify(original)) as Json;
  const orderer = updated.channel_group.groups.Orderer;
  orderer.groups[org.mspId] ??= fresh.channel_group.groups.Orderer.groups[org.mspId];
  if (!orderer.groups[org.mspId]) throw new Error(`configtxgen wrote no Orderer group for ${org.mspId}`);
  consentersOf(updated).push(entry);
  adoptOrdererRules(ctx, channel, updated, fresh);
  return writeUpdate(
    ctx,
    channel,
    dir,
    original,
    updated,
    `add consenter ${node.consenterId} (${node.id}) to ${channel}`,
  );
}

/**
 * Signs and submits a consenter update with the signatures the Orderer group's Admins policy needs: on
 * `market` `MAJORITY Admins` of the ordering orgs, on `audit` the regulator and a majority of them
 * (configtx.ts). The members counted are the ordering orgs of the configuration the update was written
 * from. Returns the MSP IDs that signed.
 */
export async function signAndSubmitConsenter(
  ctx: NetworkContext,
  update: PreparedUpdate,
  members: readonly Org[],
  sponsor: Org,
): Promise<string[]> {
  const signers = defaultSigners(ctx.topology, update.channel, members, sponsor.name);
  const [submitter, ...others] = signers;
  if (!submitter) throw new Error(`no org to sign the consenter update of ${update.channel}`);
  for (const signer of others) await signUpdate(ctx, update, signer);
  await submitUpdate(ctx, update, submitter, { policyMembers: members });
  return signers.map((s) => s.mspId);
}

/** The channel's latest config block as an org admin fetches it: its number and size in bytes. */
export async function latestConfigBlock(
  ctx: NetworkContext,
  channel: string,
  as: Org,
): Promise<{ number: number; bytes: number }> {
  const { block, bytes } = await fetchConfigBlock(ctx, channel, as, updateDir(ctx, channel, 'size'));
  return { number: Number(block.header.number), bytes };
}

/**
 * Waits for a config block newer than `after` (an update was submitted: `peer channel update` returns once
 * an ordering node accepted it, before it is in a block) and returns it.
 */
export async function nextConfigBlock(
  ctx: NetworkContext,
  channel: string,
  as: Org,
  after: number,
  timeoutMs = 60_000,
): Promise<{ number: number; bytes: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const block = await latestConfigBlock(ctx, channel, as);
    if (block.number > after) return block;
    if (Date.now() > deadline) throw new Error(`no config block of ${channel} after block ${after} in ${timeoutMs} ms`);
    await sleep(500);
  }
}

export interface OrdererChannel {
  readonly name: string;
  readonly status: string;
  readonly consensusRelation: string;
  readonly height: number;
}

/** What the node's channel participation API says about the channel; undefined when it has not joined it. */
export async function ordererChannel(
  ctx: NetworkContext,
  node: OrdererNode,
  channel: string,
): Promise<OrdererChannel | undefined> {
  const out = await osnadmin(ctx, node, ['channel', 'list']);
  const list = JSON.parse(out.slice(out.indexOf('{'))) as { channels: Array<{ name: string }> | null };
  if (!(list.channels ?? []).some((c) => c.name === channel)) return undefined;
  const one = await osnadmin(ctx, node, ['channel', 'list', '--channelID', channel]);
  return JSON.parse(one.slice(one.indexOf('{'))) as OrdererChannel;
}

/**
 * The new org's admin joins its ordering node to the channel with the latest config block (which names it
 * a consenter), fetched as a member from the ordering service. A node joined from a config block other
 * than block 0 first pulls the chain from the other consenters (status `onboarding`).
 */
export async function joinOrdererToChannel(ctx: NetworkContext, node: OrdererNode, channel: string): Promise<void> {
  if (await ordererChannel(ctx, node, channel)) return;
  const org = orgOf(ctx.topology, node.org);
  const peer = org.peers[0];
  if (!peer) throw new TopologyError(`${org.name} has no peer to fetch the config block through`);
  const dir = join(ctx.layout.generated, 'add-org', org.slug);
  mkdirSync(dir, { recursive: true });
  const block = join(dir, `${channel}.config.block`);
  let lastErr: unknown;
  for (const orderer of orderersFor(ctx, org).filter((o) => o !== node)) {
    try {
      await peerCli(ctx, org, peer, ['channel', 'fetch', 'config', block, '-c', channel, ...ordererArgs(ctx, orderer)]);
      lastErr = undefined;
      break;
    } catch (err) {
      lastErr = err;
    }
  }
  if (lastErr) throw lastErr;
  await osnadmin(ctx, node, ['channel', 'join', '--channelID', channel, '--config-block', block]);
}

/** Heights of the channel on every consenter of the topology that has joined it (undefined where not). */
export async function ordererHeights(
  ctx: NetworkContext,
  channel: string,
): Promise<Array<{ orderer: string; height?: number; status?: string }>> {
  const nodes = ctx.topology.orgs.flatMap((o) => o.orderers);
  return Promise.all(
    nodes.map(async (n) => {
      const info = await ordererChannel(ctx, n, channel).catch(() => undefined);
      return { orderer: n.id, height: info?.height, status: info?.status };
    }),
  );
}

/**
 * Waits until the node is an active consenter of the channel at least as high as the other nodes were
 * when this poll began: it follows the chain.
 */
export async function waitFollowing(
  ctx: NetworkContext,
  node: OrdererNode,
  channel: string,
  timeoutMs = 180_000,
): Promise<OrdererChannel> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const others = (await ordererHeights(ctx, channel)).filter((h) => h.orderer !== node.id && h.height);
    const target = Math.max(0, ...others.map((h) => h.height ?? 0));
    const mine = await ordererChannel(ctx, node, channel).catch(() => undefined);
    last = { mine, target };
    if (mine && mine.status === 'active' && mine.consensusRelation === 'consenter' && mine.height >= target) {
      return mine;
    }
    if (Date.now() > deadline) {
      throw new Error(`${node.id} did not follow ${channel} in ${timeoutMs} ms: ${JSON.stringify(last)}`);
    }
    await sleep(1000);
  }
}
