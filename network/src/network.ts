import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { peerCli } from './admin-cli';
import { bootstrapOrgCrypto } from './ca';
import { installEverywhere, packageChaincode, queryCommitted, warmUp } from './chaincode';
import { createGenesisBlocks, joinOrderers, joinPeers } from './channels';
import { binary, dialHost, type NetworkContext } from './context';
import { bccspEnv, tokenEnv } from './hsm';
import { createHosts, hostsPlan, removeHosts } from './hosts';
import { ordererEnv, peerEnv, type Placement } from './node-env';
import { waitUntilTransacting } from './gateway-client';
import { pendingDefinition, proposeUpgrade, upgradeOnOneHost, type PendingDefinition } from './governed-upgrade';
import { sealCollections } from './seal';
import { snapshotStore } from './snapshot';
import { writePeerConfig } from './peer-config';
import { healthz, portFree, runningPid, startProcess, stopProcess, waitHealthy, waitListening } from './processes';
import {
  activeOrderers,
  allNodes,
  orgOf,
  portsOf,
  TopologyError,
  type Consensus,
  type FabricNode,
  type OrdererNode,
  type PeerNode,
} from './topology';

interface NetworkState {
  consensus: Consensus;
  placement?: Placement['name'];
  createdAt: string;
}

/** Refuses to start when a port a stopped node needs is taken by something else; names the port. */
export async function checkPortsFree(ctx: NetworkContext): Promise<void> {
  for (const node of allNodes(ctx.topology)) {
    if (runningPid(ctx.layout, node.id) !== undefined) continue;
    // An org's own host (network namespace) holds nothing but the org's processes.
    if (ctx.placement.netns(node.org) !== undefined) continue;
    for (const { port, use } of portsOf(node)) {
      if (!(await portFree(port))) {
        throw new TopologyError(`port ${port} (${use}) is already in use by another process`);
      }
    }
  }
}

/** A network is created with one consensus type; its channels cannot silently switch to another. */
function checkConsensus(ctx: NetworkContext): void {
  const file = ctx.layout.stateFile;
  if (!existsSync(file)) return;
  const state = JSON.parse(readFileSync(file, 'utf8')) as NetworkState;
  if (state.consensus !== ctx.topology.consensus) {
    throw new TopologyError(
      `this network was created with ${state.consensus} ordering; run 'scripts/network.sh down --clean' before switching to ${ctx.topology.consensus}`,
    );
  }
}

/** Records how a new network is built, once every check before start-up has passed. */
function recordState(ctx: NetworkContext): void {
  const file = ctx.layout.stateFile;
  if (existsSync(file)) return;
  mkdirSync(ctx.layout.run, { recursive: true });
  const state: NetworkState = {
    consensus: ctx.topology.consensus,
    placement: ctx.placement.name,
    createdAt: new Date().toISOString(),
  };
  writeFileSync(file, JSON.stringify(state, null, 2));
}

/**
 * Brings the whole network up, or whatever part of it is down. Safe to repeat: running nodes are left
 * alone, crashed ones restart on their existing data, finished steps are skipped.
 */
export async function up(ctx: NetworkContext, opts: { deployChaincode?: boolean } = {}): Promise<void> {
  const t = ctx.topology;
  const start = Date.now();
  const steps = 8;
  let step = 0;
  const progress = (msg: string) =>
    ctx.progress(`[${++step}/${steps} +${((Date.now() - start) / 1000).toFixed(1)}s] ${msg}`);

  progress('checking topology and ports');
  checkConsensus(ctx);
  await checkPortsFree(ctx);
  recordState(ctx);
  // After the state records the placement, so that `down` removes hosts that were half created.
  if (ctx.placement.name === 'hosts') createHosts(hostsPlan(t));

  progress(`starting ${t.orgs.length * 2} certificate authorities and enrolling identities`);
  await Promise.all(t.orgs.map((org) => bootstrapOrgCrypto(ctx, org)));

  const orderers = activeOrderers(t);
  progress(`starting ${orderers.length} ordering nodes (${t.consensus === 'bft' ? 'SmartBFT' : 'Raft'})`);
  await Promise.all(orderers.map((o) => ensureNode(ctx, o)));

  progress(`creating channels ${t.channels.map((c) => c.name).join(', ')} on the ordering service`);
  await createGenesisBlocks(ctx);
  await joinOrderers(ctx);

  const peers = t.orgs.flatMap((o) => o.peers);
  progress(`starting ${peers.length} peers`);
  await Promise.all(peers.map((p) => ensureNode(ctx, p)));

  progress('joining peers to channels');
  await joinPeers(ctx);

  progress('deploying chaincode');
  /** Chaincodes whose committed definition runs the code in this tree: only those can seal collections. */
  const current = new Set<string>();
  if (opts.deployChaincode !== false) {
    for (const spec of t.chaincodes) {
      const committed = await queryCommitted(ctx, spec);
      const pkg = await packageChaincode(ctx, spec);
      await installEverywhere(ctx, pkg);
      if (!committed || committed.version === pkg.version) current.add(spec.name);
      if (!committed) {
        await upgradeOnOneHost(ctx, await proposeUpgrade(ctx, spec.name, { package: pkg, sequence: 1 }));
      } else if (committed.version !== pkg.version) {
        ctx.progress(
          `  ${spec.name}: version ${committed.version} (sequence ${committed.sequence}) is committed; the code is now ${pkg.version}: run 'scripts/network.sh deploy' to upgrade`,
        );
      }
    }
  }

  progress('starting chaincode on every peer and committing a heartbeat from every org');
  if (opts.deployChaincode !== false) {
    for (const spec of t.chaincodes) {
      await warmUp(ctx, spec);
      await waitUntilTransacting(ctx.layout, t.orgs, spec.channel, spec.name, 90_000, ctx.placement);
      if (current.has(spec.name)) await sealCollections(ctx, spec);
    }
  }
  ctx.progress(`network up in ${((Date.now() - start) / 1000).toFixed(1)}s`);
}

/**
 * Upgrades every chaincode to the code in the working tree: next sequence, ledger data kept. On one machine
 * that holds every admin key it runs the governed steps (propose, every org approves, commit) in one go.
 */
export async function deploy(ctx: NetworkContext): Promise<Array<{ name: string; sequence: number; version: string }>> {
  const result = [];
  for (const spec of ctx.topology.chaincodes) {
    const proposal = await proposeUpgrade(ctx, spec.name);
    ctx.progress(`${spec.name}: approving and committing version ${proposal.version} as sequence ${proposal.sequence}`);
    await upgradeOnOneHost(ctx, proposal);
    await afterCommit(ctx, spec.name);
    result.push({ name: spec.name, sequence: proposal.sequence, version: proposal.version });
  }
  return result;
}

/** After a new definition is committed: start it on every peer, and seal any new operator collection. */
export async function afterCommit(ctx: NetworkContext, chaincode: string): Promise<void> {
  const spec = ctx.topology.chaincodes.find((c) => c.name === chaincode);
  if (!spec) throw new TopologyError(`the topology has no chaincode ${chaincode}`);
  await warmUp(ctx, spec);
  await sealCollections(ctx, spec);
}

export async function ensureNode(ctx: NetworkContext, node: FabricNode): Promise<void> {
  if (runningPid(ctx.layout, node.id) === undefined) {
    if (node.kind === 'peer') {
      writePeerConfig(ctx, node);
      mkdirSync(ctx.layout.nodeData(node.id), { recursive: true });
      startProcess(ctx.layout, {
        id: node.id,
        command: binary(ctx, 'peer'),
        args: ['node', 'start'],
        env: { ...peerEnv(ctx.topology, node, ctx.placement), ...nodeBccspEnv(ctx, node) },
        netns: ctx.placement.netns(node.org),
      });
    } else if (node.kind === 'orderer') {
      mkdirSync(ctx.layout.nodeData(node.id), { recursive: true });
      startProcess(ctx.layout, {
        id: node.id,
        command: binary(ctx, 'orderer'),
        args: [],
        env: {
          ...ordererEnv(ctx.topology, node, ctx.placement),
          ...nodeBccspEnv(ctx, node),
          FABRIC_CFG_PATH: ctx.fabricConfig,
        },
        netns: ctx.placement.netns(node.org),
      });
    } else {
      throw new Error(`CA ${node.id} is started by the crypto bootstrap`);
    }
  }
  const host = dialHost(ctx.placement, node);
  await waitHealthy(ctx.layout, node.id, node.operationsPort, 60_000, host);
  await waitListening(ctx.layout, node.id, [node.port], 60_000, host);
}

/** A node's BCCSP on its org's PKCS#11 token, with `keys: hsm` (decision 45); nothing otherwise. */
function nodeBccspEnv(ctx: NetworkContext, node: PeerNode | OrdererNode): Record<string, string> {
  if (ctx.topology.keys !== 'hsm') return {};
  // A peer's PKCS#11 settings are in its core.yaml (peer-config.ts); it needs only the token folder.
  if (node.kind === 'peer') return tokenEnv(ctx.layout);
  return bccspEnv(ctx.layout, orgOf(ctx.topology, node.org), 'ORDERER_GENERAL');
}

/** Stops the nodes this tool started (and only those), peers first; keeps data unless clean. */
export async function down(ctx: NetworkContext, opts: { clean?: boolean } = {}): Promise<string[]> {
  const stopped: string[] = [];
  // Applications started beside the network (the org gateways, `gateway.<org>`, and the monitoring,
  // `monitoring.<program>`) go first.
  const apps = existsSync(ctx.layout.run)
    ? readdirSync(ctx.layout.run)
        .filter((f) => (f.startsWith('gateway.') || f.startsWith('monitoring.')) && f.endsWith('.pid'))
        .map((f) => f.slice(0, -'.pid'.length))
    : [];
  for (const id of apps) if (await stopProcess(ctx.layout, id, 5_000)) stopped.push(id);
  const nodes = allNodes(ctx.topology).reverse();
  // Raft leaves some ordering nodes out of consensus; stop any of them that a BFT run started.
  const extra: FabricNode[] = ctx.topology.orgs.flatMap((o) => o.orderers).filter((o) => !nodes.includes(o));
  // A removed org's nodes run until its host stops them; on one machine, `down` does.
  for (const o of ctx.topology.removedOrgs ?? []) extra.push(...o.peers, ...o.orderers, o.ca, o.tlsCa);
  await Promise.all(
    [...nodes, ...extra].map(async (n) => {
      if (await stopProcess(ctx.layout, n.id)) stopped.push(n.id);
    }),
  );
  // The hosts go with their processes: nothing of them outlives `down` (the nodes' data stays on disk).
  if (ctx.placement.name === 'hosts') removeHosts(hostsPlan(ctx.topology));
  if (opts.clean) {
    // The gateways' wallets, tokens and idempotency records belong to this network's identities too, and
    // its snapshots can join no other network's channels.
    for (const dir of [
      ctx.layout.data,
      ctx.layout.generated,
      ctx.layout.run,
      ctx.layout.logs,
      ctx.layout.gateways,
      snapshotStore(ctx.layout),
    ]) {
      rmSync(dir, { recursive: true, force: true });
    }
    // crypto-config/ keeps its committed README; everything generated in it goes.
    if (existsSync(ctx.layout.crypto)) {
      for (const entry of readdirSync(ctx.layout.crypto)) {
        if (entry !== 'README.md') rmSync(join(ctx.layout.crypto, entry), { recursive: true, force: true });
      }
      if (readdirSync(ctx.layout.crypto).length === 0) rmSync(ctx.layout.crypto, { recursive: true, force: true });
    }
  }
  return stopped;
}

export interface NodeStatus {
  id: string;
  kind: FabricNode['kind'];
  org: string;
  pid: number | null;
  healthy: boolean;
  ports: number[];
}

export interface PeerLedger {
  peer: string;
  channel: string;
  height: number | null;
  currentBlockHash: string | null;
}

export interface NetworkStatus {
  consensus: Consensus;
  nodes: NodeStatus[];
  ledgers: PeerLedger[];
  chaincodes: Array<{
    name: string;
    channel: string;
    sequence: number | null;
    version: string | null;
    /** The definition proposed on this host and not committed yet, and who approved it. */
    pending?: PendingDefinition;
  }>;
}

export async function status(ctx: NetworkContext): Promise<NetworkStatus> {
  const t = ctx.topology;
  const nodes = await Promise.all(
    allNodes(t).map(async (n): Promise<NodeStatus> => {
      const pid = runningPid(ctx.layout, n.id) ?? null;
      return {
        id: n.id,
        kind: n.kind,
        org: n.org,
        pid,
        healthy: pid !== null && (await healthz(n.operationsPort, 2000, dialHost(ctx.placement, n))) === 200,
        ports: portsOf(n).map((p) => p.port),
      };
    }),
  );
  const ledgers: PeerLedger[] = [];
  for (const org of t.orgs) {
    for (const peer of org.peers) {
      for (const channel of t.channels) {
        ledgers.push({
          peer: peer.id,
          channel: channel.name,
          ...(await channelInfo(ctx, org.name, peer.id, channel.name)),
        });
      }
    }
  }
  const chaincodes = [];
  for (const spec of t.chaincodes) {
    let committed;
    try {
      committed = await queryCommitted(ctx, spec);
    } catch {
      committed = undefined;
    }
    let pending;
    try {
      pending = await pendingDefinition(ctx, spec.name, committed?.sequence ?? 0);
    } catch {
      pending = undefined;
    }
    chaincodes.push({
      name: spec.name,
      channel: spec.channel,
      sequence: committed?.sequence ?? null,
      version: committed?.version ?? null,
      ...(pending ? { pending } : {}),
    });
  }
  return { consensus: t.consensus, nodes, ledgers, chaincodes };
}

export async function channelInfo(
  ctx: NetworkContext,
  orgName: string,
  peerId: string,
  channel: string,
): Promise<{ height: number | null; currentBlockHash: string | null }> {
  const org = ctx.topology.orgs.find((o) => o.name === orgName);
  const peer = org?.peers.find((p) => p.id === peerId);
  if (!org || !peer || runningPid(ctx.layout, peer.id) === undefined) return { height: null, currentBlockHash: null };
  try {
    const out = await peerCli(ctx, org, peer, ['channel', 'getinfo', '-c', channel], 20_000);
    const json = out.slice(out.indexOf('{'));
    const info = JSON.parse(json) as { height: number; currentBlockHash: string };
    return { height: info.height, currentBlockHash: info.currentBlockHash };
  } catch {
    return { height: null, currentBlockHash: null };
  }
}
