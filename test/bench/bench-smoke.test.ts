import { expect } from 'chai';
import { renderChart, renderMarkdown, runBench, summarize, type Results } from '@ecf/bench';

/**
 * The benchmark harness, end to end on a real network for a few seconds per workload. It proves the
 * harness works and accounts for every transaction; it asserts no figure (speed is reported by
 * `npm run bench`, never asserted in tests).
 */
describe('benchmark harness (smoke run on the real network)', function () {
  this.timeout(600_000);
  let results: Results;

  before(async () => {
    results = await runBench({
      accounts: 40,
      rates: [8],
      durationS: 2,
      workloads: ['W0', 'W1', 'W2', 'W8', 'W3', 'W4', 'W5', 'W6', 'W9', 'W10'],
      raft: false,
      matchPairs: 10,
      dividendBatches: [15],
      w9: { pledges: 12, batchSizes: [5] },
      portShift: Number(process.env.ECF_TEST_PORT_SHIFT ?? 14_000),
      gatewayModes: ['before', 'after'],
      growTo: [80],
      progress: () => undefined,
    });
  });

  it('runs every workload and accounts for every submitted transaction as valid, invalid or failed', () => {
    const run = results.consensus.bft;
    expect(run, 'a BFT run').to.not.equal(undefined);
    const steps = [...(run?.steps ?? []), ...(run?.halfLoad ?? [])];
    expect([...new Set(steps.map((s) => s.workload))].sort()).to.deep.equal(['W0', 'W1', 'W2', 'W3', 'W4', 'W5', 'W8']);
    for (const s of steps) {
      const invalid = Object.values(s.invalid).reduce((a, b) => a + b, 0);
      const failed = Object.values(s.failed).reduce((a, b) => a + b, 0);
      expect(s.valid + invalid + failed, `${s.workload}@${s.offeredTps}`).to.equal(s.submitted);
      expect(s.valid, `${s.workload} committed something`).to.be.greaterThan(0);
      // Through the REST gateway (W8) the client sees only the total; the gateway drives the phases.
      const phases = s.workload === 'W8' ? [] : [s.endorseMs?.p95, s.submitMs?.p95, s.commitMs?.p95];
      for (const v of [s.goodputTps, s.latencyMs.p50, s.latencyMs.p95, ...phases]) {
        expect(Number.isFinite(v)).to.equal(true);
      }
      expect(s.peakRssMiB).to.be.greaterThan(0);
    }
    expect(run?.matching?.fills).to.equal(10);
    // W10: a dividend to the 40 accounts in batches of 15; the issuer's account is walked too (41 accounts).
    const [dividend] = run?.dividend ?? [];
    expect(dividend).to.include({ holders: 40, batch: 15, accountsWalked: 41, supplyConsistent: true });
    expect(dividend?.transactions).to.be.within(1, 3);
    expect(dividend?.holdersPerSecond).to.be.greaterThan(0);
    // W6 again with resting orders that never cross, and one crossing order at a time on each book.
    expect(run?.matching?.deep.fills).to.equal(10);
    expect(run?.matching?.latency.map((l) => l.samplesMs.length)).to.deep.equal([3, 3]);
    // W9: the campaign closed, every pledge allocated exactly, and both supplies consistent after it.
    const [close] = run?.campaignClose ?? [];
    expect(close, 'a W9 campaign close').to.not.equal(undefined);
    expect(close?.outcome).to.equal('SUCCEEDED');
    expect(close?.pledges).to.be.greaterThan(0);
    expect(close?.unitsAllocated).to.equal(close?.maxUnits);
    expect(close?.exact).to.equal(true);
    expect(close?.supplyConsistent).to.deep.equal({ money: true, units: true });
    expect(close?.transactions).to.be.greaterThan(1);
  });

  it('runs W8 in each gateway mode and W2 again on the grown market, accounting for every transaction', () => {
    const run = results.consensus.bft;
    expect(run?.gatewayModes?.map((g) => g.mode)).to.deep.equal(['before', 'after']);
    expect(run?.gatewayModes?.[0]?.settings).to.include({ ECF_GATEWAY_TOKEN_CACHE: 'off' });
    const scale = run?.scale ?? [];
    expect(scale.map((p) => p.accounts)).to.deep.equal([40, 80]);
    const steps = [
      ...(run?.gatewayModes ?? []).flatMap((g) => [...g.steps, ...g.halfLoad]),
      ...(scale[1] ? [...scale[1].w2.steps, ...scale[1].w2.halfLoad] : []),
    ];
    expect(steps.length).to.be.greaterThan(2);
    for (const s of steps) {
      const invalid = Object.values(s.invalid).reduce((a, b) => a + b, 0);
      const failed = Object.values(s.failed).reduce((a, b) => a + b, 0);
      expect(s.valid + invalid + failed, `${s.workload}@${s.offeredTps}`).to.equal(s.submitted);
      expect(s.valid, `${s.workload} committed something`).to.be.greaterThan(0);
    }
    for (const p of scale) {
      expect(p.idleRssMiB).to.be.greaterThan(0);
      expect(p.disk.stateMiB).to.be.greaterThan(0);
      expect(p.disk.ledgerMiB).to.be.greaterThan(p.disk.stateMiB);
    }
  });

  it('writes a well-formed report: ratios, targets, Markdown and a PNG chart', () => {
    const summary = summarize(results);
    expect(summary.ratios).to.have.keys(['W2/W0', 'W3/W2', 'W7/W2', 'W8/W2', 'BFT/Raft (W2)']);
    expect(typeof summary.ratios['W2/W0']).to.equal('number');
    expect(summary.targets.length).to.be.greaterThan(5);
    const markdown = renderMarkdown(results);
    expect(markdown).to.match(/\| W2 \| 8 \|/);
    // Every requested workload has a row in the latency table, with a figure or the reason for none.
    for (const id of ['W0', 'W1', 'W2', 'W8', 'W3', 'W4', 'W5', 'W6'])
      expect(markdown).to.match(new RegExp(`\\| ${id} \\| bft \\|`));
    expect(markdown).to.contain('| W8 (gateway before) | bft |');
    expect(markdown).to.contain('| W2 at 80 accounts | bft |');
    expect(markdown).to.contain('## The REST gateway in each mode');
    expect(markdown).to.contain('## Scale: W2 at each market size');
    expect(markdown).to.match(/\| W10 dividend, batches of 15 \| /);
    const png = renderChart(results);
    expect(png.subarray(1, 4).toString()).to.equal('PNG');
    expect(JSON.parse(JSON.stringify(results))).to.deep.equal(results);
  });
});
