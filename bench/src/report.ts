import { createCanvas } from '@napi-rs/canvas';
import { dividendRows, dividendTarget } from './dividend';
import type { StepResult } from './driver';
import { gatewayCostRows } from './gateway-cost';
import type { BenchResults, MatchResult } from './index';
import { latencyRows, latencyTable, P95_TARGET_MS } from './latency';
import { scaleRows } from './scale';
import { round } from './stats';

export interface Summary {
  saturation: Record<string, number>;
  p95AtHalfLoadMs: Record<string, number>;
  ratios: Record<string, number | string>;
  targets: Array<{ target: string; measured: string; met: boolean | null }>;
}

const sat = (steps: readonly StepResult[], id: string) =>
  Math.max(0, ...steps.filter((s) => s.workload === id).map((s) => s.goodputTps));
const mvcc = (steps: readonly StepResult[], id: string) =>
  steps
    .filter((s) => s.workload === id)
    .reduce((n, s) => n + (s.invalid.MVCC_READ_CONFLICT ?? 0) + (s.invalid.PHANTOM_READ_CONFLICT ?? 0), 0);

export function summarize(r: BenchResults): Summary {
  const bft = r.consensus.bft;
  const steps = bft?.steps ?? [];
  const saturation: Record<string, number> = {};
  for (const id of new Set(steps.map((s) => s.workload))) saturation[id] = sat(steps, id);
  const p95AtHalfLoadMs: Record<string, number> = {};
  for (const s of bft?.halfLoad ?? []) p95AtHalfLoadMs[s.workload] = s.latencyMs.p95;
  const ratio = (a?: number, b?: number) => (a !== undefined && b ? round(a / b, 2) : 'n/a');
  const raftW2 = r.consensus.raft ? sat(r.consensus.raft.steps, 'W2') : undefined;
  const ratios: Record<string, number | string> = {
    'W2/W0': ratio(saturation.W2, saturation.W0),
    'W3/W2': ratio(saturation.W3, saturation.W2),
    'W7/W2': 'n/a: every holding is private data in this design, so W2 already is W7',
    'W8/W2': ratio(saturation.W8, saturation.W2),
    'BFT/Raft (W2)': ratio(saturation.W2, raftW2),
  };
  const w2 = saturation.W2;
  const w6 = r.consensus.bft?.matching?.fillsPerSecond;
  const targets = [
    {
      target: 'W2 ≥ 150 valid tx/s (BFT, 4 orgs)',
      measured: `${w2 ?? 'n/a'} tx/s`,
      met: w2 === undefined ? null : w2 >= 150,
    },
    ...latencyRows(r)
      .filter((row) => row.consensus === 'bft')
      .map((row) => ({
        target: `${row.workload} p95 < ${P95_TARGET_MS} ms at half saturation`,
        measured: row.p95 === undefined ? `n/a (${row.note ?? 'not measured'})` : `${row.p95} ms`,
        met: row.p95 === undefined || !Number.isFinite(row.p95) ? null : row.p95 < P95_TARGET_MS,
      })),
    {
      target: 'W2/W0 ≥ 0.8',
      measured: String(ratios['W2/W0']),
      met: typeof ratios['W2/W0'] === 'number' ? ratios['W2/W0'] >= 0.8 : null,
    },
    {
      target: 'W8/W2 ≥ 0.9',
      measured: String(ratios['W8/W2']),
      met: typeof ratios['W8/W2'] === 'number' ? ratios['W8/W2'] >= 0.9 : null,
    },
    {
      target: 'W3/W2 ≥ 0.9',
      measured: String(ratios['W3/W2']),
      met: typeof ratios['W3/W2'] === 'number' ? ratios['W3/W2'] >= 0.9 : null,
    },
    {
      target: 'W6 ≥ 100 fills/s (indexed matching)',
      measured: `${w6 ?? 'n/a'} fills/s`,
      met: w6 === undefined ? null : w6 >= 100,
    },
    ...(bft?.campaignClose ?? [])
      .filter((c) => c.pledges >= 10_000)
      .map((c) => ({
        target: `W9: 10,000 pledges settled in < 60 s (batch ${c.batchSize})`,
        measured: `${c.pledges} pledges in ${c.seconds} s, ${c.transactions} transactions`,
        met: c.seconds < 60 && c.exact === true && c.supplyConsistent.money && c.supplyConsistent.units,
      })),
    ...['W1', 'W2', 'W4', 'W5'].map((id) => ({
      target: `zero MVCC invalidations in ${id}`,
      measured: saturation[id] === undefined ? 'n/a' : String(mvcc(steps, id)),
      met: saturation[id] === undefined ? null : mvcc(steps, id) === 0,
    })),
    dividendTarget(bft?.dividend),
  ];
  return { saturation, p95AtHalfLoadMs, ratios, targets };
}

export function renderMarkdown(r: BenchResults): string {
  const s = summarize(r);
  const lines: string[] = [];
  lines.push(`# Benchmark ${r.startedAt}`, '');
  lines.push(
    `Machine: ${r.machine.cpus} cores, ${r.machine.memoryGiB} GiB. Accounts: ${r.options.accounts}. Step length: ${r.options.durationS} s.`,
    '',
  );
  lines.push(
    '## Summary (BFT)',
    '',
    '| workload | saturation goodput (valid tx/s) | p95 at half saturation (ms) |',
    '|---|---|---|',
  );
  for (const [id, v] of Object.entries(s.saturation))
    lines.push(`| ${id} | ${v} | ${s.p95AtHalfLoadMs[id] ?? 'n/a'} |`);
  const m = r.consensus.bft?.matching;
  lines.push(...dividendRows(r.consensus.bft?.dividend));
  if (m) lines.push(...matchingRows(m));
  for (const c of r.consensus.bft?.campaignClose ?? [])
    lines.push(
      `| W9 campaign close | ${c.pledgesPerSecond} pledges/s (${c.pledges} pledges in ${c.seconds} s, ${c.transactions} Settle of batch ${c.batchSize}; exact ${c.exact}, supply ${c.supplyConsistent.money && c.supplyConsistent.units}) | |`,
    );
  lines.push('', '## Ratios', '', '| ratio | value |', '|---|---|');
  for (const [k, v] of Object.entries(s.ratios)) lines.push(`| ${k} | ${v} |`);
  lines.push('', '## Targets', '', '| target | measured | met |', '|---|---|---|');
  for (const t of s.targets)
    lines.push(`| ${t.target} | ${t.measured} | ${t.met === null ? 'not measured' : t.met ? 'yes' : '**no**'} |`);
  lines.push(...latencyTable(r));
  lines.push(...gatewayCostRows(r.consensus.bft?.gatewayModes, r.consensus.bft?.steps ?? []));
  lines.push(...scaleRows(r.consensus.bft?.scale));
  for (const [consensus, run] of Object.entries(r.consensus)) {
    lines.push('', `## Steps (${consensus}; network up in ${run.upSeconds} s, idle RSS ${run.idleRssMiB} MiB)`, '');
    lines.push(
      '| workload | offered/s | valid/s | p50 | p95 | p99 | endorse p95 | submit p95 | commit p95 | invalid | failed | CPU ms/valid tx | peak RSS MiB |',
    );
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const st of [...run.steps, ...run.halfLoad.map((h) => ({ ...h, workload: `${h.workload} (half)` }))]) {
      const failed = Object.values(st.failed).reduce((a, b) => a + b, 0);
      lines.push(
        `| ${st.workload} | ${st.offeredTps} | ${st.goodputTps} | ${st.latencyMs.p50} | ${st.latencyMs.p95} | ${st.latencyMs.p99} | ${st.endorseMs?.p95 ?? 'n/a'} | ${st.submitMs?.p95 ?? 'n/a'} | ${st.commitMs?.p95 ?? 'n/a'} | ${JSON.stringify(st.invalid)} | ${failed} | ${st.cpuMsPerValidTx ?? 'n/a'} | ${st.peakRssMiB ?? 'n/a'} |`,
      );
    }
    // Where the CPU goes at half saturation: endorsement and validation (signature checks) in the peers,
    // contract logic in the chaincode processes, ordering and block cutting in the orderers.
    const components = ['peer', 'chaincode', 'orderer', 'ca', 'gateway'];
    lines.push('', `### CPU ms per valid transaction by component, at half saturation (${consensus})`, '');
    lines.push(`| workload | ${components.join(' | ')} |`, `|---|${components.map(() => '---').join('|')}|`);
    for (const h of run.halfLoad) {
      const by = h.cpuMsPerValidTxByComponent ?? {};
      lines.push(`| ${h.workload} | ${components.map((c) => by[c] ?? '–').join(' | ')} |`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

/** Goodput and p95 latency against offered load, one line per workload (BFT), as a PNG. */
export function renderChart(r: BenchResults): Buffer {
  const bft = r.consensus.bft;
  const steps = [...(bft?.steps ?? []), ...(bft?.halfLoad ?? [])].sort((a, b) => a.offeredTps - b.offeredTps);
  const ids = [...new Set(steps.map((s) => s.workload))];
  const width = 1000;
  const height = 480;
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, width, height);
  const colours = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d'];
  const panels = [
    { title: 'goodput (valid tx/s) vs offered load', x0: 60, value: (s: StepResult) => s.goodputTps },
    { title: 'p95 latency (ms) vs offered load', x0: 560, value: (s: StepResult) => s.latencyMs.p95 },
  ];
  const maxX = Math.max(1, ...steps.map((s) => s.offeredTps));
  for (const panel of panels) {
    const w = 400;
    const h = 340;
    const top = 60;
    const maxY = Math.max(1, ...steps.map((s) => (Number.isFinite(panel.value(s)) ? panel.value(s) : 0)));
    g.strokeStyle = '#333333';
    g.strokeRect(panel.x0, top, w, h);
    g.fillStyle = '#000000';
    g.font = '14px DejaVu Sans';
    g.fillText(panel.title, panel.x0, top - 12);
    g.font = '11px DejaVu Sans';
    g.fillText(`0`, panel.x0 - 12, top + h + 14);
    g.fillText(`${maxX}/s`, panel.x0 + w - 30, top + h + 14);
    g.fillText(`${round(maxY)}`, panel.x0 - 50, top + 10);
    ids.forEach((id, k) => {
      const pts = steps.filter((s) => s.workload === id && Number.isFinite(panel.value(s)));
      g.strokeStyle = colours[k % colours.length] as string;
      g.fillStyle = g.strokeStyle;
      g.lineWidth = 2;
      g.beginPath();
      pts.forEach((s, j) => {
        const x = panel.x0 + (s.offeredTps / maxX) * w;
        const y = top + h - (panel.value(s) / maxY) * h;
        if (j === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      });
      g.stroke();
      for (const s of pts) {
        g.beginPath();
        g.arc(panel.x0 + (s.offeredTps / maxX) * w, top + h - (panel.value(s) / maxY) * h, 3.5, 0, 2 * Math.PI);
        g.fill();
      }
      g.fillText(id, panel.x0 + 10 + k * 45, top + h + 34);
    });
  }
  return canvas.toBuffer('image/png');
}

/** W6's rows: the indexed drain, the whole-book Match before it, the deeper book, a crossing order's latency. */
function matchingRows(m: MatchResult): string[] {
  const latency = (resting: number) => m.latency.find((l) => l.resting === resting);
  return [
    `| W6 matching (indexed, decision 58) | ${m.fillsPerSecond} fills/s (${m.fills - m.wholeBook.fills} fills in ${m.calls} Match calls) | crossing order placed → filled: ${latency(0)?.medianMs ?? 'n/a'} ms (median of ${latency(0)?.samplesMs.length ?? 0}) |`,
    `| W6 first Match (whole book, the engine before decision 58) | ${m.wholeBook.fillsPerSecond} fills/s (${m.wholeBook.fills} fills in ${m.wholeBook.seconds} s) | |`,
    `| W6 with ${m.deep.resting} resting orders | ${m.deep.fillsPerSecond} fills/s (${m.deep.fills} fills in ${m.deep.calls} Match calls) | crossing order placed → filled: ${latency(m.deep.resting)?.medianMs ?? 'n/a'} ms |`,
  ];
}
