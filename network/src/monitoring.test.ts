import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Layout, REPO_ROOT } from './layout';
import { alertRules, monitoringPorts, prometheusConfig, writeMonitoringConfig } from './monitoring';
import { monitoringSchema } from './monitoring-settings';
import { allNodes, loadTopology, portsOf } from './topology';

const topology = loadTopology(join(REPO_ROOT, 'network', 'topology.yaml'));
const defaults = monitoringSchema.parse({});

/** A promtool unit test of the rules (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/). */
interface RuleTest {
  input_series: Array<{ series: string; values: string }>;
  alert_rule_test: Array<{
    eval_time: string;
    alertname: string;
    exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>;
  }>;
}

const peer = (node: string, org: string) =>
  `job="fabric", instance="127.0.0.1:1", node="${node}", org="${org}", kind="peer"`;
const orderer = `job="fabric", instance="127.0.0.1:2", node="orderer0.regulator", org="Regulator", kind="orderer"`;
const regulatorGateway = `job="gateway", instance="127.0.0.1:3", node="gateway.regulator", org="Regulator", kind="gateway"`;
const labelsOf = (s: string) =>
  Object.fromEntries([...s.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]));

/**
 * Each alert rule with the series that must fire it and those that must not, at the default thresholds
 * (one sample a minute). promtool evaluates the generated rules file over them: no network, no clock.
 */
const cases: Record<string, RuleTest[]> = {
  NodeDown: [
    {
      input_series: [{ series: `up{${peer('peer0.operatora', 'OperatorA')}}`, values: '1 1 0 0 0 1 1' }],
      alert_rule_test: [
        { eval_time: '2m', alertname: 'NodeDown', exp_alerts: [] }, // down, not yet for 1m
        {
          eval_time: '3m',
          alertname: 'NodeDown',
          exp_alerts: [
            {
              exp_labels: { ...labelsOf(peer('peer0.operatora', 'OperatorA')), severity: 'critical' },
              exp_annotations: {
                summary: 'peer0.operatora (OperatorA) is down',
                description: 'Its operations endpoint or /metrics has not answered for 1m.',
              },
            },
          ],
        },
        { eval_time: '5m', alertname: 'NodeDown', exp_alerts: [] }, // back up: resolved
      ],
    },
  ],
  ConsensusStalled: [
    {
      // Requests pending and the height flat: stalled.
      input_series: [
        { series: `consensus_smartbft_pool_count_of_elements{${orderer}, channel="market"}`, values: '3x10' },
        { series: `ledger_blockchain_height{${orderer}, channel="market"}`, values: '50x10' },
      ],
      alert_rule_test: [
        { eval_time: '1m', alertname: 'ConsensusStalled', exp_alerts: [] },
        {
          eval_time: '3m',
          alertname: 'ConsensusStalled',
          exp_alerts: [
            {
              exp_labels: { channel: 'market', severity: 'critical' },
              exp_annotations: {
                summary: 'no block on market while requests are pending',
                description: 'The ordering service has held requests without cutting a block for 1m.',
              },
            },
          ],
        },
      ],
    },
    {
      // Busy (requests always pending) but blocks keep coming; and an idle channel (no requests, no blocks).
      input_series: [
        { series: `consensus_smartbft_pool_count_of_elements{${orderer}, channel="market"}`, values: '3x10' },
        { series: `ledger_blockchain_height{${orderer}, channel="market"}`, values: '50+1x10' },
        { series: `consensus_smartbft_pool_count_of_elements{${orderer}, channel="audit"}`, values: '0x10' },
        { series: `ledger_blockchain_height{${orderer}, channel="audit"}`, values: '20x10' },
      ],
      alert_rule_test: [{ eval_time: '5m', alertname: 'ConsensusStalled', exp_alerts: [] }],
    },
  ],
  LeaderChurn: [
    {
      input_series: [
        { series: `consensus_smartbft_view_number{${orderer}, channel="market"}`, values: '0 1 2 3 4 4 4' },
        { series: `consensus_smartbft_view_number{${orderer}, channel="audit"}`, values: '0 1 1 1 2 2 2' },
      ],
      alert_rule_test: [
        { eval_time: '3m', alertname: 'LeaderChurn', exp_alerts: [] }, // three changes: not more than 3
        {
          eval_time: '4m',
          alertname: 'LeaderChurn',
          exp_alerts: [
            {
              exp_labels: { channel: 'market', severity: 'warning' },
              exp_annotations: {
                summary: 'repeated SmartBFT leader changes on market',
                description: 'More than 3 view changes within 15m: ordering stalls at every one.',
              },
            },
          ],
        },
      ],
    },
  ],
  PeerLagging: [
    {
      input_series: [
        {
          series: `ledger_blockchain_height{${peer('peer0.regulator', 'Regulator')}, channel="market"}`,
          values: '200x10',
        },
        {
          series: `ledger_blockchain_height{${peer('peer0.operatora', 'OperatorA')}, channel="market"}`,
          values: '180x10',
        },
        {
          series: `ledger_blockchain_height{${peer('peer0.operatorb', 'OperatorB')}, channel="market"}`,
          values: '190x10',
        },
      ],
      alert_rule_test: [
        { eval_time: '1m', alertname: 'PeerLagging', exp_alerts: [] }, // behind, not yet for 2m
        {
          eval_time: '2m',
          alertname: 'PeerLagging',
          // OperatorB is exactly 10 behind: not more than 10.
          exp_alerts: [
            {
              exp_labels: {
                ...labelsOf(peer('peer0.operatora', 'OperatorA')),
                channel: 'market',
                severity: 'warning',
              },
              exp_annotations: {
                summary: 'peer0.operatora is 20 blocks behind on market',
                description: 'A peer more than 10 blocks behind the highest peer for 2m.',
              },
            },
          ],
        },
      ],
    },
  ],
  CommitLatencyHigh: [
    {
      // Regulator: every commit between 2 s and 5 s (p95 4.85 s). Trustee: every commit under 1 s.
      input_series: [
        ...['1', '2'].map((le) => ({
          series: `gateway_commit_duration_seconds_bucket{${regulatorGateway}, le="${le}"}`,
          values: '0x20',
        })),
        ...['5', '+Inf'].map((le) => ({
          series: `gateway_commit_duration_seconds_bucket{${regulatorGateway}, le="${le}"}`,
          values: '0+60x20',
        })),
        ...['1', '2', '5', '+Inf'].map((le) => ({
          series: `gateway_commit_duration_seconds_bucket{job="gateway", node="gateway.trustee", org="Trustee", le="${le}"}`,
          values: '0+60x20',
        })),
      ],
      alert_rule_test: [
        { eval_time: '5m', alertname: 'CommitLatencyHigh', exp_alerts: [] }, // above, not yet for 5m
        {
          eval_time: '7m',
          alertname: 'CommitLatencyHigh',
          exp_alerts: [
            {
              exp_labels: { org: 'Regulator', severity: 'warning' },
              exp_annotations: {
                summary: 'Regulator: p95 submit-to-commit latency is 4.85s',
                description: 'The 95th percentile over 5m is above 3s.',
              },
            },
          ],
        },
      ],
    },
  ],
  MvccInvalidations: [
    {
      // market: 1 invalid transaction a second, seen by two peers (counted once); audit: 0.25 a second.
      input_series: [
        ...['peer0.regulator', 'peer0.trustee'].map((node) => ({
          series: `ledger_transaction_count{job="fabric", node="${node}", channel="market", chaincode="market", validation_code="MVCC_READ_CONFLICT"}`,
          values: '0+60x20',
        })),
        {
          series: `ledger_transaction_count{job="fabric", node="peer0.regulator", channel="market", chaincode="market", validation_code="VALID"}`,
          values: '0+600x20',
        },
        {
          series: `ledger_transaction_count{job="fabric", node="peer0.regulator", channel="audit", chaincode="audit", validation_code="PHANTOM_READ_CONFLICT"}`,
          values: '0+15x20',
        },
      ],
      alert_rule_test: [
        // The series start at 0: a rate over 5m passes 0.5/s at 3m, and the alert fires 5m later.
        { eval_time: '7m', alertname: 'MvccInvalidations', exp_alerts: [] },
        {
          eval_time: '9m',
          alertname: 'MvccInvalidations',
          exp_alerts: [
            {
              exp_labels: { channel: 'market', severity: 'warning' },
              exp_annotations: {
                summary: 'market: 1 MVCC-invalid transactions per second',
                description: "Read conflicts above 0.5/s: clients' writes are being thrown away.",
              },
            },
          ],
        },
      ],
    },
  ],
  AuditRelayLagging: [
    {
      input_series: [
        {
          series: `ledger_blockchain_height{${peer('peer0.regulator', 'Regulator')}, channel="market"}`,
          values: '100+5x20',
        },
        {
          series: `ledger_blockchain_height{${peer('peer0.regulator', 'Regulator')}, channel="audit"}`,
          values: '900x20',
        },
        // Files 5 blocks a minute until minute 4, then stops: 4 + 5 + 5… blocks behind.
        { series: `ecf_audit_relay_filed_block{${regulatorGateway}}`, values: '95+5x4 115x16' },
      ],
      alert_rule_test: [
        { eval_time: '4m', alertname: 'AuditRelayLagging', exp_alerts: [] }, // 4 behind
        { eval_time: '12m', alertname: 'AuditRelayLagging', exp_alerts: [] }, // 44 behind since 8m: not yet 5m
        {
          eval_time: '13m',
          alertname: 'AuditRelayLagging',
          exp_alerts: [
            {
              exp_labels: { ...labelsOf(regulatorGateway), severity: 'critical' },
              exp_annotations: {
                summary: 'the audit relay is 49 market blocks behind',
                description: 'The audit channel misses the filings of more than 20 market blocks.',
              },
            },
          ],
        },
      ],
    },
  ],
  CertificateExpiring: [
    {
      // promtool's clock starts at 0: a notAfter is the seconds from then.
      input_series: [
        {
          series: `ecf_certificate_not_after_seconds{${regulatorGateway}, identity="peer0", usage="tls"}`,
          values: String(29 * 86400),
        },
        {
          series: `ecf_certificate_not_after_seconds{${regulatorGateway}, identity="peer0", usage="enrollment"}`,
          values: String(31 * 86400),
        },
      ],
      alert_rule_test: [
        {
          eval_time: '0m',
          alertname: 'CertificateExpiring',
          exp_alerts: [
            {
              exp_labels: { ...labelsOf(regulatorGateway), identity: 'peer0', usage: 'tls', severity: 'warning' },
              exp_annotations: {
                summary: 'Regulator peer0 tls certificate expires soon',
                description: 'It expires within 30 days: re-enrol it before then.',
              },
            },
          ],
        },
      ],
    },
  ],
};

function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('monitoring: Prometheus and Alertmanager configuration from the topology', function () {
  let dir: string;

  before(function () {
    this.timeout(300_000);
    // Debian's packages, installed once where root can (CI); elsewhere the script says what to install.
    execFileSync('bash', [join(REPO_ROOT, 'scripts', 'install-monitoring.sh')], { stdio: 'ignore' });
    dir = mkdtempSync(join(tmpdir(), 'ecf-monitoring-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("scrapes every CA's, orderer's and peer's operations endpoint and every gateway's /metrics", () => {
    const config = prometheusConfig(topology) as {
      scrape_configs: Array<{
        job_name: string;
        static_configs: Array<{ targets: string[]; labels: Record<string, string> }>;
      }>;
    };
    const targets = (job: string) =>
      config.scrape_configs
        .filter((c) => c.job_name === job)
        .flatMap((c) => c.static_configs.map((s) => ({ target: s.targets[0], ...s.labels })));
    expect(targets('fabric')).to.deep.equal(
      allNodes(topology).map((n) => ({
        target: `127.0.0.1:${n.operationsPort}`,
        node: n.id,
        org: n.org,
        kind: n.kind,
      })),
    );
    expect(targets('gateway').map((t) => t.target)).to.deep.equal(
      topology.orgs.map((o) => `127.0.0.1:${o.ca.port + 80}`),
    );
  });

  it("listens in the regulator's port block, on ports no node or gateway uses", () => {
    const { prometheus, alertmanager } = monitoringPorts(topology);
    const used = new Set([
      ...allNodes(topology).flatMap((n) => portsOf(n).map((p) => p.port)),
      ...topology.orgs.map((o) => o.ca.port + 80),
    ]);
    const regulatorBase = topology.orgs.find((o) => o.role === 'regulator')?.ca.port ?? 0;
    for (const port of [prometheus, alertmanager]) {
      expect(used.has(port), String(port)).to.equal(false);
      expect(port - regulatorBase).to.be.within(0, 99);
    }
  });

  it('writes configuration that promtool and amtool accept', () => {
    const layout = new Layout(join(dir, 'net'), join(dir, 'net', 'crypto'));
    const out = writeMonitoringConfig(layout, topology);
    const config = promtool(['check', 'config', 'prometheus.yml'], out);
    expect(config.status, config.output).to.equal(0);
    expect(config.output).to.contain('8 rules found');
    const am = spawnSync('amtool', ['check-config', join(out, 'alertmanager.yml')], { encoding: 'utf8' });
    expect(am.status, `${am.stdout}${am.stderr}`).to.equal(0);
  });

  it('takes its intervals and thresholds from the topology (tests shorten them)', () => {
    const short = { ...topology, monitoring: monitoringSchema.parse({ scrapeInterval: '1s', nodeDownFor: '2s' }) };
    expect((prometheusConfig(short) as { global: object }).global).to.deep.equal({
      scrape_interval: '1s',
      evaluation_interval: '15s',
    });
    const nodeDown = alertRules(short.monitoring).groups[0]?.rules.find((r) => r.alert === 'NodeDown');
    expect(nodeDown?.for).to.equal('2s');
    expect(() => monitoringSchema.parse({ scrapeInterval: '1 second' })).to.throw(/Prometheus duration/);
  });

  it('has a promtool test for every alert rule', () => {
    const rules = alertRules(defaults).groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(Object.keys(cases).sort()).to.deep.equal([...rules].sort());
  });

  for (const [alert, tests] of Object.entries(cases)) {
    it(`alert ${alert}: fires on the series that must fire it, not on the others (promtool test rules)`, function () {
      this.timeout(30_000);
      const ruleDir = mkdtempSync(join(dir, `${alert}-`));
      writeFileSync(join(ruleDir, 'alerts.yml'), stringify(alertRules(defaults)));
      writeFileSync(
        join(ruleDir, 'test.yml'),
        stringify({
          rule_files: ['alerts.yml'],
          evaluation_interval: '1m',
          tests: tests.map((t) => ({ interval: '1m', ...t })),
        }),
      );
      const r = promtool(['test', 'rules', 'test.yml'], ruleDir);
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.contain('SUCCESS');
    });
  }
});
