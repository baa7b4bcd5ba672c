import {
  adoptApplicationRules,
  adoptOrdererRules,
  defaultSigners,
  fetchConfig,
  intendedChannelConfig,
  NothingToUpdateError,
  signUpdate,
  submitUpdate,
  updateDir,
  writeUpdate,
  type PreparedUpdate,
} from './config-update';
import type { NetworkContext } from './context';
import { sleep } from './exec';
import { connectTo, gatewayErrorText } from './gateway-client';
import { deploy } from './network';
import { TopologyError, type Org, type Topology } from './topology';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- configtxlator's JSON is Fabric's protobuf JSON
type Json = any;

/** The regulator's register does not yet allow the removal: revocation or an empty book is missing. */
export class RemovalRefusedError extends Error {
  override readonly name = 'RemovalRefusedError';
}

/**
 * The org to remove: marked `removed: true` in the topology (so no later step acts for it, and its
 * collections stay as tombstones), an operator, and no longer named by the audit chaincode's literal
 * endorsement policy (the user edits that string in the same change, as for add-org).
 */
export function checkRemovedOrg(t: Topology, name: string): Org {
  const org = (t.removedOrgs ?? []).find((o) => o.name === name);
  if (!org) {
    const live = t.orgs.some((o) => o.name === name);
    throw new TopologyError(
      live ? `mark ${name} with removed: true in the topology first` : `unknown org ${name} (not in the topology)`,
    );
  }
  for (const cc of t.chaincodes) {
    if (cc.endorsementPolicy.includes(`'${org.mspId}.peer'`)) {
      throw new TopologyError(
        `chaincode ${cc.name}'s endorsementPolicy still names ${org.mspId}: take '${org.mspId}.peer' out of it in the same topology change`,
      );
    }
  }
  return org;
}

interface OnChain {
  participant?: { status: string };
  windDown?: { phase: string; successorMspId: string };
}

async function evaluate(
  contract: { evaluateTransaction(fn: string, ...a: string[]): Promise<Uint8Array> },
  fn: string,
  arg: string,
) {
  return JSON.parse(Buffer.from(await contract.evaluateTransaction(fn, arg)).toString()) as unknown;
}

/**
 * Asks the ledger, as the regulator, whether the org may go: the regulator has revoked it, and its book
 * is empty (its wind-down is DONE: no account names it, its collection holds only purged history).
 */
export async function requireRevokedAndEmpty(ctx: NetworkContext, org: Org): Promise<string> {
  const regulator = ctx.topology.orgs.find((o) => o.role === 'regulator');
  const peer = regulator?.peers[0];
  if (!regulator || !peer) throw new TopologyError('the topology has no regulator peer');
  const conn = connectTo(ctx.layout, regulator, peer, 'gateway', ctx.placement);
  const found: OnChain = {};
  try {
    const network = conn.gateway.getNetwork('market');
    try {
      found.participant = (await evaluate(
        network.getContract('market', 'Registry'),
        'GetParticipant',
        org.mspId,
      )) as OnChain['participant'];
      found.windDown = (await evaluate(
        network.getContract('market', 'WindDown'),
        'Get',
        JSON.stringify({ exitingMspId: org.mspId }),
      )) as OnChain['windDown'];
    } catch (err) {
      if (!/NOT_FOUND/.test(gatewayErrorText(err))) throw err;
    }
  } finally {
    conn.close();
  }
  if (found.participant?.status !== 'REVOKED') {
    throw new RemovalRefusedError(
      `${org.mspId} is ${found.participant?.status.toLowerCase() ?? 'not a participant'} on chain: the regulator revokes it before it is removed`,
    );
  }
  if (found.windDown?.phase !== 'DONE') {
    throw new RemovalRefusedError(
      `${org.mspId}'s book is not empty: its wind-down is ${found.windDown?.phase ?? 'not started'} (the regulator names a successor and the trustee moves every account first)`,
    );
  }
  return found.windDown.successorMspId;
}

/**
 * Writes the update that takes the org out of a channel: its Application group; if it runs ordering
 * nodes, its Orderer group, its consenters and the BlockValidation policy SmartBFT derives from them
 * (the orderer refuses a config whose policy does not match its consenters); and on a channel whose
 * Admins rules list the members (the regulator-must-sign rule), those rules as configtxgen now writes
 * them, so the removed admin is no longer counted.
 */
export async function proposeRemoval(
  ctx: NetworkContext,
  channel: string,
  org: Org,
  proposer: Org,
): Promise<PreparedUpdate> {
  const dir = updateDir(ctx, channel, `remove-${org.slug}`);
  const original = await fetchConfig(ctx, channel, proposer, dir);
  const groups = original.channel_group.groups;
  if (!groups.Application.groups[org.mspId] && !groups.Orderer.groups[org.mspId]) {
    throw new NothingToUpdateError(`${org.mspId} is not a member of ${channel}`);
  }
  const fresh = await intendedChannelConfig(ctx, channel);
  const updated = JSON.parse(JSON.stringify(original)) as Json;
  const u = updated.channel_group;
  delete u.groups.Application.groups[org.mspId];
  if (u.groups.Orderer.groups[org.mspId]) {
    delete u.groups.Orderer.groups[org.mspId];
    u.groups.Orderer.values.Orderers.value = fresh.channel_group.groups.Orderer.values.Orderers.value;
    adoptOrdererRules(ctx, channel, updated, fresh);
  } else if (ctx.topology.channels.find((c) => c.name === channel)?.regulatorMustSign) {
    u.groups.Orderer.policies.Admins.policy = fresh.channel_group.groups.Orderer.policies.Admins.policy;
  }
  adoptApplicationRules(ctx, channel, updated, fresh);
  return writeUpdate(ctx, channel, dir, original, updated, `remove ${org.mspId} from ${channel}`);
}

/** Waits until the channel's configuration, as `as` fetches it, no longer lists the org. */
async function waitUntilGone(
  ctx: NetworkContext,
  channel: string,
  org: Org,
  as: Org,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const config = await fetchConfig(ctx, channel, as, updateDir(ctx, channel, `check-removed-${org.slug}`));
    if (!config.channel_group.groups.Application.groups[org.mspId]) return;
    if (Date.now() > deadline)
      throw new Error(`${channel}'s configuration still lists ${org.mspId} after ${timeoutMs} ms`);
    await sleep(1000);
  }
}

export interface RemoveOrgResult {
  readonly org: string;
  readonly successor: string;
  readonly seconds: number;
  readonly channels: Array<{ channel: string; signedBy: string[] }>;
  readonly chaincodes: Array<{ name: string; sequence: number; version: string }>;
  /** Ordering nodes left in the SmartBFT consenter set, and how many faults they tolerate. */
  readonly consenters: { count: number; tolerates: number } | undefined;
}

/**
 * Removes an operator that the regulator has revoked and whose book is empty: out of both channel
 * configurations (signed org by org, as for add-org: the members the current Admins rule needs, the
 * exiting org's admin among them where that rule counts every member), out of the consenter set if it ran
 * an ordering node, and out of the endorsement policies by the next chaincode definitions (ledger data
 * kept; its collections stay, without it as a member). Its nodes are left to its own host to stop; its
 * peer gets no new block. Idempotent: a run that stopped part-way is finished by running it again.
 */
export async function removeOrg(ctx: NetworkContext, name: string): Promise<RemoveOrgResult> {
  const start = Date.now();
  const t = ctx.topology;
  const org = checkRemovedOrg(t, name);
  const successor = await requireRevokedAndEmpty(ctx, org);
  ctx.progress(`${org.mspId}: revoked on chain, book empty (customers moved to ${successor})`);
  const regulator = t.orgs.find((o) => o.role === 'regulator');
  if (!regulator) throw new TopologyError('the topology has no regulator');
  // The rule in force is the one of the current config, which still counts the exiting org.
  const members = [...t.orgs, org];
  const channels: RemoveOrgResult['channels'] = [];
  for (const channel of t.channels) {
    let update: PreparedUpdate;
    try {
      update = await proposeRemoval(ctx, channel.name, org, regulator);
    } catch (err) {
      if (!(err instanceof NothingToUpdateError)) throw err;
      ctx.progress(`  ${channel.name}: ${org.mspId} is no longer a member`);
      channels.push({ channel: channel.name, signedBy: [] });
      continue;
    }
    const signers = defaultSigners(t, channel.name, members, regulator.name);
    const [submitter, ...others] = signers;
    if (!submitter) throw new Error(`no org to sign the update of ${channel.name}`);
    for (const signer of others) {
      await signUpdate(ctx, update, signer);
      ctx.progress(`  ${channel.name}: ${signer.name}'s admin signed`);
    }
    await submitUpdate(ctx, update, submitter, { policyMembers: members });
    ctx.progress(`  ${channel.name}: ${submitter.name}'s admin submitted the removal of ${org.mspId}`);
    await waitUntilGone(ctx, channel.name, org, submitter);
    channels.push({ channel: channel.name, signedBy: signers.map((s) => s.mspId) });
  }
  let consenters: RemoveOrgResult['consenters'];
  if (org.orderers.length > 0 && t.consensus === 'bft') {
    const count = t.orgs.reduce((n, o) => n + o.orderers.length, 0);
    consenters = { count, tolerates: Math.floor((count - 1) / 3) };
    ctx.progress(
      `WARNING: the SmartBFT consenter set now has ${count} nodes, which tolerate ${consenters.tolerates} faulty node(s)` +
        (consenters.tolerates === 0 ? ': one node down stops ordering; add a consenter soon' : ''),
    );
  }
  ctx.progress('chaincode: next sequence without the org in the endorsement policies; its collections kept');
  const chaincodes = await deploy(ctx);
  const seconds = (Date.now() - start) / 1000;
  ctx.progress(`${org.name} removed in ${seconds.toFixed(1)}s; its nodes still run until its host stops them`);
  return { org: org.name, successor, seconds, channels, chaincodes, consenters };
}
