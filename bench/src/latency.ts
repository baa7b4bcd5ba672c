import type { StepResult } from './driver';
import type { BenchResults } from './index';

/** The issue's latency target: p95 under 1 s at half of saturation, for every workload. */
export const P95_TARGET_MS = 1000;

/**
 * A workload that runs as a batch job rather than on an offered-load ladder (W6 matching, campaign
 * close, dividends) reports the latency of its own transactions here, if it measures one, under
 * `consensus.<c>.latency`; the report then lists it beside the ladders' half-saturation steps.
 */
export interface BatchLatency {
  workload: string;
  /** What was timed, e.g. "one Match call of 50 fills". */
  what: string;
  p50Ms?: number;
  p95Ms: number;
}

export interface LatencyRow {
  workload: string;
  consensus: string;
  /** The offered rate of the half-saturation step, or what was timed for a batch workload. */
  at: string;
  p50?: number;
  p95?: number;
  p99?: number;
  /** Why there is no figure, when there is none. */
  note?: string;
}

/**
 * One row per workload and consensus, generically: every half-saturation step the run made (the
 * ladders, W8 in each gateway mode, W2 at each scale size), every batch workload's own latency, and for
 * each requested workload with neither, a row that says so.
 */
export function latencyRows(r: BenchResults): LatencyRow[] {
  const rows: LatencyRow[] = [];
  const half = (workload: string, consensus: string, s: StepResult): LatencyRow => ({
    workload,
    consensus,
    at: `${s.offeredTps}/s`,
    p50: s.latencyMs.p50,
    p95: s.latencyMs.p95,
    p99: s.latencyMs.p99,
  });
  for (const [consensus, run] of Object.entries(r.consensus)) {
    for (const s of run.halfLoad) rows.push(half(s.workload, consensus, s));
    for (const g of run.gatewayModes ?? [])
      for (const s of g.halfLoad) rows.push(half(`${s.workload} (gateway ${g.mode})`, consensus, s));
    for (const p of (run.scale ?? []).slice(1))
      for (const s of p.w2.halfLoad) rows.push(half(`${s.workload} at ${p.accounts} accounts`, consensus, s));
    for (const b of run.latency ?? [])
      rows.push({ workload: b.workload, consensus, at: b.what, p50: b.p50Ms, p95: b.p95Ms });
    const requested = consensus === 'bft' ? r.options.workloads : ['W0', 'W2'];
    for (const id of requested) {
      if (rows.some((row) => row.consensus === consensus && row.workload === id)) continue;
      const ladder = run.steps.filter((s) => s.workload === id);
      rows.push({
        workload: id,
        consensus,
        at: 'n/a',
        note:
          ladder.length > 0
            ? 'saturation of 2 tx/s or less: no half-saturation step'
            : 'a batch run, not an offered-load ladder; it records no per-transaction latency',
      });
    }
  }
  return rows;
}

/** The report's latency table. */
export function latencyTable(r: BenchResults): string[] {
  const lines = [
    '',
    `## Latency at half of saturation, every workload (target: p95 < ${P95_TARGET_MS} ms)`,
    '',
    '| workload | consensus | offered | p50 (ms) | p95 (ms) | p99 (ms) | p95 < 1 s |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of latencyRows(r)) {
    const met =
      row.p95 === undefined || !Number.isFinite(row.p95) ? 'not measured' : row.p95 < P95_TARGET_MS ? 'yes' : '**no**';
    lines.push(
      `| ${row.workload} | ${row.consensus} | ${row.at} | ${row.p50 ?? ''} | ${row.p95 ?? ''} | ${row.p99 ?? ''} | ${row.note ? `${met}: ${row.note}` : met} |`,
    );
  }
  return lines;
}
