import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import {
  activeOrderers,
  consensusLeader,
  ensureNode,
  fabricConfigDir,
  IsolatedNetwork,
  nativePlacement,
  profilePort,
  REPO_ROOT,
  runningPid,
  stopProcess,
  updateOrderingBatch,
  type NetworkContext,
  type NodeSettings,
  type OrderingBatch,
  type OrdererNode,
  type PeerNode,
} from '@ecf/network';
import { firstErrors, runStep, type StepResult } from './driver';
import { track } from './index';
import { BenchMarket, WORKLOADS } from './market';
import { cpuByComponent, networkPids } from './resources';
import { round } from './stats';

/**
 * `npm run bench -- --tuning`: one network, the W0 and W2 ladders at the baseline settings, then again after
 * each change on its own and after all of them together, so every effect is a ratio within one run on
 * this shared machine (issue 17, decision 61). Node settings take effect by restarting every peer and
 * ordering node on the edited topology; block cutting by a channel config update, undone afterwards.
 */

export interface TuningOptions {
  accounts: number;
  rates: number[];
  durationS: number;
  portShift: number;
  /** Seconds of CPU profile taken from a peer and the SmartBFT leader during the combined variant's top step. */
  profileSeconds: number;
  /** Variants to run (names); the baseline always runs first and again last. Absent: all of them. */
  variants?: string[];
  /** Called with the results so far after each variant, so that a failed run keeps what it measured. */
  checkpoint?: (r: TuningResults) => void;
  progress: (m: string) => void;
}

/** One configuration to measure: node settings over the baseline, and block cutting on `market`. */
export interface Variant {
  name: string;
  change: string;
  nodes: Partial<NodeSettings>;
  batch?: OrderingBatch;
}

/** The settings before issue 17: what every variant changes one thing of. */
export const BASELINE_NODES: NodeSettings = {
  peerLogging: 'info:gossip,discovery=warning',
  ordererLogging: 'info',
  chaincodeLogging: 'info',
  validatorPoolSize: 0,
  profile: true,
  blockCensorshipTimeout: '30s',
};
/** Block cutting before issue 17 (topology.yaml `ordering`). */
export const BASELINE_BATCH: Required<OrderingBatch> = {
  requestBatchMaxCount: 500,
  requestBatchMaxInterval: '100ms',
  maxMessageCount: 500,
};

export const VARIANTS: Variant[] = [
  { name: 'baseline', change: 'settings before issue 17', nodes: {} },
  {
    name: 'logging',
    change: 'per-call loggers at warning on peers and orderers; chaincode logging warning (now reaching the chaincode)',
    nodes: { peerLogging: 'PEER', ordererLogging: 'ORDERER', chaincodeLogging: 'warning' },
  },
  { name: 'gogc-400', change: 'GOGC=400 on peers and orderers', nodes: { gogc: 400 } },
  {
    name: 'validators-4',
    change: 'peer.validatorPoolSize 4 (default: one per CPU, 2)',
    nodes: { validatorPoolSize: 4 },
  },
  {
    name: 'batch-250ms',
    change: 'SmartBFT requestBatchMaxInterval 250 ms (was 100 ms), channel config update',
    nodes: {},
    batch: { requestBatchMaxInterval: '250ms' },
  },
  {
    name: 'censorship-10s',
    change: 'peer.deliveryclient.blockCensorshipTimeoutKey 10s (Fabric: 30s), decision 44',
    nodes: { blockCensorshipTimeout: '10s' },
  },
];

export interface VariantResult {
  name: string;
  change: string;
  settings: NodeSettings;
  batch: Required<OrderingBatch>;
  /** How the settings were read back from the running nodes. */
  checks: string[];
  steps: StepResult[];
  saturation: Record<string, number>;
}

export interface TuningResults {
  startedAt: string;
  options: Omit<TuningOptions, 'progress'>;
  variants: VariantResult[];
  profiles: Array<{ node: string; file: string; top: string }>;
}

/** Resolves the `PEER` / `ORDERER` placeholders of the logging variant to the tuned specs. */
function settingsOf(v: Variant, tuned: NodeSettings): NodeSettings {
  const merged = { ...BASELINE_NODES, ...v.nodes };
  if (merged.peerLogging === 'PEER') merged.peerLogging = tuned.peerLogging;
  if (merged.ordererLogging === 'ORDERER') merged.ordererLogging = tuned.ordererLogging;
  return merged;
}

/** The variant that combines every change of the others. */
export function combined(variants: readonly Variant[]): Variant {
  const nodes = Object.assign({}, ...variants.map((v) => v.nodes)) as Partial<NodeSettings>;
  const batch = Object.assign({}, ...variants.map((v) => v.batch ?? {})) as OrderingBatch;
  return { name: 'combined', change: 'every change above together', nodes, batch };
}

export async function runTuning(opts: TuningOptions, tuned: NodeSettings): Promise<TuningResults> {
  const { progress, checkpoint, ...options } = opts;
  const results: TuningResults = { startedAt: new Date().toISOString(), options, variants: [], profiles: [] };
  const net = new IsolatedNetwork(opts.portShift, { prefix: 'ecf-bench-' });
  const untrack = track(net);
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const profileDir = join(net.home, 'profiles');
  mkdirSync(profileDir, { recursive: true });
  const bin = await net.bin();
  const context = (): NetworkContext => ({
    topology: net.topology,
    layout: net.layout,
    bin,
    fabricConfig: fabricConfigDir(bin),
    placement: nativePlacement(net.layout),
    progress: (m) => progress(`  ${m}`),
  });
  net.editTopology((raw) => {
    raw.nodes = { ...BASELINE_NODES };
  });
  progress('bringing the network up (baseline settings, pprof on)');
  await net.cli('up');
  const market = new BenchMarket(net, opts.accounts);
  let batch = { ...BASELINE_BATCH };
  try {
    await market.setup((m) => progress(m));
    firstErrors.clear();
    // The baseline again at the end: how far the machine drifted during the run (others share it).
    const all = [
      ...VARIANTS,
      combined(VARIANTS.slice(1)),
      { ...VARIANTS[0], name: 'baseline-again' } as Variant,
    ].filter((v) => v.name.startsWith('baseline') || !opts.variants || opts.variants.includes(v.name));
    for (const [index, variant] of all.entries()) {
      const settings = settingsOf(variant, tuned);
      const wanted = { ...BASELINE_BATCH, ...variant.batch };
      progress(`${variant.name}: ${variant.change}`);
      await restartNodes(net, context, settings);
      market.close(); // fresh connections to the restarted peers
      if (JSON.stringify(wanted) !== JSON.stringify(batch)) {
        await updateOrderingBatch(context(), 'market', wanted);
        batch = wanted;
      }
      await warmUp(market);
      // After the warm-up, which starts the chaincode processes whose environment is checked too.
      const checks = await readBack(net, settings);
      for (const c of checks) progress(`  read back: ${c}`);
      const steps: StepResult[] = [];
      const last = variant.name === 'combined';
      for (const id of ['W0', 'W2']) {
        for (const rate of opts.rates) {
          const top = last && id === 'W2' && rate === opts.rates[opts.rates.length - 1];
          const profiling = top ? captureProfiles(net, opts.profileSeconds, profileDir) : undefined;
          const step = await measure(net, market, id, rate, opts.durationS, steps.length + index * 20);
          steps.push(step);
          progress(
            `  ${id} @${rate}/s: ${step.goodputTps} valid/s, p95 ${step.latencyMs.p95} ms, cpu ${step.cpuMsPerValidTx ?? '-'} ms/tx, invalid ${JSON.stringify(step.invalid)}, failed ${Object.values(step.failed).reduce((a, b) => a + b, 0)}`,
          );
          if (profiling) results.profiles.push(...(await profiling));
        }
      }
      const saturation = Object.fromEntries(
        ['W0', 'W2'].map((id) => [id, Math.max(...steps.filter((s) => s.workload === id).map((s) => s.goodputTps))]),
      );
      results.variants.push({ ...variant, settings, batch: wanted, checks, steps, saturation });
      progress(`${variant.name}: saturation W0 ${saturation.W0}, W2 ${saturation.W2}`);
      checkpoint?.(results);
    }
    // The network's folder goes with it: the profiles are kept beside the run's results.
    const kept = join('bench', 'results', `tuning-${stamp}-profiles`);
    mkdirSync(join(REPO_ROOT, kept), { recursive: true });
    for (const p of results.profiles) {
      const dest = join(kept, p.file.split('/').pop() ?? 'profile');
      copyFileSync(p.file, join(REPO_ROOT, dest));
      p.file = dest;
    }
    return results;
  } finally {
    market.close();
    await net.destroy();
    untrack();
  }
}

/** Stops every peer (their chaincode processes with them) and ordering node, and starts them on the topology's settings. */
async function restartNodes(
  net: IsolatedNetwork,
  context: () => NetworkContext,
  settings: NodeSettings,
): Promise<void> {
  net.editTopology((raw) => {
    raw.nodes = settings;
  });
  const ctx = context();
  const peers = ctx.topology.orgs.flatMap((o) => o.peers);
  const orderers = activeOrderers(ctx.topology);
  await Promise.all(peers.map((p) => stopProcess(net.layout, p.id)));
  await Promise.all(orderers.map((o) => stopProcess(net.layout, o.id)));
  await Promise.all(orderers.map((o) => ensureNode(ctx, o)));
  await Promise.all(peers.map((p) => ensureNode(ctx, p)));
}

/** Transfers and no-ops until both commit: chaincode processes start on first use after a restart. */
async function warmUp(market: BenchMarket): Promise<void> {
  for (let attempt = 1; attempt <= 20; attempt++) {
    const results = await Promise.all(
      ['W0', 'W2'].map((id) => {
        const w = WORKLOADS.find((x) => x.id === id);
        if (!w) throw new Error(`no workload ${id}`);
        return runStep(`${id}-warmup`, 10, 2, (i) => w.next(market, 900_000 + attempt * 100 + i));
      }),
    );
    if (results.every((r) => r.valid === r.submitted)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the network did not commit W0 and W2 after the restart');
}

async function measure(
  net: IsolatedNetwork,
  market: BenchMarket,
  id: string,
  rate: number,
  durationS: number,
  stepIndex: number,
): Promise<StepResult> {
  const workload = WORKLOADS.find((w) => w.id === id);
  if (!workload) throw new Error(`unknown workload ${id}`);
  const before = cpuByComponent(networkPids(net.layout));
  const result = await runStep(id, rate, durationS, (i) => workload.next(market, stepIndex * 100_000 + i));
  const after = cpuByComponent(networkPids(net.layout));
  const spent = Object.fromEntries(
    Object.entries(after).map(([k, v]) => [k, Math.max(0, v - before[k as keyof typeof before])]),
  );
  const cpu = Object.values(spent).reduce((a, b) => a + b, 0);
  if (result.valid > 0) {
    result.cpuMsPerValidTx = round(cpu / result.valid, 2);
    result.cpuMsPerValidTxByComponent = Object.fromEntries(
      Object.entries(spent)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => [k, round(v / result.valid, 2)]),
    );
  }
  return result;
}

function httpGet(host: string, port: number, path: string, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${path}: ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: timeout`)));
    req.on('error', reject);
  });
}

/**
 * Reads each setting back from the running nodes, never from what was asked: the log spec from the
 * operations endpoint, GOGC and the chaincode log level from the processes' environment, pprof by asking
 * it, the gossip keys from the peer's start-up log (it says when blockGossipEnabled is missing).
 */
async function readBack(net: IsolatedNetwork, s: NodeSettings): Promise<string[]> {
  const peer = net.org('Trustee').peers[0] as PeerNode;
  const orderer = net.org('Regulator').orderers[0] as OrdererNode;
  const checks: string[] = [];
  for (const node of [peer, orderer]) {
    const spec = JSON.parse((await httpGet('127.0.0.1', node.operationsPort, '/logspec', 2000)).toString()) as {
      spec: string;
    };
    const pid = runningPid(net.layout, node.id);
    const env = pid === undefined ? '' : readEnviron(pid);
    const gogc = /(^|\0)GOGC=(\d+)/.exec(env)?.[2] ?? 'unset';
    const pprof = await httpGet('127.0.0.1', profilePort(node), '/debug/pprof/', 2000)
      .then(() => 'answers')
      .catch(() => 'off');
    checks.push(`${node.id}: logspec ${spec.spec}; GOGC ${gogc}; pprof ${pprof}`);
    if (normalLogSpec(spec.spec) !== normalLogSpec(node.kind === 'peer' ? s.peerLogging : s.ordererLogging)) {
      throw new Error(`${node.id} runs with log spec ${spec.spec}, not the one configured`);
    }
    if (gogc !== (s.gogc === undefined ? 'unset' : String(s.gogc)))
      throw new Error(`${node.id} runs with GOGC ${gogc}`);
  }
  const chaincodeLevels = new Set<string>();
  for (const pid of networkPids(net.layout)) {
    const env = readEnviron(pid);
    if (env.includes('CORE_CHAINCODE_ID_NAME=')) {
      chaincodeLevels.add(/(^|\0)CORE_CHAINCODE_LOGGING_LEVEL=([a-z]+)/.exec(env)?.[2] ?? 'unset');
    }
  }
  checks.push(
    `chaincode processes' CORE_CHAINCODE_LOGGING_LEVEL: ${[...chaincodeLevels].join(', ') || '(none running yet)'}`,
  );
  const log = readFileSync(net.layout.logFile(peer.id), 'utf8');
  checks.push(
    `${peer.id}: ${log.includes('blockGossipEnabled is not set') ? 'block gossip ON (key missing)' : 'blockGossipEnabled set (blocks from the orderers)'}`,
  );
  // The peer prints its configuration at start; the last print is the running one.
  const censorship = [...log.matchAll(/blockcensorshiptimeoutkey: (\S+)/gi)].pop()?.[1];
  checks.push(`${peer.id}: blockCensorshipTimeoutKey ${censorship ?? '(not in its start-up log)'}`);
  if (censorship !== undefined && censorship !== s.blockCensorshipTimeout)
    throw new Error(`${peer.id} runs with blockCensorshipTimeoutKey ${censorship}`);
  return checks;
}

/** A FABRIC_LOGGING_SPEC as Fabric reports it back: one term per logger, `warn` for `warning`, in order. */
export function normalLogSpec(spec: string): string {
  const level = (l: string) => (l.toLowerCase() === 'warning' ? 'warn' : l.toLowerCase());
  return spec
    .split(':')
    .flatMap((term) => {
      const [loggers, lvl] = term.split('=');
      return lvl === undefined ? [level(term)] : (loggers ?? '').split(',').map((l) => `${l}=${level(lvl)}`);
    })
    .sort()
    .join(':');
}

function readEnviron(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Takes CPU profiles of the Trustee's peer (it endorses every transaction and validates every block) and of
 * the SmartBFT leader of `market` at the same time, and summarises each with `go tool pprof -top`.
 */
async function captureProfiles(
  net: IsolatedNetwork,
  seconds: number,
  dir: string,
): Promise<Array<{ node: string; file: string; top: string }>> {
  const leader = await consensusLeader(net.topology, 'market');
  const nodes: Array<PeerNode | OrdererNode> = [net.org('Trustee').peers[0] as PeerNode];
  nodes.push(leader?.node ?? (net.org('Regulator').orderers[0] as OrdererNode));
  return Promise.all(
    nodes.map(async (node) => {
      const body = await httpGet(
        '127.0.0.1',
        profilePort(node),
        `/debug/pprof/profile?seconds=${seconds}`,
        (seconds + 30) * 1000,
      );
      const file = join(dir, `${node.id}.cpu.pb.gz`);
      writeFileSync(file, body);
      return { node: node.id, file, top: await pprofTop(file) };
    }),
  );
}

function goBinary(): string {
  for (const p of ['/usr/local/go/bin/go', join(process.env.HOME ?? '', 'go', 'bin', 'go')])
    if (existsSync(p)) return p;
  return 'go';
}

function pprofTop(file: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      goBinary(),
      ['tool', 'pprof', '-top', '-nodecount=30', file],
      { maxBuffer: 8 * 1024 * 1024 },
      (err, stdout, stderr) => resolve(err ? `go tool pprof failed: ${stderr || err.message}` : stdout),
    );
  });
}

/** The same-run table: each variant's saturation and its ratio to the baseline. */
export function renderTuning(r: TuningResults): string {
  const base = r.variants[0];
  const ratio = (v: number, b: number | undefined) => (b ? (v / b).toFixed(2) : '-');
  // The lowest rate of the ladder: below saturation, where latency and CPU per transaction are comparable.
  const lowest = (v: VariantResult, id: string) => v.steps.find((s) => s.workload === id);
  const lines = [
    `# Tuning run ${r.startedAt}`,
    '',
    `${r.options.accounts} accounts; ladder ${r.options.rates.join(', ')} tx/s; ${r.options.durationS} s per step; BFT, 4 orgs; one network.`,
    '',
    `| variant | change | W0 sat. | × base | W2 sat. | × base | W2/W0 | W2 p95 @${r.options.rates[0]}/s | W2 CPU ms/tx @${r.options.rates[0]}/s |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...r.variants.map(
      (v) =>
        `| ${v.name} | ${v.change} | ${v.saturation.W0} | ${ratio(v.saturation.W0 ?? 0, base?.saturation.W0)} | ${v.saturation.W2} | ${ratio(v.saturation.W2 ?? 0, base?.saturation.W2)} | ${ratio(v.saturation.W2 ?? 0, v.saturation.W0)} | ${lowest(v, 'W2')?.latencyMs.p95 ?? '-'} ms | ${lowest(v, 'W2')?.cpuMsPerValidTx ?? '-'} |`,
    ),
    '',
    '## Steps',
    '',
    '| variant | workload | offered | valid/s | p50 | p95 | CPU ms/tx | peer | chaincode | orderer | invalid | failed |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.variants.flatMap((v) =>
      v.steps.map((s) => {
        const c = s.cpuMsPerValidTxByComponent ?? {};
        return `| ${v.name} | ${s.workload} | ${s.offeredTps} | ${s.goodputTps} | ${s.latencyMs.p50} | ${s.latencyMs.p95} | ${s.cpuMsPerValidTx ?? '-'} | ${c.peer ?? '-'} | ${c.chaincode ?? '-'} | ${c.orderer ?? '-'} | ${JSON.stringify(s.invalid)} | ${Object.values(s.failed).reduce((a, b) => a + b, 0)} |`;
      }),
    ),
    '',
    '## Settings read back from the nodes',
    '',
    ...r.variants.flatMap((v) => [`- ${v.name}:`, ...v.checks.map((c) => `  - ${c}`)]),
    '',
    '## CPU profiles (go tool pprof -top), W2 at the top rate of the last variant',
    '',
    ...r.profiles.flatMap((p) => [`### ${p.node} (${p.file})`, '', '```', p.top.trim(), '```', '']),
  ];
  return lines.join('\n') + '\n';
}
