/* global require, module, process, __dirname, console */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run with node, no build step */
'use strict';

/**
 * Runs Hyperledger Caliper 0.6.0 (peer-gateway connector, @hyperledger/fabric-gateway binding) on W0 and W2:
 *
 *   1. brings up an isolated network (port shift 16000) or uses a running one (--home/--topology),
 *   2. builds the W2 market with bench/dist's BenchMarket (participants, token, onboarded and funded accounts),
 *   3. writes Caliper's network config and benchmark config from the network layout,
 *   4. runs `caliper launch manager`, writes the HTML report and a Markdown summary to bench/results/,
 *   5. takes the network down again (also on failure or Ctrl-C), unless it was given one.
 *
 * Usage: node bench/caliper/run.js [--rates 50,100] [--duration 20] [--accounts 1000] [--workers 1]
 *          [--workloads W0,W2] [--pick uniform|roundrobin] [--port-shift 16000] [--consensus bft|raft]
 *          [--home DIR --topology FILE [--crypto DIR]]   (use a running network instead of starting one;
 *          for `npm start`'s network: --home .fabric --crypto crypto-config --topology network/topology.yaml)
 */
const { spawn } = require('node:child_process');
const { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir, totalmem } = require('node:os');
const { join, resolve } = require('node:path');
const { stringify } = require('yaml');

const HERE = __dirname;
const REPO = resolve(HERE, '..', '..');
const RESULTS = join(REPO, 'bench', 'results');
const CALIPER = join(HERE, 'node_modules', '.bin', 'caliper');

function parseArgs(argv) {
  const opts = {
    rates: [50, 100],
    duration: 20,
    accounts: 1000,
    workers: 1,
    workloads: ['W0', 'W2'],
    pick: 'uniform',
    portShift: 16000,
    consensus: 'bft',
    home: undefined,
    crypto: undefined,
    topology: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--rates':
        opts.rates = value().split(',').map(Number);
        break;
      case '--duration':
        opts.duration = Number(value());
        break;
      case '--accounts':
        opts.accounts = Number(value());
        break;
      case '--workers':
        opts.workers = Number(value());
        break;
      case '--workloads':
        opts.workloads = value().split(',');
        break;
      case '--pick':
        opts.pick = value();
        break;
      case '--port-shift':
        opts.portShift = Number(value());
        break;
      case '--consensus':
        opts.consensus = value();
        break;
      case '--home':
        opts.home = resolve(value());
        break;
      case '--crypto':
        opts.crypto = resolve(value());
        break;
      case '--topology':
        opts.topology = resolve(value());
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  if (opts.rates.some((r) => !(r > 0))) throw new Error('--rates: positive numbers, comma separated');
  if (!(opts.duration > 0) || !(opts.accounts >= 2) || !(opts.workers >= 1))
    throw new Error('bad --duration/--accounts/--workers');
  if (!['uniform', 'roundrobin'].includes(opts.pick)) throw new Error('--pick: uniform or roundrobin');
  if (opts.workloads.some((w) => w !== 'W0' && w !== 'W2')) throw new Error('--workloads: W0 and/or W2');
  if (Boolean(opts.home) !== Boolean(opts.topology)) throw new Error('--home and --topology go together');
  return opts;
}

const log = (m) => console.log(`[caliper-run ${new Date().toISOString().slice(11, 19)}] ${m}`);

/** Caliper's network config (version 2.0): OperatorA's gateway identity, submitting through OperatorA's peer. */
function networkConfig(layout, org, identityName) {
  const peer = org.peers[0];
  if (!peer) throw new Error(`${org.name} has no peer`);
  const msp = join(layout.identity(org.slug, identityName), 'msp');
  return {
    name: 'ecf-market',
    version: '2.0.0',
    caliper: { blockchain: 'fabric', sutOptions: { mutualTls: false } },
    channels: [{ channelName: 'market', contracts: [{ id: 'market' }] }],
    organizations: [
      {
        mspid: org.mspId,
        identities: {
          certificates: [
            {
              name: identityName,
              clientPrivateKey: { path: join(msp, 'keystore', 'key.pem') },
              clientSignedCert: { path: join(msp, 'signcerts', 'cert.pem') },
            },
          ],
        },
        // Equivalent to a connection profile with this one peer and discovery on (what the peer gateway does anyway).
        peers: [
          {
            endpoint: `127.0.0.1:${peer.port}`,
            tlsCACerts: { path: layout.tlsCaCert(org.slug) },
            grpcOptions: { 'ssl-target-name-override': peer.hostname },
          },
        ],
      },
    ],
  };
}

function benchmarkConfig(opts, accountsFile) {
  const rounds = [];
  const common = { invokerMspId: 'OperatorAMSP', invokerIdentity: 'gateway', contractId: 'market' };
  for (const w of opts.workloads) {
    for (const tps of opts.rates) {
      rounds.push({
        label: `${w}@${tps}tps`,
        description:
          w === 'W0'
            ? 'W0: System:Noop, a no-op write (raw Fabric baseline)'
            : `W2: Transfers:Transfer between ${opts.accounts} accounts (${opts.pick} pick), transient payload`,
        txDuration: opts.duration,
        rateControl: { type: 'fixed-rate', opts: { tps } },
        workload:
          w === 'W0'
            ? { module: 'workloads/noop.js', arguments: common }
            : { module: 'workloads/transfer.js', arguments: { ...common, accountsFile, pick: opts.pick, amount: '1' } },
      });
    }
  }
  return {
    test: {
      name: 'ecf-market',
      description: 'W0 and W2 of bench/src/market.ts, driven by Caliper 0.6.0 (peer-gateway connector)',
      workers: { number: opts.workers },
      rounds,
    },
  };
}

/** Rows of Caliper's result tables (the last table printed per round label wins: the final summary). */
function parseResults(output, labels) {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const rows = new Map();
  for (const line of plain.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length >= 8 && labels.includes(cells[0])) {
      const [name, succ, fail, sendTps, maxLat, minLat, avgLat, tput] = cells;
      rows.set(name, { name, succ, fail, sendTps, maxLat, minLat, avgLat, tput });
    }
  }
  // Why transactions failed, per round: the peer-gateway connector logs each failure with the validation code.
  const failures = new Map();
  let round;
  for (const line of plain.split('\n')) {
    const started = /Started round \d+ \((.+?)\)/.exec(line);
    if (started) round = started[1];
    const code = /status code: (\d+)/.exec(line);
    const other = /Failed to perform submit transaction/.test(line) && !code;
    if (round && (code || other)) {
      const key = code ? `validation code ${code[1]}` : 'endorse/submit error';
      const m = failures.get(round) ?? {};
      m[key] = (m[key] ?? 0) + 1;
      failures.set(round, m);
    }
  }
  return { rows, failures };
}

/** Fabric's TxValidationCode names of the codes seen in practice. */
const CODE_NAMES = { 10: 'ENDORSEMENT_POLICY_FAILURE', 11: 'MVCC_READ_CONFLICT', 12: 'PHANTOM_READ_CONFLICT' };

function summaryMarkdown(opts, stamp, command, parsed, labels, reportFile, upSeconds) {
  const lines = [
    `# Caliper run ${stamp}`,
    '',
    `Hyperledger Caliper 0.6.0, peer-gateway connector (@hyperledger/fabric-gateway 1.5.0), ${opts.workers} worker(s), ` +
      `fixed-rate rounds of ${opts.duration} s. Network: ${opts.home ? `existing (${opts.topology})` : `isolated, port shift ${opts.portShift}`}, ` +
      `${opts.consensus}${upSeconds !== undefined ? `, up in ${upSeconds} s` : ''}. W2: ${opts.accounts} accounts, ${opts.pick} pick. ` +
      `Machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB.`,
    '',
    `Command: \`${command}\``,
    '',
    `Caliper report: [${reportFile}](${reportFile})`,
    '',
    '| Round | Succ | Fail | Send rate (TPS) | Throughput (TPS) | Goodput (succ/s) | Avg latency (s) | Min latency (s) | Max latency (s) | Failures |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const label of labels) {
    const r = parsed.rows.get(label);
    const f = parsed.failures.get(label) ?? {};
    const why =
      Object.entries(f)
        .map(([k, n]) => {
          const code = /validation code (\d+)/.exec(k);
          return `${code ? (CODE_NAMES[code[1]] ?? k) : k}: ${n}`;
        })
        .join(', ') || '-';
    // Caliper's throughput counts failed transactions too: goodput is the successful share of it.
    const finished = Number(r?.succ) + Number(r?.fail);
    const goodput = finished > 0 ? ((Number(r.tput) * Number(r.succ)) / finished).toFixed(1) : '-';
    lines.push(
      r
        ? `| ${label} | ${r.succ} | ${r.fail} | ${r.sendTps} | ${r.tput} | ${goodput} | ${r.avgLat} | ${r.minLat} | ${r.maxLat} | ${why} |`
        : `| ${label} | (no result) | | | | | | | | ${why} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

function runCaliper(args, logFile) {
  return new Promise((resolvePromise, reject) => {
    const out = createWriteStream(logFile);
    let output = '';
    // isolate.js keeps Caliper (manager and forked workers) to bench/caliper/node_modules.
    const preload = `--require ${JSON.stringify(join(HERE, 'isolate.js'))}`;
    const env = { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ') };
    const child = spawn(CALIPER, args, { cwd: HERE, env, stdio: ['ignore', 'pipe', 'pipe'] });
    active.caliper = child;
    const take = (chunk) => {
      output += chunk.toString();
      out.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      active.caliper = undefined;
      out.end();
      resolvePromise({ code, output });
    });
  });
}

const active = { net: undefined, caliper: undefined };

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { IsolatedNetwork, Layout, loadTopology } = require('@ecf/network');
  const { BenchMarket, TOKEN } = require(join(REPO, 'bench', 'dist', 'market.js'));

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const work = mkdtempSync(join(tmpdir(), 'ecf-caliper-run-'));
  mkdirSync(RESULTS, { recursive: true });

  let target;
  let upSeconds;
  if (opts.home) {
    const topology = loadTopology(opts.topology);
    const layout = new Layout(opts.home, opts.crypto);
    opts.consensus = topology.consensus ?? opts.consensus;
    target = {
      layout,
      topology,
      org: (name) => {
        const o = topology.orgs.find((x) => x.name === name);
        if (!o) throw new Error(`no org ${name}`);
        return o;
      },
    };
    log(`using the running network at ${opts.home}`);
  } else {
    const net = new IsolatedNetwork(opts.portShift, { consensus: opts.consensus, prefix: 'ecf-caliper-' });
    active.net = net;
    log(`bringing up an isolated ${opts.consensus} network in ${net.home} (port shift ${opts.portShift})`);
    const t0 = Date.now();
    await net.cli('up');
    upSeconds = Math.round((Date.now() - t0) / 1000);
    log(`network up in ${upSeconds} s`);
    target = net;
  }

  if (opts.workloads.includes('W2')) {
    const market = new BenchMarket(target, opts.accounts);
    try {
      const t0 = Date.now();
      await market.setup((m) => log(`setup: ${m}`));
      log(`market set up in ${Math.round((Date.now() - t0) / 1000)} s`);
    } finally {
      market.close();
    }
    writeFileSync(join(work, 'accounts.json'), JSON.stringify({ assetId: TOKEN, accounts: market.accounts }));
  }

  const networkFile = join(work, 'network.yaml');
  const benchFile = join(work, 'benchmark.yaml');
  writeFileSync(networkFile, stringify(networkConfig(target.layout, target.org('OperatorA'), 'gateway')));
  const bench = benchmarkConfig(opts, join(work, 'accounts.json'));
  writeFileSync(benchFile, stringify(bench));
  const labels = bench.test.rounds.map((r) => r.label);

  const reportName = `caliper-${stamp}.html`;
  const args = [
    'launch',
    'manager',
    '--caliper-workspace',
    HERE,
    '--caliper-networkconfig',
    networkFile,
    '--caliper-benchconfig',
    benchFile,
    '--caliper-report-path',
    join(RESULTS, reportName),
    '--caliper-flow-only-test',
  ];
  log(`caliper ${args.join(' ')}`);
  // Kept next to the report; *.log is git-ignored at the root.
  const logFile = join(RESULTS, `caliper-${stamp}.log`);
  const { code, output } = await runCaliper(args, logFile);
  const parsed = parseResults(output, labels);
  const command = `bash bench/caliper/run.sh ${process.argv.slice(2).join(' ')}`.trim();
  const md = summaryMarkdown(opts, stamp, command, parsed, labels, reportName, upSeconds);
  writeFileSync(join(RESULTS, `caliper-${stamp}.md`), md);
  console.log(md);
  rmSync(work, { recursive: true, force: true });
  if (code !== 0) throw new Error(`caliper exited with ${code}; its log: ${logFile}`);
}

async function cleanup() {
  if (active.caliper) active.caliper.kill('SIGTERM');
  if (active.net) {
    log('taking the network down');
    const net = active.net;
    active.net = undefined;
    await net.destroy();
  }
}

if (require.main === module) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      log(`${signal}: stopping`);
      cleanup().finally(() => process.exit(130));
    });
  }

  main()
    .then(cleanup)
    .catch(async (err) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      await cleanup();
      process.exitCode = 1;
    });
}

module.exports = { parseResults, summaryMarkdown, networkConfig, benchmarkConfig };
