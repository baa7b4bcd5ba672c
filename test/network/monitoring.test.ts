import { expect } from 'chai';
import { connectTo, crashProcess, monitoringPorts } from '@ecf/network';
import type { Browser, Page } from 'playwright-core';
import { until } from '../support/eventually';
import { launchChromium, openDashboard } from '../support/dashboard';
import { type Api, gatewayCli, upWithGateways } from '../support/http';
import { TestNetwork } from '../support/network';

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Prometheus and Alertmanager (Debian's packages) on the configuration generated from the topology, against
 * the real network: every node and gateway is scraped, killing a peer fires NodeDown until it is back, and
 * killing the audit relay fires AuditRelayLagging until it has caught up. The topology shortens the scrape
 * and evaluation intervals and the alerts' thresholds and `for:` so this takes seconds.
 */
describe('monitoring: Prometheus scrapes the real network; node-down and relay-lag alerts fire and resolve', function () {
  const net = new TestNetwork(18_000);
  let prometheus: string;
  let regulator: Api;
  let browser: Browser | undefined;

  /** The regulator's dashboard in headless Chromium, connected with the regulator's token. */
  const dashboard = async (): Promise<Page> => {
    browser = await launchChromium();
    return openDashboard(browser, net, regulator);
  };

  const prom = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${prometheus}${path}`);
    const body = (await res.json()) as { status: string; data: T };
    expect(body.status, path).to.equal('success');
    return body.data;
  };
  const query = (expr: string) =>
    prom<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`).then((d) => d.result);
  const alerts = () => prom<{ alerts: PromAlert[] }>('/api/v1/alerts').then((d) => d.alerts);
  const nodeDown = (node: string) => async () =>
    (await alerts()).filter((a) => a.labels.alertname === 'NodeDown' && a.labels.node === node).map((a) => a.state);

  before(async function () {
    this.timeout(1_200_000);
    net.editTopology((raw) => {
      raw.monitoring = {
        scrapeInterval: '1s',
        evaluationInterval: '1s',
        nodeDownFor: '3s',
        relayLagBlocks: 2,
        relayLagFor: '2s',
      };
    });
    ({ regulator } = await upWithGateways(net));
    await net.cli('monitoring', 'up');
    prometheus = `http://127.0.0.1:${monitoringPorts(net.topology).prometheus}`;
  });

  after(async function () {
    this.timeout(120_000);
    await browser?.close();
    await net.destroy();
  });

  it("scrapes every CA's, orderer's and peer's operations endpoint and every gateway's /metrics", async () => {
    const expected = [
      ...net.topology.orgs.flatMap((o) => [o.tlsCa, o.ca, ...o.orderers, ...o.peers].map((n) => n.id)),
      ...net.topology.orgs.map((o) => `gateway.${o.slug}`),
    ].sort();
    const up = await until(
      () => query('up'),
      (r) => r.length === expected.length && r.every((s) => s.value[1] === '1'),
      'every target scraped and up',
      60_000,
    );
    expect(up.map((s) => s.metric.node).sort()).to.deep.equal(expected);
    // What the other alert rules read is really exported by the network: heights and pools (Fabric), the
    // relay's progress and certificate expiries (the gateways).
    const heights = await query('ledger_blockchain_height{channel="market"}');
    expect(heights.map((s) => s.metric.kind).sort()).to.include.members(['orderer', 'peer']);
    expect((await query('consensus_smartbft_pool_count_of_elements')).length).to.be.greaterThan(0);
    expect((await query('consensus_smartbft_view_number')).length).to.be.greaterThan(0);
    const filed = await until(
      () => query('ecf_audit_relay_filed_block'),
      (r) => r.length === 1 && Number(r[0]?.value[1]) >= 0,
      "the relay's filed block",
      60_000,
    );
    expect(filed[0]?.metric.node).to.equal('gateway.regulator');
    const certs = await query('ecf_certificate_not_after_seconds{identity="peer0", usage="tls"}');
    expect(certs.map((s) => s.metric.org).sort()).to.deep.equal(['OperatorA', 'OperatorB', 'Regulator', 'Trustee']);
    for (const c of certs) expect(Number(c.value[1])).to.be.greaterThan(Date.now() / 1000 + 30 * 86400);
    // A fresh network has nothing to alert about, once the relay has filed the blocks of the start-up.
    await until(
      async () => (await alerts()).filter((a) => a.state === 'firing').map((a) => a.labels.alertname),
      (firing) => firing.length === 0,
      'no alert firing',
      60_000,
    );
  });

  it("fires NodeDown for a killed peer, shows it on the regulator's dashboard (headless Chromium), and resolves it after the restart", async function () {
    this.timeout(900_000);
    const peer = 'peer0.operatora';
    const killedAt = Date.now();
    expect(crashProcess(net.layout, peer)).to.equal(true);
    await until(nodeDown(peer), (s) => s.includes('firing'), `NodeDown firing for ${peer}`, 60_000);
    console.log(`      NodeDown firing ${((Date.now() - killedAt) / 1000).toFixed(1)}s after the kill (for: 3s)`);
    // Only that peer: the others stay up.
    const down = (await query('up == 0')).map((s) => s.metric.node);
    expect(down).to.deep.equal([peer]);

    const health = await until(
      () =>
        regulator.get<{
          nodes: Array<{ node: string; up: boolean }>;
          alerts: Array<{ alert: string; node: string; state: string }>;
        }>('/v1/audit/network'),
      (r) => r.status === 200 && r.body.alerts.some((a) => a.alert === 'NodeDown' && a.state === 'firing'),
      "the regulator's network health",
      30_000,
    );
    expect(health.body.nodes.filter((n) => !n.up).map((n) => n.node)).to.deep.equal([peer]);
    expect(health.body.alerts.filter((a) => a.state === 'firing').map((a) => [a.alert, a.node])).to.deep.equal([
      ['NodeDown', peer],
    ]);

    // The dashboard's network health section (headless Chromium): the peer's row is down, the alert fires.
    const page = await dashboard();
    const row = page.locator(`#nodes tr[data-node="${peer}"]`);
    await page.locator(`#nodes tr[data-node="${peer}"][data-up="false"]`).waitFor({ timeout: 30_000 });
    expect(await row.textContent()).to.contain('DOWN');
    await page.locator('#network-alerts li.firing[data-alert="NodeDown"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#nodes tr[data-node="peer0.regulator"]').textContent()).to.match(/up.*market \d+/);

    const restartAt = Date.now();
    await net.cli('up');
    await until(nodeDown(peer), (s) => s.length === 0, `NodeDown resolved for ${peer}`, 60_000);
    console.log(`      NodeDown resolved ${((Date.now() - restartAt) / 1000).toFixed(1)}s after the restart began`);
    expect((await query('up == 0')).map((s) => s.metric.node)).to.deep.equal([]);
    // The dashboard follows on its next refresh.
    await page.locator(`#nodes tr[data-node="${peer}"][data-up="true"]`).waitFor({ timeout: 30_000 });
    await page.locator('#network-alerts li[data-alert="NodeDown"]').waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('fires AuditRelayLagging while the relay is down and market blocks keep coming, and resolves when it catches up', async function () {
    this.timeout(300_000);
    const relayLagging = async () =>
      (await alerts()).filter((a) => a.labels.alertname === 'AuditRelayLagging').map((a) => a.state);
    await gatewayCli(net, 'crash', '--org', 'Regulator', '--relay');
    // Three blocks on market (a heartbeat each, committed one after another) the relay does not file.
    const trustee = net.org('Trustee');
    const conn = connectTo(net.layout, trustee, trustee.peers[0] ?? assertPeer());
    try {
      const contract = conn.gateway.getNetwork('market').getContract('market', 'System');
      for (let i = 0; i < 3; i++) await contract.submitTransaction('Heartbeat');
    } finally {
      conn.close();
    }
    await until(relayLagging, (s) => s.includes('firing'), 'AuditRelayLagging firing', 60_000);
    const health = await regulator.get<{ alerts: Array<{ alert: string; state: string }> }>('/v1/audit/network');
    expect(health.body.alerts.map((a) => [a.alert, a.state])).to.deep.include(['AuditRelayLagging', 'firing']);

    // `gateway up` restarts the regulator's gateway and the relay, which files the missed blocks.
    const restartAt = Date.now();
    await gatewayCli(net, 'up', '--org', 'Regulator');
    await until(relayLagging, (s) => s.length === 0, 'AuditRelayLagging resolved', 120_000);
    console.log(
      `      AuditRelayLagging resolved ${((Date.now() - restartAt) / 1000).toFixed(1)}s after the relay restarted`,
    );
  });
});

function assertPeer(): never {
  throw new Error('the org has no peer');
}
