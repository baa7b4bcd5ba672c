import { randomUUID } from 'node:crypto';
import { activeOrderers, IsolatedNetwork, runningPid } from '@ecf/network';
import { common, peer } from '@hyperledger/fabric-protos';
import { BenchMarket, TOKEN } from './market';
import { round } from './stats';

/**
 * The fault run of issue 14, repeatable: transfers at a fixed rate over a few OperatorA investors through
 * the REST gateway, each with its own Idempotency-Key and retried with it until a definite answer, while
 * every ordering node is stopped (SIGSTOP) for a while and then continued. Run once per gateway mode:
 * admission control off (the behaviour before decision 43) and on.
 */
export interface StallOptions {
  /** Offered transfers per second. */
  rate: number;
  /** Investors the transfers are spread over (random pairs). */
  accounts: number;
  /** Seconds of load before the stall. */
  beforeS: number;
  /** Seconds every ordering node stays stopped. */
  stallS: number;
  /** Seconds of load after the stall. */
  afterS: number;
  /** Gateway modes to measure, in order. */
  modes: Array<'off' | 'on'>;
  portShift: number;
  progress: (m: string) => void;
}

export interface StallRun {
  mode: 'off' | 'on';
  offered: number;
  /** Keys that got a 2xx (each executed once), and those still without a definite answer at the end. */
  committed: number;
  refusedDefinitely: number;
  unresolved: number;
  /** Every HTTP answer, by status and problem code. */
  answers: Record<string, number>;
  /** Transactions the run left on the ledger, by validation code. */
  ledger: Record<string, number>;
  /** 2xx answers per second, from the start of the load (index = second). */
  goodputPerSecond: number[];
  stallStartS: number;
  stallEndS: number;
  /** Seconds after the ordering nodes continued until the 5 s goodput was back at the offered rate. */
  recoveredAfterS: number | null;
  /** Seconds after the stall until the last key got its definite answer. */
  backlogClearedAfterS: number | null;
}

const RETRYABLE_CODES = new Set(['MVCC_CONFLICT', 'IDEMPOTENCY_IN_PROGRESS', 'OVERLOADED', 'ACCOUNT_BUSY']);
/** How long the client keeps retrying keys after the load ends. */
const DRAIN_S = 60;

export async function runStall(opts: StallOptions): Promise<StallRun[]> {
  const net = new IsolatedNetwork(opts.portShift, { prefix: 'ecf-bench-stall-' });
  const runs: StallRun[] = [];
  try {
    opts.progress('bringing the network up');
    await net.cli('up');
    const market = new BenchMarket(net, opts.accounts);
    try {
      await market.setup(opts.progress);
      for (const mode of opts.modes) runs.push(await runMode(net, market, mode, opts));
    } finally {
      market.close();
    }
  } finally {
    await net.destroy();
  }
  return runs;
}

async function runMode(
  net: IsolatedNetwork,
  market: BenchMarket,
  mode: 'off' | 'on',
  opts: StallOptions,
): Promise<StallRun> {
  const cli = (...args: string[]) =>
    net.node('gateway-api/dist/cli.js', args, { ECF_GATEWAY_RATE_LIMIT: '1000000000', ECF_GATEWAY_ADMISSION: mode });
  await cli('down', '--org', 'OperatorA');
  await cli('up', '--org', 'OperatorA', '--no-relay');
  const token = (await cli('token', 'create', '--org', 'OperatorA', '--identity', 'gateway')).trim();
  const url = `http://127.0.0.1:${net.org('OperatorA').ca.port + 80}/v1/transfers`;
  const heightBefore = await height(market);
  opts.progress(`[admission ${mode}] ${opts.rate}/s over ${opts.accounts} accounts; stall of ${opts.stallS} s`);

  const answers: Record<string, number> = {};
  const okAt: number[] = [];
  let refusedDefinitely = 0;
  let unresolved = 0;
  let lastAnswerAt = 0;
  const start = performance.now();
  const elapsed = () => (performance.now() - start) / 1000;
  const loadEnd = opts.beforeS + opts.stallS + opts.afterS;
  const giveUpAt = loadEnd + DRAIN_S;

  // One key: sent until a definite answer, with the same Idempotency-Key, waiting as Retry-After says.
  const transferOnce = async (i: number): Promise<void> => {
    const n = market.accounts.length;
    const from = market.accounts[Math.floor(Math.random() * n)] as string;
    let to = market.accounts[Math.floor(Math.random() * n)] as string;
    if (to === from) to = market.accounts[(market.accounts.indexOf(from) + 1) % n] as string;
    const key = `stall-${mode}-${i}-${randomUUID()}`;
    const body = JSON.stringify({ from, to, assetId: TOKEN, amount: '1' });
    while (elapsed() < giveUpAt) {
      let status = 0;
      let code = '';
      let retryAfter = 1;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
          body,
          signal: AbortSignal.timeout(60_000),
        });
        status = res.status;
        const text = await res.text();
        retryAfter = Number(res.headers.get('retry-after') ?? 1) || 1;
        if (status >= 400) code = (JSON.parse(text) as { code?: string }).code ?? '';
      } catch {
        code = 'network-error';
      }
      const label = `${status || 'none'} ${code}`.trim();
      answers[label] = (answers[label] ?? 0) + 1;
      // 202: ordered, its commit not yet seen; asked again with the same key like a 503 (decision 63).
      if (status >= 200 && status < 300 && status !== 202) {
        okAt.push(elapsed());
        lastAnswerAt = elapsed();
        return;
      }
      if (status >= 400 && status < 500 && !RETRYABLE_CODES.has(code) && status !== 429) {
        refusedDefinitely += 1;
        lastAnswerAt = elapsed();
        return;
      }
      // As a careful client would: Retry-After, spread a little so refused clients do not return together.
      await sleep(retryAfter * 1000 * (0.8 + 0.4 * Math.random()));
    }
    unresolved += 1;
  };

  const pending: Array<Promise<void>> = [];
  let stallStartS = 0;
  let stallEndS = 0;
  const stall = (async () => {
    await sleep(opts.beforeS * 1000);
    const orderers = activeOrderers(net.topology).map((o) => runningPid(net.layout, o.id));
    stallStartS = elapsed();
    for (const pid of orderers) if (pid !== undefined) process.kill(-pid, 'SIGSTOP');
    opts.progress(`[admission ${mode}] ordering stopped at ${round(stallStartS)} s`);
    await sleep(opts.stallS * 1000);
    for (const pid of orderers) if (pid !== undefined) process.kill(-pid, 'SIGCONT');
    stallEndS = elapsed();
    opts.progress(`[admission ${mode}] ordering continued at ${round(stallEndS)} s`);
  })();
  const total = Math.round(opts.rate * loadEnd);
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / opts.rate - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(transferOnce(i));
  }
  await stall;
  await Promise.all(pending);

  const seconds = Math.ceil(Math.max(loadEnd, ...okAt)) + 1;
  const goodputPerSecond = Array.from({ length: seconds }, () => 0);
  for (const t of okAt) goodputPerSecond[Math.floor(t)] = (goodputPerSecond[Math.floor(t)] ?? 0) + 1;
  const ledger = await validationCodes(market, heightBefore, await height(market));
  const run: StallRun = {
    mode,
    offered: total,
    committed: okAt.length,
    refusedDefinitely,
    unresolved,
    answers,
    ledger,
    goodputPerSecond,
    stallStartS: round(stallStartS),
    stallEndS: round(stallEndS),
    recoveredAfterS: recovery(goodputPerSecond, stallEndS, opts.rate, loadEnd),
    backlogClearedAfterS: unresolved === 0 ? round(lastAnswerAt - stallEndS) : null,
  };
  opts.progress(
    `[admission ${mode}] ${run.committed}/${total} committed, ${unresolved} unresolved, ledger ${JSON.stringify(ledger)}, back at the offered rate ${run.recoveredAfterS ?? 'never'} s after the stall`,
  );
  await cli('down', '--org', 'OperatorA');
  return run;
}

/**
 * The first second after the stall from which the goodput over the next 5 s is at least the offered rate
 * (within the load; a backlog clearing faster counts, since the offered work is what was asked for).
 */
function recovery(perSecond: number[], stallEnd: number, rate: number, loadEnd: number): number | null {
  for (let s = Math.ceil(stallEnd); s + 5 <= loadEnd; s++) {
    const window = perSecond.slice(s, s + 5).reduce((a, b) => a + b, 0);
    if (window >= rate * 5) return round(s - stallEnd);
  }
  return null;
}

async function height(market: BenchMarket): Promise<number> {
  const info = common.BlockchainInfo.deserializeBinary(
    await market.qscc('OperatorA').evaluateTransaction('GetChainInfo', 'market'),
  );
  return info.getHeight();
}

/** Counts the validation codes of every transaction in blocks [from, to) on OperatorA's peer. */
async function validationCodes(market: BenchMarket, from: number, to: number): Promise<Record<string, number>> {
  const names = new Map<number, string>(Object.entries(peer.TxValidationCode).map(([k, v]) => [v as number, k]));
  const counts: Record<string, number> = {};
  const qscc = market.qscc('OperatorA');
  for (let n = from; n < to; n++) {
    const block = common.Block.deserializeBinary(
      await qscc.evaluateTransaction('GetBlockByNumber', 'market', String(n)),
    );
    const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? [];
    for (const code of filter) {
      const name = names.get(code) ?? String(code);
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A Markdown report: the outcome of each mode, and the goodput in 5 s steps around the stall. */
export function renderStall(runs: StallRun[], opts: Omit<StallOptions, 'progress'>): string {
  const lines = [
    `# Goodput through a ${opts.stallS} s ordering stall (REST gateway, admission control off and on)`,
    '',
    `${opts.rate} transfers/s over ${opts.accounts} OperatorA investors (random pairs), each with its own Idempotency-Key, retried with it (after \`Retry-After\`) until a definite answer; every ordering node SIGSTOPped after ${opts.beforeS} s for ${opts.stallS} s; load for ${opts.afterS} s more, then ${DRAIN_S} s to drain.`,
    '',
    '| admission | offered | committed (2xx) | unresolved | MVCC-invalid on the ledger | valid on the ledger | back at the offered rate after the stall | last answer after the stall |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of runs) {
    const mvcc = (r.ledger.MVCC_READ_CONFLICT ?? 0) + (r.ledger.PHANTOM_READ_CONFLICT ?? 0);
    lines.push(
      `| ${r.mode} | ${r.offered} | ${r.committed} | ${r.unresolved} | ${mvcc} | ${r.ledger.VALID ?? 0} | ${r.recoveredAfterS === null ? 'never (within the load)' : `${r.recoveredAfterS} s`} | ${r.backlogClearedAfterS === null ? 'n/a' : `${r.backlogClearedAfterS} s`} |`,
    );
  }
  lines.push('', 'Goodput (2xx answers per second), averaged over 5 s from the start of the load:', '');
  const steps = Math.max(...runs.map((r) => Math.ceil(r.goodputPerSecond.length / 5)));
  lines.push(
    `| from s | ${runs.map((r) => `admission ${r.mode}`).join(' | ')} |`,
    `|---|${runs.map(() => '---').join('|')}|`,
  );
  for (let i = 0; i < steps; i++) {
    const cells = runs.map((r) => round(r.goodputPerSecond.slice(i * 5, i * 5 + 5).reduce((a, b) => a + b, 0) / 5, 1));
    const marker = runs[0] && i * 5 >= runs[0].stallStartS - 5 && i * 5 < runs[0].stallEndS ? ' (stall)' : '';
    lines.push(`| ${i * 5}${marker} | ${cells.join(' | ')} |`);
  }
  lines.push('', 'Answers by status and problem code (every attempt):', '');
  for (const r of runs) lines.push(`- admission ${r.mode}: ${JSON.stringify(r.answers)}`);
  return `${lines.join('\n')}\n`;
}
