import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { peerCli } from './admin-cli';
import { joinChannel, waitCaughtUp } from './add-org';
import { packageChaincode } from './chaincode';
import { perOperatorCollections } from './collections';
import type { NetworkContext } from './context';
import { sleep } from './exec';
import { connectTo, gatewayErrorText } from './gateway-client';
import { ensureNode } from './network';
import { runningPid, stopProcess } from './processes';
import { latestSnapshot, type LedgerSnapshot } from './snapshot';
import { peerChannels } from './channels';
import { orgOf, type Org, type PeerNode, type Topology } from './topology';

export type RestoreSource = 'snapshot' | 'genesis';

export interface RestoreOptions {
  /** Where the ledger comes from: the org's latest snapshot of each channel, or block 0. Default: a snapshot where the org has one, else block 0. */
  readonly from?: RestoreSource;
  /** How long to wait for the peer to catch up and for its private data to come back. */
  readonly timeoutMs?: number;
}

export interface RestoredChannel {
  readonly channel: string;
  readonly from: RestoreSource;
  /** The snapshot's last block, when joined from one. */
  readonly snapshotBlock?: number;
  /** Height and current block hash every peer agreed on once this one caught up. */
  readonly height: number;
  readonly hash: string;
}

export interface RestoreResult {
  readonly org: string;
  readonly peer: string;
  readonly channels: RestoredChannel[];
  /** Each operator collection the org is a member of, read back through this peer. */
  readonly collections: Array<{ collection: string; sealed: boolean }>;
  /** Seconds from start: peer started and channels joined, caught up with the others, private data readable. */
  readonly seconds: { joined: number; caughtUp: number; privateData: number; total: number };
}

/** restore-peer refuses a peer that still has its ledger: there is nothing to rebuild. */
export class RestoreRefusedError extends Error {
  override readonly name = 'RestoreRefusedError';
}

/** Fabric's answer to a read of a private key whose value this peer does not have (yet): only its hash. */
const PRIVATE_DATA_MISSING = /private data matching public hash version is not available/;

/**
 * Rebuilds the peers of an org whose data folder is gone: joins each channel from the org's latest
 * snapshot (or block 0), installs the chaincode packages the org approved, waits until the peer has the
 * same height and block hash as every other peer, and until its own collections read back through it.
 * Which data comes back by which path, and what does not, is in docs/network.md (Disaster recovery).
 */
export async function restorePeer(
  ctx: NetworkContext,
  orgName: string,
  opts: RestoreOptions = {},
): Promise<RestoreResult[]> {
  const org = orgOf(ctx.topology, orgName);
  const results: RestoreResult[] = [];
  for (const peer of org.peers) results.push(await restoreOne(ctx, org, peer, opts));
  return results;
}

/** The snapshot (or none: block 0) each channel is rebuilt from; refuses `from: snapshot` when one is missing. */
export function plan(
  channels: readonly string[],
  latest: (channel: string) => LedgerSnapshot | undefined,
  from?: RestoreSource,
): Array<{ channel: string; snapshot?: LedgerSnapshot }> {
  return channels.map((channel) => {
    if (from === 'genesis') return { channel };
    const snapshot = latest(channel);
    if (!snapshot && from === 'snapshot') {
      throw new RestoreRefusedError(`no snapshot of ${channel} is stored: run 'scripts/network.sh snapshot' first`);
    }
    return snapshot ? { channel, snapshot } : { channel };
  });
}

async function restoreOne(ctx: NetworkContext, org: Org, peer: PeerNode, opts: RestoreOptions): Promise<RestoreResult> {
  const start = Date.now();
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const elapsed = () => (Date.now() - start) / 1000;
  const step = (msg: string) => ctx.progress(`[${peer.id} +${elapsed().toFixed(1)}s] ${msg}`);

  const ledger = join(ctx.placement.data(peer.id), 'ledgersData');
  if (!existsSync(ledger) && runningPid(ctx.layout, peer.id) !== undefined) {
    // A process whose folder was removed under it still serves from memory and open files: replace it.
    step('stopping the process that runs on the removed folder');
    await stopProcess(ctx.layout, peer.id);
  }
  step('starting the peer');
  await ensureNode(ctx, peer);
  const joined = await peerChannels(ctx, org.name, peer.id);
  const missing = ctx.topology.channels.map((c) => c.name).filter((c) => !joined.includes(c));
  if (missing.length === 0) {
    throw new RestoreRefusedError(
      `${peer.id} still has its ledger of ${joined.join(', ')}: restore-peer rebuilds a peer whose data folder (${ctx.placement.data(peer.id)}) is gone`,
    );
  }

  const sources = plan(missing, (c) => latestSnapshot(ctx.layout, org, c), opts.from);

  // Installed packages live in the data folder too. The peer matches a package to its org's approval by
  // the hash the channel stores, so the same package (same bytes) runs again without a new approval.
  // Installing runs the external builder, which takes a while: it goes on while the channels catch up.
  step('installing the chaincode packages while the channels are joined');
  const installed = (async () => {
    for (const spec of ctx.topology.chaincodes) await install(ctx, org, peer, spec);
  })();
  installed.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile

  for (const { channel, snapshot } of sources) {
    if (snapshot) {
      step(`joining ${channel} from the snapshot at block ${snapshot.block}`);
      await joinBySnapshot(ctx, org, peer, snapshot, timeoutMs);
    } else {
      step(`joining ${channel} from block 0`);
      await joinChannel(ctx, channel, org);
    }
  }
  const joinedAt = elapsed();

  step('catching up with the other peers');
  const channels: RestoredChannel[] = [];
  for (const { channel, snapshot } of sources) {
    const agreed = await waitCaughtUp(ctx, channel, timeoutMs);
    step(`${channel}: height ${agreed.height}, block hash ${agreed.hash}`);
    channels.push({
      channel,
      from: snapshot ? 'snapshot' : 'genesis',
      ...(snapshot ? { snapshotBlock: snapshot.block } : {}),
      ...agreed,
    });
  }
  const caughtUpAt = elapsed();

  await installed;
  step('checking that the approved chaincode runs here');
  await requireRunnable(ctx, org, peer);
  step('waiting until its collections read back through this peer (reconciliation)');
  const collections = await waitForPrivateData(ctx, org, peer, timeoutMs);
  const privateDataAt = elapsed();
  step(`restored in ${privateDataAt.toFixed(1)}s`);
  return {
    org: org.name,
    peer: peer.id,
    channels,
    collections,
    seconds: { joined: joinedAt, caughtUp: caughtUpAt, privateData: privateDataAt, total: elapsed() },
  };
}

/**
 * Installs the package `up` or `deploy` built last (or builds it from the working tree when there is
 * none). Installing a package the peer already has is refused by Fabric; that counts as done.
 */
async function install(
  ctx: NetworkContext,
  org: Org,
  peer: PeerNode,
  spec: NetworkContext['topology']['chaincodes'][number],
): Promise<void> {
  const file = ctx.layout.chaincodePackage(spec.name);
  const pkg = existsSync(file) ? file : (await packageChaincode(ctx, spec)).file;
  try {
    await peerCli(ctx, org, peer, ['lifecycle', 'chaincode', 'install', pkg], 300_000);
  } catch (err) {
    if (!/already successfully installed/.test((err as Error).message)) throw err;
  }
}

/**
 * joinbysnapshot returns at once and imports in the background; the channel is listed once the import
 * is done. The peer reads the snapshot in place, so the folder must be on the peer's host.
 */
async function joinBySnapshot(
  ctx: NetworkContext,
  org: Org,
  peer: PeerNode,
  snapshot: LedgerSnapshot,
  timeoutMs: number,
): Promise<void> {
  await peerCli(ctx, org, peer, ['channel', 'joinbysnapshot', '--snapshotpath', snapshot.dir]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await peerCli(ctx, org, peer, ['channel', 'joinbysnapshotstatus']);
    if (!/in progress for/.test(status) && (await peerChannels(ctx, org.name, peer.id)).includes(snapshot.channel))
      return;
    if (Date.now() > deadline)
      throw new Error(`${peer.id} did not finish joining ${snapshot.channel} from ${snapshot.dir}`);
    await sleep(250);
  }
}

/**
 * Every chaincode of the topology must be runnable on the peer: an installed package that the org's
 * approval (stored as a hash on the channel) references. Fails with the remedy otherwise.
 */
async function requireRunnable(ctx: NetworkContext, org: Org, peer: PeerNode): Promise<void> {
  const out = await peerCli(ctx, org, peer, ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json']);
  const installed =
    (
      JSON.parse(out || '{}') as {
        installed_chaincodes?: Array<{ references?: Record<string, { chaincodes?: Array<{ name: string }> }> }>;
      }
    ).installed_chaincodes ?? [];
  const referenced = new Set(
    installed.flatMap((c) =>
      Object.entries(c.references ?? {}).flatMap(([channel, r]) =>
        (r.chaincodes ?? []).map((cc) => `${channel}/${cc.name}`),
      ),
    ),
  );
  const unmatched = ctx.topology.chaincodes.filter((s) => !referenced.has(`${s.channel}/${s.name}`));
  if (unmatched.length > 0) {
    throw new Error(
      `no installed package matches ${org.mspId}'s approval of ${unmatched.map((s) => `${s.name} on ${s.channel}`).join(', ')}: ` +
        `build the committed version and install its package on ${peer.id}, or approve the installed one for the committed sequence`,
    );
  }
  for (const spec of ctx.topology.chaincodes) {
    // The first invocation builds and launches the chaincode through the external builder.
    await peerCli(ctx, org, peer, [
      'chaincode',
      'query',
      '-C',
      spec.channel,
      '-n',
      spec.name,
      '-c',
      '{"Args":["org.hyperledger.fabric:GetMetadata"]}',
    ]);
  }
}

/** The operator collections an org's peer receives: those whose member policy names its MSP. */
export function memberCollections(t: Topology, org: Org): string[] {
  return perOperatorCollections(t)
    .filter((c) => c.policy.includes(`'${org.mspId}.member'`))
    .map((c) => c.name);
}

/**
 * Reads each of the org's collections' seal (decision 30) through this peer only. Until reconciliation
 * has brought the value back, Fabric refuses the read (only the hash is there). The seal is the
 * collection's oldest record and reconciliation works from the newest block back, so once the seal reads,
 * every newer record was fetched in the same pass; one that no member could serve is retried later, and
 * a read of it fails meanwhile rather than answering without it.
 */
async function waitForPrivateData(
  ctx: NetworkContext,
  org: Org,
  peer: PeerNode,
  timeoutMs: number,
): Promise<Array<{ collection: string; sealed: boolean }>> {
  const specs = ctx.topology.chaincodes.filter((s) => s.collections === 'per-operator');
  const found: Array<{ collection: string; sealed: boolean }> = [];
  const deadline = Date.now() + timeoutMs;
  const conn = connectTo(ctx.layout, org, peer, 'gateway', ctx.placement);
  try {
    for (const spec of specs) {
      const privacy = conn.gateway.getNetwork(spec.channel).getContract(spec.name, 'Privacy');
      for (const collection of memberCollections(ctx.topology, org)) {
        for (;;) {
          try {
            const r = await privacy.evaluate('IsSealed', {
              arguments: [JSON.stringify({ collection })],
              endorsingOrganizations: [org.mspId],
            });
            const { sealed } = JSON.parse(Buffer.from(r).toString()) as { sealed: boolean };
            found.push({ collection, sealed });
            break;
          } catch (err) {
            const text = gatewayErrorText(err);
            if (Date.now() > deadline) {
              throw new Error(`${collection} did not read back through ${peer.id} in ${timeoutMs} ms: ${text}`);
            }
            if (!PRIVATE_DATA_MISSING.test(text) && !/UNAVAILABLE|no peers available|DEADLINE/i.test(text)) {
              throw new Error(`reading ${collection} through ${peer.id} failed: ${text}`);
            }
            await sleep(1000);
          }
        }
      }
    }
  } finally {
    conn.close();
  }
  return found;
}
