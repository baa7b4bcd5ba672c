import { IsolatedNetwork } from '@ecf/network';
import { runDividend, type DividendRun } from './dividend';
import { runCampaignClose, type CampaignCloseResult } from './campaign-close';
import { firstErrors, runStep, type StepResult } from './driver';
import { runGatewayModes, startGateway, type GatewayMode, type GatewayModeRun } from './gateway-cost';
import type { BatchLatency } from './latency';
import { BenchMarket, WORKLOADS } from './market';
import { runMatching, type MatchResult } from './matching';
import { cpuByComponent, networkPids, rssMiB } from './resources';
import { atRest, growAndMeasure, type ScalePoint } from './scale';
import { round } from './stats';

export interface BenchOptions {
  /** Accounts to spread transfers over (the W2 uses 10,000). */
  accounts: number;
  /** Offered loads (tx/s) of the ladder each workload climbs. */
  rates: number[];
  durationS: number;
  workloads: string[];
  /** Also run W0 and W2 on a Raft network for the BFT/Raft ratio. */
  raft: boolean;
  /** Crossing order pairs for W6. */
  matchPairs: number;
  /** W10: accounts per payment batch, one distribution to every account per size. */
  dividendBatches?: number[];
  /** W6's deeper book: orders resting beside the crossing pairs that never cross (default 4 × matchPairs). */
  restingOrders?: number;
  /** W9: pledges per campaign, one campaign closed per batch size (default 10,000 and [1000]). */
  w9?: { pledges: number; batchSizes: number[]; plannedPledgeRate?: number };
  portShift: number;
  /** After the ladders: W8 once more per gateway mode (token cache, log sampling), on the same network. */
  gatewayModes?: GatewayMode[];
  /** After the ladders: grow the market to each of these sizes in turn and run W2 again at each (scale). */
  growTo?: number[];
  progress: (m: string) => void;
}

export type { MatchResult };

export interface BenchResults {
  startedAt: string;
  machine: { cpus: number; memoryGiB: number };
  options: Omit<BenchOptions, 'progress'>;
  consensus: Record<
    string,
    {
      steps: StepResult[];
      halfLoad: StepResult[];
      matching?: MatchResult;
      dividend?: DividendRun[];
      campaignClose?: CampaignCloseResult[];
      gatewayModes?: GatewayModeRun[];
      scale?: ScalePoint[];
      /** Per-transaction latency of batch workloads, for the report's latency table (see latency.ts). */
      latency?: BatchLatency[];
      idleRssMiB: number;
      upSeconds: number;
    }
  >;
}

/** Networks a run has up, so an interrupted run can still take them down. */
const active = new Set<IsolatedNetwork>();

/** Registers a network another bench mode brought up, so that Ctrl-C takes it down too; returns the undo. */
export function track(net: IsolatedNetwork): () => void {
  active.add(net);
  return () => active.delete(net);
}

/** Stops every network a benchmark brought up (for signal handlers). */
export async function stopAll(): Promise<void> {
  await Promise.all([...active].map((n) => n.destroy()));
  active.clear();
}

/** Brings up a network of the given consensus, builds the market and climbs each workload's load ladder. */
async function runOn(consensus: 'bft' | 'raft', opts: BenchOptions, workloads: string[]) {
  const net = new IsolatedNetwork(opts.portShift, { consensus, prefix: 'ecf-bench-' });
  active.add(net);
  const t0 = performance.now();
  opts.progress(`[${consensus}] bringing the network up`);
  await net.cli('up');
  const upSeconds = round((performance.now() - t0) / 1000);
  const market = new BenchMarket(net, opts.accounts);
  try {
    // W10 alone needs the accounts onboarded, not funded.
    const fund = workloads.some((w) => w !== 'W10');
    await market.setup((m) => opts.progress(`[${consensus}] ${m}`), fund);
    for (const [message, n] of firstErrors) opts.progress(`[${consensus}] setup retried ${n}× after: ${message}`);
    firstErrors.clear();
    let pids = networkPids(net.layout);
    const idleRssMiB = round(rssMiB(pids));
    const restAtSetup = opts.growTo?.length ? atRest(net) : undefined;
    const steps: StepResult[] = [];
    const halfLoad: StepResult[] = [];
    const measure = async (id: string, rate: number) => {
      const workload = WORKLOADS.find((w) => w.id === id);
      if (!workload) throw new Error(`unknown workload ${id}`);
      pids = networkPids(net.layout);
      const cpuBefore = cpuByComponent(pids);
      let peak = rssMiB(pids);
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMiB(pids));
      }, 500);
      const offset = steps.length * 100_000; // fresh accounts order per step
      const result = await runStep(id, rate, opts.durationS, (i) => workload.next(market, offset + i));
      clearInterval(sampler);
      const cpuAfter = cpuByComponent(networkPids(net.layout));
      const spent = Object.fromEntries(
        Object.entries(cpuAfter).map(([k, v]) => [k, v - cpuBefore[k as keyof typeof cpuBefore]]),
      );
      const cpu = Object.values(spent).reduce((a, b) => a + b, 0);
      result.cpuMsPerValidTx = result.valid > 0 ? round(cpu / result.valid, 2) : undefined;
      if (result.valid > 0) {
        result.cpuMsPerValidTxByComponent = Object.fromEntries(
          Object.entries(spent)
            .filter(([, v]) => v > 0)
            .map(([k, v]) => [k, round(v / result.valid, 2)]),
        );
      }
      result.peakRssMiB = round(peak);
      opts.progress(
        `[${consensus}] ${id} @${rate}/s: ${result.goodputTps} valid/s, p95 ${result.latencyMs.p95} ms, invalid ${JSON.stringify(result.invalid)}, failed ${Object.values(result.failed).reduce((a, b) => a + b, 0)}`,
      );
      return result;
    };
    if (workloads.includes('W8')) {
      opts.progress(`[${consensus}] W8: starting OperatorA's REST gateway`);
      market.rest = await startGateway(net);
      pids = networkPids(net.layout);
    }
    for (const id of workloads.filter((w) => w !== 'W6' && w !== 'W9' && w !== 'W10')) {
      const ladder: StepResult[] = [];
      for (const rate of opts.rates) ladder.push(await measure(id, rate));
      steps.push(...ladder);
      const saturation = Math.max(...ladder.map((s) => s.goodputTps));
      if (saturation > 2) halfLoad.push(await measure(id, Math.max(1, Math.round(saturation / 2))));
    }
    let matching: MatchResult | undefined;
    if (workloads.includes('W6')) {
      const resting = opts.restingOrders ?? 4 * opts.matchPairs;
      matching = await runMatching(market, opts.matchPairs, resting, (m) => opts.progress(`[${consensus}] ${m}`));
    }
    const dividend = workloads.includes('W10')
      ? await runDividend(market, opts.dividendBatches ?? [500], (m) => opts.progress(`[${consensus}] ${m}`))
      : undefined;
    const campaignClose = workloads.includes('W9')
      ? await runCampaignClose(market, {
          pledges: opts.w9?.pledges ?? 10_000,
          batchSizes: opts.w9?.batchSizes ?? [1000],
          plannedPledgeRate: opts.w9?.plannedPledgeRate ?? 35,
          progress: (m) => opts.progress(`[${consensus}] ${m}`),
        })
      : undefined;
    const log = (m: string) => opts.progress(`[${consensus}] ${m}`);
    const gatewayModes = opts.gatewayModes?.length
      ? await runGatewayModes(net, market, opts.gatewayModes, opts.rates, measure, log)
      : undefined;
    const w2 = {
      steps: steps.filter((s) => s.workload === 'W2'),
      halfLoad: halfLoad.filter((s) => s.workload === 'W2'),
    };
    let scale: ScalePoint[] | undefined;
    if (opts.growTo?.length && restAtSetup && w2.steps.length > 0) {
      scale = [{ accounts: opts.accounts, ...restAtSetup, w2 }];
      for (const size of opts.growTo) scale.push(await growAndMeasure(net, market, size, opts.rates, measure, log));
    }
    return { steps, halfLoad, matching, campaignClose, dividend, gatewayModes, scale, idleRssMiB, upSeconds };
  } finally {
    market.close();
    await net.destroy();
    active.delete(net);
  }
}

export async function runBench(opts: BenchOptions): Promise<BenchResults> {
  const os = await import('node:os');
  // The progress callback is not part of the recorded options.
  const { progress, ...options } = opts;
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memoryGiB: round(os.totalmem() / 2 ** 30) },
    options,
    consensus: {},
  };
  results.consensus.bft = await runOn('bft', opts, opts.workloads);
  if (opts.raft)
    results.consensus.raft = await runOn(
      'raft',
      { ...opts, gatewayModes: undefined, growTo: undefined },
      opts.workloads.filter((w) => w === 'W0' || w === 'W2'),
    );
  return results;
}

export { renderMarkdown, renderChart, summarize } from './report';
export type { StepResult, BenchResults as Results };
export type { CampaignCloseResult } from './campaign-close';
