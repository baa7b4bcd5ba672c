import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ordererArgs, orderersFor, peerCli } from './admin-cli';
import { bootstrapOrgCrypto } from './ca';
import { createHosts, hostsPlan } from './hosts';
import { peerChannels } from './channels';
import { orgDefinition } from './configtx';
import {
  adoptApplicationRules,
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
import {
  bftFaultsTolerated,
  consentersOf,
  joinOrdererToChannel,
  nextConfigBlock,
  ordererMembers,
  proposeConsenter,
  signAndSubmitConsenter,
  waitFollowing,
} from './consenters';
import { binary, type NetworkContext } from './context';
import { run, sleep } from './exec';
import { connectTo, gatewayErrorText } from './gateway-client';
import { REPO_ROOT } from './layout';
import { channelInfo, deploy, ensureNode } from './network';
import { runningPid } from './processes';
import { orgOf, regulatorOf, TopologyError, type Org } from './topology';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- configtxlator's JSON is Fabric's protobuf JSON
type Json = any;

/** The peers did not reach the same block height and hash in time. */
export class LedgerDivergenceError extends Error {
  override readonly name = 'LedgerDivergenceError';
}

/** A literal signature policy (AND/OR/OutOf), as opposed to a reference to a channel policy. */
const isLiteral = (policy: string) => /^(AND|OR|OutOf)\(/.test(policy);

/**
 * Checks that the org can be added by this procedure: a new operator (with its trustee) or trustee, with a
 * peer; ordering nodes only under SmartBFT (they join the consenter set). Every literal endorsement policy
 * that must name the org already does (the operator edits those strings in the same topology change): the
 * audit chaincode's OR names every member; for a trustee, the market chaincode's OR of trustees names it
 * too (decision 36).
 */
export function checkNewOrg(ctx: NetworkContext, name: string): Org {
  const org = orgOf(ctx.topology, name);
  if (org.role === 'regulator')
    throw new TopologyError(`add-org admits operators and trustees; ${name} is the regulator`);
  if (org.orderers.length > 0 && ctx.topology.consensus !== 'bft') {
    throw new TopologyError(
      `${name} lists ${org.orderers.length} ordering nodes; add-org adds ordering nodes to a SmartBFT consenter set only (this network runs ${ctx.topology.consensus}; set orderers: 0)`,
    );
  }
  if (org.orderers.length > 1) {
    throw new TopologyError(
      `${name} lists ${org.orderers.length} ordering nodes; add-org adds one (SmartBFT takes one consenter per configuration update; set orderers: 1)`,
    );
  }
  if (org.peers.length === 0) throw new TopologyError(`${name} has no peer`);
  const principal = `'${org.mspId}.peer'`;
  for (const cc of ctx.topology.chaincodes) {
    if (!isLiteral(cc.endorsementPolicy) || cc.endorsementPolicy.includes(principal)) continue;
    if (cc.collections === 'audit') {
      throw new TopologyError(
        `chaincode ${cc.name}'s endorsementPolicy does not name ${org.mspId}: add ${principal} to its OR in the same topology change`,
      );
    }
    if (cc.collections === 'per-operator' && org.role === 'trustee') {
      throw new TopologyError(
        `chaincode ${cc.name}'s endorsementPolicy does not name the trustee ${org.mspId}: write it as AND('<regulator>.peer', OR(<every trustee>.peer)) with ${principal} in the OR, in the same topology change (decision 36)`,
      );
    }
  }
  return org;
}

/** Who writes and submits the new org's updates: an operator's trustee; for a trustee, the regulator. */
export function sponsorOf(ctx: NetworkContext, org: Org): Org {
  return org.role === 'operator' ? orgOf(ctx.topology, org.trustee ?? '') : regulatorOf(ctx.topology);
}

/** The org's Application group as configtxgen writes it (-printOrg), from the MSP the new org hands over. */
export async function orgGroup(ctx: NetworkContext, org: Org): Promise<Json> {
  const dir = join(ctx.layout.generated, 'add-org', org.slug, 'configtx');
  mkdirSync(dir, { recursive: true });
  // Without anchor peers: the org sets its own once its peer has joined (an update only it signs).
  const { AnchorPeers: _anchors, ...definition } = orgDefinition(ctx.topology, org, ctx.placement);
  writeFileSync(join(dir, 'configtx.yaml'), stringify({ Organizations: [definition] }, { lineWidth: 0 }));
  const out = await run(binary(ctx, 'configtxgen'), ['-printOrg', org.mspId], { env: { FABRIC_CFG_PATH: dir } });
  return JSON.parse(out) as Json;
}

/**
 * Step 1, on the sponsor's host: writes the update that adds the org to a channel's Application group.
 * Throws NothingToUpdateError when the channel already has it.
 */
export async function proposeAddition(
  ctx: NetworkContext,
  channel: string,
  org: Org,
  proposer: Org,
): Promise<PreparedUpdate> {
  const dir = updateDir(ctx, channel, `add-${org.slug}`);
  const original = await fetchConfig(ctx, channel, proposer, dir);
  if (original.channel_group.groups.Application.groups[org.mspId]) {
    throw new NothingToUpdateError(`${org.mspId} is already a member of ${channel}`);
  }
  const updated = JSON.parse(JSON.stringify(original)) as Json;
  const group = await orgGroup(ctx, org);
  // An application org carries no orderer endpoints (configtxgen writes them into the Orderer group only).
  if (group.values) delete group.values.Endpoints;
  updated.channel_group.groups.Application.groups[org.mspId] = group;
  adoptApplicationRules(ctx, channel, updated, await intendedChannelConfig(ctx, channel));
  return writeUpdate(ctx, channel, dir, original, updated, `add ${org.mspId} to the Application group of ${channel}`);
}

/** The org sets its anchor peer on the channel: an update of its own group, signed by its admin alone. */
export async function setAnchorPeer(ctx: NetworkContext, channel: string, org: Org): Promise<boolean> {
  const anchor = org.peers[0];
  if (!anchor) return false;
  const dir = updateDir(ctx, channel, `anchor-${org.slug}`);
  const original = await fetchConfig(ctx, channel, org, dir);
  const updated = JSON.parse(JSON.stringify(original)) as Json;
  const group = updated.channel_group.groups.Application.groups[org.mspId];
  if (!group) throw new Error(`${org.mspId} is not in channel ${channel}`);
  group.values.AnchorPeers = {
    mod_policy: 'Admins',
    value: { anchor_peers: [{ host: ctx.placement.address(anchor, anchor.port).split(':')[0], port: anchor.port }] },
    version: '0',
  };
  try {
    const update = await writeUpdate(ctx, channel, dir, original, updated, `anchor peer of ${org.mspId} on ${channel}`);
    await submitUpdate(ctx, update, org, { signatureFiles: [] });
    return true;
  } catch (err) {
    if (err instanceof NothingToUpdateError) return false;
    throw err;
  }
}

/**
 * Joins the org's peers to the channel with block 0, which its admin fetches from the ordering service.
 * `peer channel update` returns once an ordering node accepted the update, before it is in a block: until
 * then (and on a node that lags) the new org is not yet a reader, so the fetch is retried for a while.
 */
export async function joinChannel(ctx: NetworkContext, channel: string, org: Org, timeoutMs = 90_000): Promise<void> {
  for (const peer of org.peers) {
    if ((await peerChannels(ctx, org.name, peer.id)).includes(channel)) continue;
    const dir = join(ctx.layout.generated, 'add-org', org.slug);
    mkdirSync(dir, { recursive: true });
    const block = join(dir, `${channel}.genesis.block`);
    await retryUntil(timeoutMs, `${org.name} fetching block 0 of ${channel}`, async () => {
      let lastErr: unknown;
      for (const orderer of orderersFor(ctx, org)) {
        try {
          await peerCli(ctx, org, peer, ['channel', 'fetch', '0', block, '-c', channel, ...ordererArgs(ctx, orderer)]);
          return;
        } catch (err) {
          lastErr = err;
        }
      }
      throw lastErr;
    });
    await peerCli(ctx, org, peer, ['channel', 'join', '-b', block]);
  }
}

/** Waits until the channel's configuration, as the org's admin fetches it, lists `member`. */
export async function waitUntilMember(
  ctx: NetworkContext,
  channel: string,
  member: Org,
  as: Org,
  timeoutMs = 90_000,
): Promise<void> {
  await retryUntil(timeoutMs, `${member.mspId} in the configuration of ${channel}`, async () => {
    const config = await fetchConfig(ctx, channel, as, updateDir(ctx, channel, `check-${member.slug}`));
    if (!config.channel_group.groups.Application.groups[member.mspId]) {
      throw new Error(`${channel}'s configuration does not list ${member.mspId} yet`);
    }
  });
}

async function retryUntil(timeoutMs: number, what: string, fn: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fn();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        const text = err instanceof Error ? err.message : String(err);
        throw new Error(`${what}: gave up after ${timeoutMs} ms: ${text}`);
      }
      await sleep(1000);
    }
  }
}

/** Polls until every peer of the topology has the same height and current block hash on the channel. */
export async function waitCaughtUp(
  ctx: NetworkContext,
  channel: string,
  timeoutMs = 180_000,
): Promise<{ height: number; hash: string }> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const infos = await Promise.all(
      ctx.topology.orgs.flatMap((o) =>
        o.peers.map(async (p) => ({ peer: p.id, ...(await channelInfo(ctx, o.name, p.id, channel)) })),
      ),
    );
    last = infos;
    const heights = new Set(infos.map((i) => i.height));
    const hashes = new Set(infos.map((i) => i.currentBlockHash));
    const first = infos[0];
    if (first?.height && first.currentBlockHash && heights.size === 1 && hashes.size === 1) {
      return { height: first.height, hash: first.currentBlockHash };
    }
    if (Date.now() > deadline) {
      throw new LedgerDivergenceError(`peers did not agree on ${channel} in ${timeoutMs} ms: ${JSON.stringify(last)}`);
    }
    await sleep(1000);
  }
}

/** Starts (or restarts) an org's gateway API with the gateway CLI, as `npm start` does for every org. */
async function startGateway(ctx: NetworkContext, topologyFile: string, org: Org): Promise<string> {
  return run(
    process.execPath,
    [join(REPO_ROOT, 'gateway-api', 'dist', 'cli.js'), 'up', '--org', org.name, '--topology', topologyFile],
    { env: { ECF_NETWORK_HOME: ctx.layout.home, ECF_CRYPTO_DIR: ctx.layout.crypto }, timeoutMs: 120_000 },
  );
}

/**
 * The regulator admits the org on chain (Registry:AdmitParticipant): an operator with its trustee, or a
 * trustee. Already admitted counts as done.
 */
export async function admitOrg(ctx: NetworkContext, org: Org, reason: string): Promise<boolean> {
  const regulator = regulatorOf(ctx.topology);
  const peer = regulator.peers[0];
  if (!peer) throw new TopologyError('the topology has no regulator peer');
  const request =
    org.role === 'operator'
      ? { mspId: org.mspId, kind: 'operator', trusteeMspId: orgOf(ctx.topology, org.trustee ?? '').mspId, reason }
      : { mspId: org.mspId, kind: org.role, reason };
  const conn = connectTo(ctx.layout, regulator, peer, 'gateway', ctx.placement);
  try {
    const registry = conn.gateway.getNetwork('market').getContract('market', 'Registry');
    await registry.submitTransaction('AdmitParticipant', JSON.stringify(request));
    return true;
  } catch (err) {
    if (/already admitted/.test(gatewayErrorText(err))) return false;
    throw new Error(`the regulator could not admit ${org.mspId}: ${gatewayErrorText(err)}`);
  } finally {
    conn.close();
  }
}

export interface AddOrgOptions {
  /** The topology file the gateways read (the one that names the new org). */
  readonly topologyFile: string;
  /** Start the org's gateway API and restart its trustee's (default true). */
  readonly gateways?: boolean;
  /** Have the regulator admit the org on chain (default true). */
  readonly admit?: boolean;
  readonly reason?: string;
}

/** A channel's config block size (bytes) after a step of add-org; the first entry is before any. */
export interface ConfigBlockSize {
  readonly after: string;
  /** The config block's number. */
  readonly block: number;
  readonly bytes: number;
}

export interface AddOrgResult {
  readonly org: string;
  readonly seconds: number;
  readonly channels: Array<{
    channel: string;
    signedBy: string[];
    /** Who signed each consenter addition (one per ordering node of the org). */
    consenterSignedBy: string[][];
    height: number;
    hash: string;
    configBlocks: ConfigBlockSize[];
  }>;
  /** The SmartBFT consenter set after the addition and how many faulty nodes it tolerates. */
  readonly consenters?: { readonly count: number; readonly faultsTolerated: number };
  readonly chaincodes: Array<{ name: string; sequence: number; version: string }>;
}

/**
 * Admits a new operator or trustee org to the running network, whose topology already names it. Every
 * step is idempotent, so a run that stopped part-way is finished by running it again. Which org does what,
 * and on whose host it would run, is in docs/network.md.
 */
export async function addOrg(ctx: NetworkContext, name: string, opts: AddOrgOptions): Promise<AddOrgResult> {
  const start = Date.now();
  const steps = 9;
  let step = 0;
  const progress = (msg: string) =>
    ctx.progress(`[${++step}/${steps} +${((Date.now() - start) / 1000).toFixed(1)}s] ${msg}`);
  const t = ctx.topology;
  const org = checkNewOrg(ctx, name);
  const existing = t.orgs.filter((o) => o !== org);
  const sponsor = sponsorOf(ctx, org);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const channels: AddOrgResult['channels'] = [];
  /** Records the config block an update made (or, first, the current one) and prints its size. */
  const measure = async (c: AddOrgResult['channels'][number], after: string) => {
    const previous = c.configBlocks.at(-1);
    const block = await nextConfigBlock(ctx, c.channel, sponsor, previous?.block ?? -1);
    c.configBlocks.push({ after, block: block.number, bytes: block.bytes });
    ctx.progress(
      previous
        ? `  ${c.channel}: config block ${kb(previous.bytes)} -> ${kb(block.bytes)} (block ${block.number}, ${after})`
        : `  ${c.channel}: config block ${kb(block.bytes)} (block ${block.number}, ${after})`,
    );
  };

  progress(`${org.name}: starting its TLS CA and enrollment CA, enrolling its identities and MSP; starting its peer`);
  // In the hosts placement the new org gets a host of its own first; the others' are left as they are.
  if (ctx.placement.name === 'hosts') createHosts(hostsPlan(t));
  await bootstrapOrgCrypto(ctx, org);
  // The peer starts outside any channel; its configuration is also what the org's admin CLI runs with.
  await Promise.all(org.peers.map((p) => ensureNode(ctx, p)));

  progress(`adding ${org.mspId} to channels ${t.channels.map((c) => c.name).join(', ')}`);
  for (const channel of t.channels) {
    const c: AddOrgResult['channels'][number] = {
      channel: channel.name,
      signedBy: [],
      consenterSignedBy: [],
      height: 0,
      hash: '',
      configBlocks: [],
    };
    channels.push(c);
    await measure(c, 'before');
    let update: PreparedUpdate;
    try {
      update = await proposeAddition(ctx, channel.name, org, sponsor);
    } catch (err) {
      if (!(err instanceof NothingToUpdateError)) throw err;
      ctx.progress(`  ${channel.name}: ${org.mspId} is already a member`);
      continue;
    }
    const signers = defaultSigners(t, channel.name, existing, sponsor.name);
    const [submitter, ...others] = signers;
    if (!submitter) throw new Error(`no org to sign the update of ${channel.name}`);
    for (const signer of others) {
      await signUpdate(ctx, update, signer);
      ctx.progress(`  ${channel.name}: ${signer.name}'s admin signed (${update.dir}/signatures/${signer.slug}.json)`);
    }
    await submitUpdate(ctx, update, submitter, { policyMembers: existing });
    ctx.progress(`  ${channel.name}: ${submitter.name}'s admin submitted the update`);
    await waitUntilMember(ctx, channel.name, org, submitter);
    c.signedBy = signers.map((s) => s.mspId);
    await measure(c, `${org.mspId} in Application`);
  }

  progress(
    org.orderers.length === 0
      ? 'ordering nodes: none in its entry'
      : `adding ${org.orderers.map((o) => o.id).join(', ')} to the SmartBFT consenter set of every channel`,
  );
  let consenters: AddOrgResult['consenters'];
  if (org.orderers.length > 0) {
    const proposer = regulatorOf(t);
    for (const node of org.orderers) {
      for (const c of channels) {
        const fresh = await intendedChannelConfig(ctx, c.channel);
        let update: PreparedUpdate;
        try {
          update = await proposeConsenter(ctx, c.channel, node, proposer, fresh);
        } catch (err) {
          if (!(err instanceof NothingToUpdateError)) throw err;
          ctx.progress(`  ${c.channel}: ${node.id} is already a consenter`);
          continue;
        }
        const current = await fetchConfig(ctx, c.channel, proposer, update.dir);
        const signedBy = await signAndSubmitConsenter(ctx, update, ordererMembers(t, current), proposer);
        c.consenterSignedBy.push(signedBy);
        ctx.progress(
          `  ${c.channel}: consenter ${node.consenterId} (${node.id}) added, signed by ${signedBy.join(', ')}`,
        );
        await measure(c, `consenter ${node.id}`);
      }
      await ensureNode(ctx, node);
      for (const c of channels) {
        await joinOrdererToChannel(ctx, node, c.channel);
        const following = await waitFollowing(ctx, node, c.channel);
        ctx.progress(`  ${c.channel}: ${node.id} is an active consenter at height ${following.height}`);
      }
    }
    const first = channels[0];
    const count = first
      ? consentersOf(await fetchConfig(ctx, first.channel, proposer, updateDir(ctx, first.channel, 'consenters')))
          .length
      : 0;
    consenters = { count, faultsTolerated: bftFaultsTolerated(count) };
    ctx.progress(
      `  ${count} consenters: SmartBFT tolerates ${consenters.faultsTolerated} faulty node(s) (n >= 3f + 1)`,
    );
  }

  progress(`${org.name}: joining ${org.peers.map((p) => p.id).join(', ')} to every channel`);
  for (const channel of t.channels) await joinChannel(ctx, channel.name, org);

  progress(`${org.name}: setting its anchor peer on every channel`);
  for (const channel of t.channels) await waitUntilMember(ctx, channel.name, org, org);
  for (const c of channels) {
    if (await setAnchorPeer(ctx, c.channel, org)) {
      ctx.progress(`  ${c.channel}: anchor peer set`);
      await measure(c, 'anchor peer');
    }
  }

  progress('waiting until every peer has the same height and block hash on every channel');
  for (const c of channels) {
    const agreed = await waitCaughtUp(ctx, c.channel);
    Object.assign(c, agreed);
    ctx.progress(`  ${c.channel}: height ${agreed.height}, block hash ${agreed.hash}`);
  }

  progress(
    'chaincode: next sequence with the new collections and policies, approved by every org (the new one included)',
  );
  const chaincodes = await deploy(ctx);

  // The trustee's gateway lists the operators it serves from the topology it read at start.
  const restart = org.role === 'operator' ? [sponsor] : [];
  progress(
    opts.gateways === false
      ? 'gateways: skipped'
      : `starting ${org.name}'s gateway API${restart.map((r) => `; restarting ${r.name}'s`).join('')}`,
  );
  if (opts.gateways !== false) {
    ctx.progress((await startGateway(ctx, opts.topologyFile, org)).trim());
    for (const r of restart) {
      if (runningPid(ctx.layout, `gateway.${r.slug}`) !== undefined) {
        ctx.progress((await startGateway(ctx, opts.topologyFile, r)).trim());
      }
    }
  }

  progress(opts.admit === false ? 'admission: skipped' : `the regulator admits ${org.mspId} on chain`);
  if (opts.admit !== false) {
    const admitted = await admitOrg(ctx, org, opts.reason ?? `admitted by add-org ${org.name}`);
    ctx.progress(admitted ? `  ${org.mspId} admitted` : `  ${org.mspId} was already admitted`);
  }
  const seconds = (Date.now() - start) / 1000;
  ctx.progress(`${org.name} added in ${seconds.toFixed(1)}s`);
  return { org: org.name, seconds, channels, ...(consenters ? { consenters } : {}), chaincodes };
}
