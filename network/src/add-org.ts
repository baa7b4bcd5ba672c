import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ordererArgs, orderersFor, peerCli } from './admin-cli';
import { bootstrapOrgCrypto } from './ca';
import { peerChannels } from './channels';
import { configtx, orgDefinition, profileName } from './configtx';
import {
  defaultSigners,
  fetchConfig,
  NothingToUpdateError,
  signUpdate,
  submitUpdate,
  updateDir,
  writeUpdate,
  type PreparedUpdate,
} from './config-update';
import { binary, type NetworkContext } from './context';
import { run, sleep } from './exec';
import { connectTo, gatewayErrorText } from './gateway-client';
import { REPO_ROOT } from './layout';
import { channelInfo, deploy, ensureNode } from './network';
import { runningPid } from './processes';
import { orgOf, TopologyError, type Org } from './topology';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- configtxlator's JSON is Fabric's protobuf JSON
type Json = any;

/** The peers did not reach the same block height and hash in time. */
export class LedgerDivergenceError extends Error {
  override readonly name = 'LedgerDivergenceError';
}

/**
 * Checks that the org can be added by this procedure: a new operator with a trustee, a peer and no ordering
 * node (adding a consenter to SmartBFT is a separate, later change), and that every audit chaincode's
 * literal endorsement policy names it (the operator edits that string in the same topology change).
 */
export function checkNewOrg(ctx: NetworkContext, name: string): Org {
  const org = orgOf(ctx.topology, name);
  if (org.role !== 'operator') throw new TopologyError(`add-org admits operators; ${name} is a ${org.role}`);
  if (org.orderers.length > 0) {
    throw new TopologyError(
      `${name} lists ${org.orderers.length} ordering nodes; add-org admits an org without ordering nodes (set orderers: 0)`,
    );
  }
  if (org.peers.length === 0) throw new TopologyError(`${name} has no peer`);
  for (const cc of ctx.topology.chaincodes) {
    const literal = /^(AND|OR|OutOf)\(/.test(cc.endorsementPolicy);
    if (cc.collections === 'audit' && literal && !cc.endorsementPolicy.includes(`'${org.mspId}.peer'`)) {
      throw new TopologyError(
        `chaincode ${cc.name}'s endorsementPolicy does not name ${org.mspId}: add '${org.mspId}.peer' to its OR in the same topology change`,
      );
    }
  }
  return org;
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
  updated.channel_group.groups.Application.groups[org.mspId] = await orgGroup(ctx, org);
  if (ctx.topology.channels.find((c) => c.name === channel)?.regulatorMustSign) {
    // The regulator-must-sign rule counts a majority of every member's admins: the new org's too.
    const fresh = await freshChannelConfig(ctx, channel);
    updated.channel_group.policies.Admins.policy = fresh.channel_group.policies.Admins.policy;
    updated.channel_group.groups.Application.policies.Admins.policy =
      fresh.channel_group.groups.Application.policies.Admins.policy;
  }
  return writeUpdate(ctx, channel, dir, original, updated, `add ${org.mspId} to the Application group of ${channel}`);
}

/**
 * The configuration configtxgen would write for the channel from the topology as it is now (with the new
 * org): the source of policies whose rule depends on who the members are.
 */
async function freshChannelConfig(ctx: NetworkContext, channel: string): Promise<Json> {
  const dir = join(ctx.layout.generated, 'add-org', 'configtx-now');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'configtx.yaml'), stringify(configtx(ctx.topology, ctx.placement), { lineWidth: 0 }));
  const block = join(dir, `${channel}.block`);
  await run(
    binary(ctx, 'configtxgen'),
    ['-profile', profileName(channel), '-outputBlock', block, '-channelID', channel],
    {
      env: { FABRIC_CFG_PATH: dir },
    },
  );
  const out = `${block}.json`;
  await run(binary(ctx, 'configtxlator'), [
    'proto_decode',
    '--input',
    block,
    '--type',
    'common.Block',
    '--output',
    out,
  ]);
  return (JSON.parse(readFileSync(out, 'utf8')) as Json).data.data[0].payload.data.config as Json;
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

/** The regulator admits the operator on chain (Registry:AdmitParticipant); already admitted counts as done. */
export async function admitOperator(ctx: NetworkContext, org: Org, reason: string): Promise<boolean> {
  const regulator = ctx.topology.orgs.find((o) => o.role === 'regulator');
  const peer = regulator?.peers[0];
  const trustee = orgOf(ctx.topology, org.trustee ?? '');
  if (!regulator || !peer) throw new TopologyError('the topology has no regulator peer');
  const conn = connectTo(ctx.layout, regulator, peer);
  try {
    const registry = conn.gateway.getNetwork('market').getContract('market', 'Registry');
    await registry.submitTransaction(
      'AdmitParticipant',
      JSON.stringify({ mspId: org.mspId, kind: 'operator', trusteeMspId: trustee.mspId, reason }),
    );
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

export interface AddOrgResult {
  readonly org: string;
  readonly seconds: number;
  readonly channels: Array<{ channel: string; signedBy: string[]; height: number; hash: string }>;
  readonly chaincodes: Array<{ name: string; sequence: number; version: string }>;
}

/**
 * Admits a new operator org to the running network, whose topology already names it. Every step is
 * idempotent, so a run that stopped part-way is finished by running it again. Which org does what, and on
 * whose host it would run, is in docs/network.md.
 */
export async function addOrg(ctx: NetworkContext, name: string, opts: AddOrgOptions): Promise<AddOrgResult> {
  const start = Date.now();
  const steps = 8;
  let step = 0;
  const progress = (msg: string) =>
    ctx.progress(`[${++step}/${steps} +${((Date.now() - start) / 1000).toFixed(1)}s] ${msg}`);
  const t = ctx.topology;
  const org = checkNewOrg(ctx, name);
  const existing = t.orgs.filter((o) => o !== org);
  const sponsor = orgOf(t, org.trustee ?? '');

  progress(`${org.name}: starting its TLS CA and enrollment CA, enrolling its identities and MSP`);
  await bootstrapOrgCrypto(ctx, org);

  progress(`adding ${org.mspId} to channels ${t.channels.map((c) => c.name).join(', ')}`);
  const channels: AddOrgResult['channels'] = [];
  for (const channel of t.channels) {
    let update: PreparedUpdate;
    try {
      update = await proposeAddition(ctx, channel.name, org, sponsor);
    } catch (err) {
      if (!(err instanceof NothingToUpdateError)) throw err;
      ctx.progress(`  ${channel.name}: ${org.mspId} is already a member`);
      channels.push({ channel: channel.name, signedBy: [], height: 0, hash: '' });
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
    channels.push({ channel: channel.name, signedBy: signers.map((s) => s.mspId), height: 0, hash: '' });
  }

  progress(`${org.name}: starting ${org.peers.map((p) => p.id).join(', ')} and joining it to every channel`);
  await Promise.all(org.peers.map((p) => ensureNode(ctx, p)));
  for (const channel of t.channels) await joinChannel(ctx, channel.name, org);

  progress(`${org.name}: setting its anchor peer on every channel`);
  for (const channel of t.channels) await waitUntilMember(ctx, channel.name, org, org);
  for (const channel of t.channels) {
    if (await setAnchorPeer(ctx, channel.name, org)) ctx.progress(`  ${channel.name}: anchor peer set`);
  }

  progress('waiting until every peer has the same height and block hash on every channel');
  for (const c of channels) {
    const agreed = await waitCaughtUp(ctx, c.channel);
    Object.assign(c, agreed);
    ctx.progress(`  ${c.channel}: height ${agreed.height}, block hash ${agreed.hash}`);
  }

  progress('chaincode: next sequence with the new collections, approved by every org (the new one included)');
  const chaincodes = await deploy(ctx);

  progress(
    opts.gateways === false ? 'gateways: skipped' : `starting ${org.name}'s gateway API; restarting ${sponsor.name}'s`,
  );
  if (opts.gateways !== false) {
    ctx.progress((await startGateway(ctx, opts.topologyFile, org)).trim());
    // The trustee's gateway lists the operators it serves from the topology it read at start.
    if (runningPid(ctx.layout, `gateway.${sponsor.slug}`) !== undefined) {
      ctx.progress((await startGateway(ctx, opts.topologyFile, sponsor)).trim());
    }
  }

  progress(opts.admit === false ? 'admission: skipped' : `the regulator admits ${org.mspId} on chain`);
  if (opts.admit !== false) {
    const admitted = await admitOperator(ctx, org, opts.reason ?? `admitted by add-org ${org.name}`);
    ctx.progress(admitted ? `  ${org.mspId} admitted` : `  ${org.mspId} was already admitted`);
  }
  const seconds = (Date.now() - start) / 1000;
  ctx.progress(`${org.name} added in ${seconds.toFixed(1)}s`);
  return { org: org.name, seconds, channels, chaincodes };
}
