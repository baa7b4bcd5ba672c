import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { peerCli } from './admin-cli';
import type { NetworkContext } from './context';
import { sleep } from './exec';
import type { Layout } from './layout';
import { peerEnv } from './node-env';
import { orgOf, type Org, type PeerNode } from './topology';

/** How many snapshots of one channel an org keeps; older ones are removed when a new one is stored. */
export const SNAPSHOTS_KEPT = 3;

/** Fabric writes these two files last, into a folder it renames into place once the snapshot is whole. */
const SIGNABLE_METADATA = '_snapshot_signable_metadata.json';
const ADDITIONAL_METADATA = '_snapshot_additional_metadata.json';

/** One stored ledger snapshot of one channel, as a peer of `org` wrote it. */
export interface LedgerSnapshot {
  readonly org: string;
  readonly channel: string;
  /** The last block the snapshot holds; a peer joined from it fetches blocks from the next one on. */
  readonly block: number;
  /** Hex hash of that block's header, from the snapshot's signable metadata. */
  readonly lastBlockHash: string;
  /**
   * Hex hash of the signable metadata, which lists every file's hash. Every peer's snapshot of the same
   * channel at the same block has the same one, so an org can compare it with another org's before
   * trusting that org's snapshot.
   */
  readonly snapshotHash: string;
  readonly dir: string;
}

/**
 * Where an org keeps its peers' snapshots: outside every peer's data folder, so the disk that loses a
 * peer's ledger does not take its backups with it. On separate hosts this is the org's backup volume.
 */
export function snapshotStore(layout: Layout): string {
  return join(layout.home, 'snapshots');
}

function orgStore(layout: Layout, org: Org): string {
  return join(snapshotStore(layout), org.slug);
}

/** Snapshots an org keeps of a channel (or of every channel), newest first. */
export function listSnapshots(layout: Layout, org: Org, channel?: string): LedgerSnapshot[] {
  const root = orgStore(layout, org);
  if (!existsSync(root)) return [];
  const channels = channel ? [channel] : readdirSync(root);
  const found: LedgerSnapshot[] = [];
  for (const ch of channels) {
    const dir = join(root, ch);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const snapshot = readSnapshot(org.name, join(dir, entry));
      if (snapshot && snapshot.channel === ch) found.push(snapshot);
    }
  }
  return found.sort((a, b) => b.block - a.block || a.channel.localeCompare(b.channel));
}

/** The newest snapshot an org keeps of a channel, or undefined. */
export function latestSnapshot(layout: Layout, org: Org, channel: string): LedgerSnapshot | undefined {
  return listSnapshots(layout, org, channel)[0];
}

/** Reads a snapshot folder's metadata; undefined for a folder that is not a whole snapshot. */
export function readSnapshot(org: string, dir: string): LedgerSnapshot | undefined {
  const signable = join(dir, SIGNABLE_METADATA);
  const additional = join(dir, ADDITIONAL_METADATA);
  if (!existsSync(signable) || !existsSync(additional)) return undefined;
  try {
    const s = JSON.parse(readFileSync(signable, 'utf8')) as {
      channel_name: string;
      last_block_number: number;
      last_block_hash: string;
    };
    const a = JSON.parse(readFileSync(additional, 'utf8')) as { snapshot_hash: string };
    return {
      org,
      channel: s.channel_name,
      block: s.last_block_number,
      lastBlockHash: s.last_block_hash,
      snapshotHash: a.snapshot_hash,
      dir,
    };
  } catch {
    return undefined;
  }
}

/** The folder the peer writes completed snapshots of a channel into (CORE_LEDGER_SNAPSHOTS_ROOTDIR). */
function completedDir(ctx: NetworkContext, peer: PeerNode, channel: string): string {
  const root = peerEnv(ctx.topology, peer, ctx.placement).CORE_LEDGER_SNAPSHOTS_ROOTDIR;
  if (!root) throw new Error(`${peer.id} has no snapshot folder configured`);
  return join(root, 'completed', channel);
}

/**
 * Moves every whole snapshot the peer has written for a channel into the org's store, and keeps the
 * newest SNAPSHOTS_KEPT there. A snapshot of a block already stored replaces it (same block, same
 * content). Returns what was moved.
 */
export function collectSnapshots(layout: Layout, org: Org, from: string): LedgerSnapshot[] {
  if (!existsSync(from)) return [];
  const moved: LedgerSnapshot[] = [];
  for (const entry of readdirSync(from)) {
    const snapshot = readSnapshot(org.name, join(from, entry));
    if (!snapshot) continue;
    const target = join(orgStore(layout, org), snapshot.channel, String(snapshot.block));
    rmSync(target, { recursive: true, force: true });
    moveDir(snapshot.dir, target);
    moved.push({ ...snapshot, dir: target });
  }
  for (const channel of new Set(moved.map((s) => s.channel))) {
    for (const old of listSnapshots(layout, org, channel).slice(SNAPSHOTS_KEPT))
      rmSync(old.dir, { recursive: true, force: true });
  }
  return moved;
}

function moveDir(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  try {
    renameSync(from, to);
  } catch (err) {
    // Another file system (a backup volume): copy, then remove the peer's copy.
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    cpSync(from, to, { recursive: true });
    rmSync(from, { recursive: true, force: true });
  }
}

/**
 * Takes a snapshot of one channel on one peer at its last committed block and moves it into the org's
 * store. The peer pauses commits while it writes the snapshot, so it is consistent at that block.
 */
export async function snapshotChannel(
  ctx: NetworkContext,
  org: Org,
  peer: PeerNode,
  channel: string,
  timeoutMs = 300_000,
): Promise<LedgerSnapshot> {
  const completed = completedDir(ctx, peer, channel);
  // A snapshot left behind by an earlier run that stopped before moving it is stored first.
  collectSnapshots(ctx.layout, org, completed);
  await peerCli(ctx, org, peer, [
    'snapshot',
    'submitrequest',
    '-c',
    channel,
    '--blockNumber',
    '0',
    '--peerAddress',
    ctx.placement.address(peer, peer.port),
    '--tlsRootCertFile',
    ctx.layout.tlsCaCert(org.slug),
  ]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [taken] = collectSnapshots(ctx.layout, org, completed);
    if (taken) return taken;
    if (Date.now() > deadline) throw new Error(`${peer.id} wrote no snapshot of ${channel} in ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** Snapshots every channel on every peer of the named orgs (all orgs by default). */
export async function takeSnapshots(ctx: NetworkContext, orgNames?: readonly string[]): Promise<LedgerSnapshot[]> {
  const orgs = orgNames?.length ? orgNames.map((n) => orgOf(ctx.topology, n)) : ctx.topology.orgs;
  const taken: LedgerSnapshot[] = [];
  for (const org of orgs) {
    for (const peer of org.peers) {
      for (const { name: channel } of ctx.topology.channels) {
        const s = await snapshotChannel(ctx, org, peer, channel);
        ctx.progress(`  ${peer.id}: ${channel} at block ${s.block}, snapshot hash ${s.snapshotHash.slice(0, 16)}…`);
        taken.push(s);
      }
    }
  }
  return taken;
}

/**
 * Snapshots of the same channel and block that differ: peers that disagree on the state. Empty when
 * every org's snapshot of a block has the same hash.
 */
export function disagreements(snapshots: readonly LedgerSnapshot[]): string[] {
  const byBlock = new Map<string, Map<string, string[]>>();
  for (const s of snapshots) {
    const key = `${s.channel}@${s.block}`;
    const hashes = byBlock.get(key) ?? new Map<string, string[]>();
    hashes.set(s.snapshotHash, [...(hashes.get(s.snapshotHash) ?? []), s.org]);
    byBlock.set(key, hashes);
  }
  return [...byBlock.entries()]
    .filter(([, hashes]) => hashes.size > 1)
    .map(
      ([key, hashes]) =>
        `${key}: ${[...hashes.entries()].map(([h, orgs]) => `${orgs.join(', ')} ${h.slice(0, 16)}…`).join(' / ')}`,
    );
}
