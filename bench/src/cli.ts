#!/usr/bin/env node
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@ecf/network';
import { isGatewayMode } from './gateway-cost';
import { renderChart, renderMarkdown, runBench, stopAll, summarize, type BenchResults } from './index';
import { renderStall, runStall } from './stall';
import { tuningBench } from './tuning-cli';

const USAGE = `usage: npm run bench [-- options]
  --quick              a short run (few accounts, low loads); what CI's smoke test does
  --accounts N         accounts transfers are spread over (default 10000; quick 60)
  --rates a,b,c        offered loads in tx/s (default 50,100,150,200,300; quick 10)
  --duration S         seconds per load step (default 10; quick 2)
  --workloads W0,...   subset of W0..W6, W8, W9, W10 (default all)
  --dividend-batches a,b  W10: accounts per payment batch, one distribution per size (default 500; quick 10)
  --resting N          W6's deeper book: orders that never cross beside its crossing pairs (default 2000; quick 40)
  --w9-pledges N       W9: pledges per campaign closed (default 10000; quick 30)
  --w9-batch a,b       W9: Settle batch sizes, one campaign closed per size (default 1000; quick 10)
  --w9-rate R          W9: pledges/s the campaign's close time is planned for (default 35)
  --no-raft            skip the Raft comparison run
  --gateway-modes before,after
                       after the ladders, W8 again with OperatorA's gateway in each mode (token cache, log sampling)
  --grow-to N[,M…]     after the ladders (W2 among them), grow the market to N accounts, run W2 again, then M… (scale)
  --render FILE.json   regenerate the Markdown and PNG of an earlier run
  --stall              instead: goodput through an ordering stall, REST gateway admission control off and on
                       (--rate 8 --accounts 20 --before 20 --stall-seconds 20 --after 60 --modes off,on)
  --tuning             instead: W0 and W2 at the baseline node settings, after each tuning change and after all
                       of them, on one network (--rates 20,40 --duration 10 --accounts 1000 --profile-seconds 8
                       --variants logging,gogc-400,validators-4,batch-250ms,censorship-10s,combined)`;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const rerender = arg('--render');
  if (rerender) {
    // Regenerates the Markdown and the chart of an earlier run from its JSON.
    const results = JSON.parse(readFileSync(rerender, 'utf8')) as BenchResults;
    const base = rerender.replace(/\.json$/, '');
    writeFileSync(`${base}.md`, renderMarkdown(results));
    writeFileSync(`${base}.png`, renderChart(results));
    console.log(`rendered ${base}.{md,png}`);
    return;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`bench: ${signal}: stopping the benchmark networks`);
      void stopAll().finally(() => process.exit(130));
    });
  }
  if (process.argv.includes('--stall')) return stallBench();
  if (process.argv.includes('--tuning')) return tuningBench(arg);
  const quick = process.argv.includes('--quick');
  const workloads = (arg('--workloads') ?? 'W0,W1,W2,W8,W3,W4,W5,W6,W9,W10').split(',');
  const gatewayModes = arg('--gateway-modes')?.split(',') ?? [];
  const unknown = gatewayModes.filter((m) => !isGatewayMode(m));
  if (unknown.length > 0) throw new Error(`unknown gateway modes ${unknown.join(',')} (before, after)`);
  const growTo = arg('--grow-to')?.split(',').map(Number);
  if (growTo && (!growTo.every(Number.isSafeInteger) || !workloads.includes('W2')))
    throw new Error('--grow-to needs whole numbers of accounts and W2 among the workloads');
  const results = await runBench({
    accounts: Number(arg('--accounts') ?? (quick ? 60 : 10000)),
    rates: (arg('--rates') ?? (quick ? '10' : '50,100,150,200,300')).split(',').map(Number),
    durationS: Number(arg('--duration') ?? (quick ? 2 : 10)),
    workloads,
    raft: !process.argv.includes('--no-raft') && !quick,
    matchPairs: quick ? 20 : 500,
    dividendBatches: (arg('--dividend-batches') ?? (quick ? '10' : '500')).split(',').map(Number),
    restingOrders: Number(arg('--resting') ?? (quick ? 40 : 2000)),
    w9: {
      pledges: Number(arg('--w9-pledges') ?? (quick ? 30 : 10_000)),
      batchSizes: (arg('--w9-batch') ?? (quick ? '10' : '1000')).split(',').map(Number),
      plannedPledgeRate: Number(arg('--w9-rate') ?? 35),
    },
    portShift: Number(arg('--port-shift') ?? 13_000),
    gatewayModes: gatewayModes.filter(isGatewayMode),
    ...(growTo === undefined ? {} : { growTo }),
    progress: (m) => console.log(`bench: ${m}`),
  });
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const summary = summarize(results);
  writeFileSync(join(dir, `${stamp}.json`), JSON.stringify({ ...results, summary }, null, 2));
  writeFileSync(join(dir, `${stamp}.md`), renderMarkdown(results));
  writeFileSync(join(dir, `${stamp}.png`), renderChart(results));
  console.log(renderMarkdown(results));
  console.log(`results: bench/results/${stamp}.{json,md,png}`);
}

/** The stall benchmark (decision 43): one network, the gateway in each admission mode in turn. */
async function stallBench(): Promise<void> {
  const options = {
    rate: Number(arg('--rate') ?? 8),
    accounts: Number(arg('--accounts') ?? 20),
    beforeS: Number(arg('--before') ?? 20),
    stallS: Number(arg('--stall-seconds') ?? 20),
    afterS: Number(arg('--after') ?? 60),
    modes: (arg('--modes') ?? 'off,on').split(',') as Array<'off' | 'on'>,
    portShift: Number(arg('--port-shift') ?? 13_000),
  };
  const startedAt = new Date().toISOString();
  const runs = await runStall({ ...options, progress: (m) => console.log(`bench: ${m}`) });
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = `stall-${startedAt.replace(/[:.]/g, '-')}`;
  writeFileSync(join(dir, `${stamp}.json`), JSON.stringify({ startedAt, options, runs }, null, 2));
  const report = renderStall(runs, options);
  writeFileSync(join(dir, `${stamp}.md`), report);
  console.log(report);
  console.log(`results: bench/results/${stamp}.{json,md}`);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
