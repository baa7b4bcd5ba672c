import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { IsolatedNetwork, Layout } from '@ecf/network';
import type { StepResult } from './driver';
import type { BenchMarket } from './market';
import { networkPids, rssMiB } from './resources';
import { round } from './stats';

/** The peers' ledgers on disk, summed over the peers, in MiB. */
export interface LedgerDisk {
  /** `stateLeveldb`: the world state, public and private (the state database). */
  stateMiB: number;
  /** Everything under `ledgersData`: state, blocks, history, private data store. */
  ledgerMiB: number;
}

/** One size of the market: its accounts, the network at rest, and W2 at that size. */
export interface ScalePoint {
  accounts: number;
  idleRssMiB: number;
  disk: LedgerDisk;
  /** Seconds to onboard and fund the accounts added to reach this size (absent for the first size). */
  growSeconds?: number;
  w2: { steps: StepResult[]; halfLoad: StepResult[] };
}

export function ledgerDisk(layout: Layout): LedgerDisk {
  let state = 0;
  let ledger = 0;
  if (existsSync(layout.data)) {
    for (const node of readdirSync(layout.data).filter((n) => n.startsWith('peer'))) {
      const root = join(layout.nodeData(node), 'ledgersData');
      state += bytesUnder(join(root, 'stateLeveldb'));
      ledger += bytesUnder(root);
    }
  }
  return { stateMiB: round(state / 2 ** 20), ledgerMiB: round(ledger / 2 ** 20) };
}

/** Allocated bytes (as du counts them) of every file below a folder. */
function bytesUnder(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    try {
      total += statSync(join(entry.parentPath, entry.name)).blocks * 512;
    } catch {
      /* compacted away meanwhile */
    }
  }
  return total;
}

/** The network at rest: its resident memory and its ledgers on disk. */
export function atRest(net: IsolatedNetwork): { idleRssMiB: number; disk: LedgerDisk } {
  return { idleRssMiB: round(rssMiB(networkPids(net.layout))), disk: ledgerDisk(net.layout) };
}

/**
 * Grows the market to `total` accounts (batch transactions through the chaincode, decision 62) and runs
 * W2's ladder and half-saturation step again: the second point of the scale run, to compare with the
 * run's own W2 at the first size.
 */
export async function growAndMeasure(
  net: IsolatedNetwork,
  market: BenchMarket,
  total: number,
  rates: readonly number[],
  measure: (id: string, rate: number) => Promise<StepResult>,
  progress: (m: string) => void,
): Promise<ScalePoint> {
  const started = performance.now();
  await market.grow(total, progress);
  const growSeconds = round((performance.now() - started) / 1000);
  const rest = atRest(net);
  progress(
    `grown to ${market.accounts.length} accounts in ${growSeconds} s; idle RSS ${rest.idleRssMiB} MiB, state ${rest.disk.stateMiB} MiB, ledgers ${rest.disk.ledgerMiB} MiB`,
  );
  const steps: StepResult[] = [];
  for (const rate of rates) steps.push(await measure('W2', rate));
  const saturation = Math.max(...steps.map((s) => s.goodputTps));
  const halfLoad = saturation > 2 ? [await measure('W2', Math.max(1, Math.round(saturation / 2)))] : [];
  return { accounts: market.accounts.length, ...rest, growSeconds, w2: { steps, halfLoad } };
}

/** The Markdown section: W2, memory and disk at each size, and the goodput ratio. */
export function scaleRows(points: readonly ScalePoint[] | undefined): string[] {
  if (!points || points.length < 2) return [];
  const sat = (p: ScalePoint) => Math.max(0, ...p.w2.steps.map((s) => s.goodputTps));
  const [first] = points;
  const lines = [
    '',
    '## Scale: W2 at each market size (same network, grown between sizes)',
    '',
    '| accounts | W2 saturation (valid tx/s) | ratio to the first size | W2 p95 at half saturation (ms) | idle RSS (MiB) | state database, 4 peers (MiB) | peer ledgers, 4 peers (MiB) | setup of the added accounts (s) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const p of points) {
    lines.push(
      `| ${p.accounts} | ${sat(p)} | ${first && sat(first) > 0 ? round(sat(p) / sat(first), 2) : 'n/a'} | ${p.w2.halfLoad[0]?.latencyMs.p95 ?? 'n/a'} | ${p.idleRssMiB} | ${p.disk.stateMiB} | ${p.disk.ledgerMiB} | ${p.growSeconds ?? ''} |`,
    );
  }
  return lines;
}
