import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../app';
import { Metrics } from '../metrics';
import { harness } from '../testing/fake-fabric';
import { bearer } from '../testing/fixtures';
import { scratchDir } from '../testing/scratch';
import { networkHealth, networkHealthSchema, type PrometheusQuery } from './network-health';

const REGULATOR = { name: 'Regulator', mspId: 'RegulatorMSP', role: 'regulator' as const, servedOperators: [] };

const sample = (metric: Record<string, string>, value: string) => ({ metric, value: [1_700_000_000, value] });

/** Prometheus's API answers as captured from a running network, one peer down with its alert firing. */
const answers: Record<string, unknown> = {
  up: {
    resultType: 'vector',
    result: [
      sample({ __name__: 'up', node: 'peer0.operatora', org: 'OperatorA', kind: 'peer' }, '0'),
      sample({ __name__: 'up', node: 'orderer0.regulator', org: 'Regulator', kind: 'orderer' }, '1'),
      sample({ __name__: 'up', node: 'gateway.regulator', org: 'Regulator', kind: 'gateway' }, '1'),
    ],
  },
  ledger_blockchain_height: {
    resultType: 'vector',
    result: [
      sample({ node: 'orderer0.regulator', channel: 'market' }, '12'),
      sample({ node: 'orderer0.regulator', channel: 'audit' }, '7'),
    ],
  },
  alerts: {
    alerts: [
      {
        labels: { alertname: 'PeerLagging', severity: 'warning', node: 'peer0.trustee', channel: 'market' },
        annotations: { summary: 'peer0.trustee is 12 blocks behind on market' },
        state: 'pending',
        activeAt: '2026-12-04T08:00:01Z',
      },
      {
        labels: { alertname: 'NodeDown', severity: 'critical', node: 'peer0.operatora' },
        annotations: { summary: 'peer0.operatora (OperatorA) is down' },
        state: 'firing',
        activeAt: '2026-12-04T08:00:00Z',
      },
    ],
  },
};

const fakePrometheus =
  (paths: string[] = []): PrometheusQuery =>
  async (path) => {
    paths.push(path);
    if (path === '/api/v1/alerts') return answers.alerts;
    const query = new URL(path, 'http://prometheus').searchParams.get('query') ?? '';
    const answer = answers[query];
    if (!answer) throw new Error(`unexpected query ${query}`);
    return answer;
  };

describe("network health on the regulator's dashboard (from Prometheus's API)", () => {
  it("lists each node's state and heights, and the active alerts, firing first", async () => {
    const health = await networkHealth(fakePrometheus());
    expect(networkHealthSchema.safeParse(health).success).to.equal(true);
    expect(health.nodes).to.deep.equal([
      { node: 'gateway.regulator', org: 'Regulator', kind: 'gateway', up: true, heights: {} },
      {
        node: 'orderer0.regulator',
        org: 'Regulator',
        kind: 'orderer',
        up: true,
        heights: { market: '12', audit: '7' },
      },
      { node: 'peer0.operatora', org: 'OperatorA', kind: 'peer', up: false, heights: {} },
    ]);
    expect(health.alerts.map((a) => [a.alert, a.state, a.node, a.channel])).to.deep.equal([
      ['NodeDown', 'firing', 'peer0.operatora', null],
      ['PeerLagging', 'pending', 'peer0.trustee', 'market'],
    ]);
  });

  it('serves the regulator only, reads Prometheus with fixed queries, and answers 503 when it is unreachable', async () => {
    const h = harness({ org: REGULATOR });
    const paths: string[] = [];
    const app = createApp({ ...h.deps, prometheus: fakePrometheus(paths) });
    const ok = await request(app).get('/v1/audit/network').set(bearer(h.token.regulator)).expect(200);
    expect(ok.body.alerts[0]).to.include({ alert: 'NodeDown', state: 'firing' });
    // A caller cannot pass a query through: the gateway's queries are its own.
    await request(app).get('/v1/audit/network?query=up').set(bearer(h.token.regulator)).expect(200);
    expect(new Set(paths)).to.deep.equal(
      new Set(['/api/v1/query?query=up', '/api/v1/query?query=ledger_blockchain_height', '/api/v1/alerts']),
    );
    await request(app).get('/v1/audit/network').set(bearer(h.token.operator)).expect(403);
    const down = createApp({
      ...h.deps,
      prometheus: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });
    const res = await request(down).get('/v1/audit/network').set(bearer(h.token.regulator)).expect(503);
    expect(res.body.code).to.equal('UNAVAILABLE');
    await request(createApp(h.deps)).get('/v1/audit/network').set(bearer(h.token.regulator)).expect(503);
  });

  it("exports the relay's filed block and the org's certificate expiries for the alert rules", async () => {
    const dir = scratchDir('ecf-metrics-');
    const checkpoint = join(dir, 'relay-checkpoint.json');
    const metrics = new Metrics({
      relayCheckpointFile: checkpoint,
      certificates: () => [{ identity: 'peer0', usage: 'tls', notAfter: 1_900_000_000 }],
    });
    // No checkpoint yet: nothing filed.
    expect(await metrics.registry.metrics()).to.match(/^ecf_audit_relay_filed_block -1$/m);
    // fabric-gateway's file checkpointer keeps the next block to read.
    writeFileSync(checkpoint, JSON.stringify({ blockNumber: 42 }));
    const text = await metrics.registry.metrics();
    expect(text).to.match(/^ecf_audit_relay_filed_block 41$/m);
    expect(text).to.match(/^ecf_certificate_not_after_seconds\{identity="peer0",usage="tls"\} 1900000000$/m);
    // A gateway that is not the regulator's exports no relay metric.
    expect(await new Metrics().registry.metrics()).not.to.contain('ecf_audit_relay_filed_block');
  });
});
