import { mkdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Layout } from './layout';
import type { MonitoringSettings } from './monitoring-settings';
import { sleep } from './exec';
import { runningPid, startProcess, stopProcess, tail } from './processes';
import { allNodes, regulatorOf, type Org, type Topology } from './topology';

/** A gateway's port: its org's port block + 80 (the block's CAs, peers and orderers sit below). */
export const GATEWAY_PORT_OFFSET = 80;
/** Prometheus and Alertmanager listen in the regulator's port block, above every node's and the gateway's. */
export const PROMETHEUS_PORT_OFFSET = 90;
export const ALERTMANAGER_PORT_OFFSET = 91;

/** Process ids; `network down` stops every `monitoring.` process with the gateways. */
const PROMETHEUS_ID = 'monitoring.prometheus';
const ALERTMANAGER_ID = 'monitoring.alertmanager';

export function gatewayPortOf(org: Org): number {
  return org.ca.port + GATEWAY_PORT_OFFSET;
}

export function monitoringPorts(t: Topology): { prometheus: number; alertmanager: number } {
  const base = regulatorOf(t).ca.port;
  return { prometheus: base + PROMETHEUS_PORT_OFFSET, alertmanager: base + ALERTMANAGER_PORT_OFFSET };
}

/** How Prometheus dials a node or gateway (the placement's address; 127.0.0.1 natively). */
export type Dial = (node: { hostname: string; org: string }, port: number) => string;

const nativeDial: Dial = (_node, port) => `127.0.0.1:${port}`;

/**
 * Prometheus's configuration: every CA's, orderer's and peer's operations endpoint (job `fabric`) and every
 * org gateway's /metrics (job `gateway`), each target labelled with its node id, org and kind, which the
 * alert rules and the dashboard group by.
 */
export function prometheusConfig(t: Topology, dial: Dial = nativeDial): Record<string, unknown> {
  const m = t.monitoring;
  const ports = monitoringPorts(t);
  const regulator = regulatorOf(t);
  return {
    global: { scrape_interval: m.scrapeInterval, evaluation_interval: m.evaluationInterval },
    alerting: {
      alertmanagers: [{ static_configs: [{ targets: [dial(regulator.ca, ports.alertmanager)] }] }],
    },
    rule_files: ['alerts.yml'],
    scrape_configs: [
      {
        job_name: 'fabric',
        // Scrapes must finish within the interval, which tests shorten to a second.
        scrape_timeout: m.scrapeInterval,
        static_configs: allNodes(t).map((n) => ({
          targets: [dial(n, n.operationsPort)],
          labels: { node: n.id, org: n.org, kind: n.kind },
        })),
      },
      {
        job_name: 'gateway',
        scrape_timeout: m.scrapeInterval,
        static_configs: t.orgs.map((o) => ({
          targets: [dial(o.ca, gatewayPortOf(o))],
          labels: { node: `gateway.${o.slug}`, org: o.name, kind: 'gateway' },
        })),
      },
    ],
  };
}

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'critical' | 'warning' };
  annotations: { summary: string; description: string };
}

/** The alert rules (docs/operations.md explains each threshold). */
export function alertRules(m: MonitoringSettings): { groups: Array<{ name: string; rules: Rule[] }> } {
  const invalid = 'validation_code=~"MVCC_READ_CONFLICT|PHANTOM_READ_CONFLICT"';
  const rules: Rule[] = [
    {
      alert: 'NodeDown',
      expr: 'up == 0',
      for: m.nodeDownFor,
      labels: { severity: 'critical' },
      annotations: {
        summary: '{{ $labels.node }} ({{ $labels.org }}) is down',
        description: 'Its operations endpoint or /metrics has not answered for ' + m.nodeDownFor + '.',
      },
    },
    {
      alert: 'ConsensusStalled',
      // Requests wait in an ordering node's pool at every evaluation for the whole window, and no ordering
      // node has cut a block on that channel in the window. An idle channel (empty pools) never fires.
      expr:
        `max by (channel) (consensus_smartbft_pool_count_of_elements) > 0` +
        ` and on (channel) max by (channel) (delta(ledger_blockchain_height{kind="orderer"}[${m.consensusStallFor}])) == 0`,
      for: m.consensusStallFor,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'no block on {{ $labels.channel }} while requests are pending',
        description: `The ordering service has held requests without cutting a block for ${m.consensusStallFor}.`,
      },
    },
    {
      alert: 'LeaderChurn',
      expr:
        `max by (channel) (changes(consensus_smartbft_view_number[${m.leaderChangeWindow}]))` + ` > ${m.leaderChanges}`,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'repeated SmartBFT leader changes on {{ $labels.channel }}',
        description: `More than ${m.leaderChanges} view changes within ${m.leaderChangeWindow}: ordering stalls at every one.`,
      },
    },
    {
      alert: 'PeerLagging',
      expr:
        'max by (channel) (ledger_blockchain_height{kind="peer"})' +
        ' - on (channel) group_right () ledger_blockchain_height{kind="peer"}' +
        ` > ${m.peerLagBlocks}`,
      for: m.peerLagFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $labels.node }} is {{ $value | humanize }} blocks behind on {{ $labels.channel }}',
        description: `A peer more than ${m.peerLagBlocks} blocks behind the highest peer for ${m.peerLagFor}.`,
      },
    },
    {
      alert: 'CommitLatencyHigh',
      expr:
        'histogram_quantile(0.95, sum by (le, org) ' +
        `(rate(gateway_commit_duration_seconds_bucket[${m.rateWindow}]))) > ${m.commitP95Seconds}`,
      for: m.commitP95For,
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $labels.org }}: p95 submit-to-commit latency is {{ $value | humanize }}s',
        description: `The 95th percentile over ${m.rateWindow} is above ${m.commitP95Seconds}s.`,
      },
    },
    {
      alert: 'MvccInvalidations',
      // Every peer validates every transaction: the highest peer's rate is the channel's rate.
      expr:
        `max by (channel) (sum by (channel, node) (rate(ledger_transaction_count{${invalid}}[${m.rateWindow}])))` +
        ` > ${m.mvccInvalidPerSecond}`,
      for: m.mvccInvalidFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $labels.channel }}: {{ $value | humanize }} MVCC-invalid transactions per second',
        description: `Read conflicts above ${m.mvccInvalidPerSecond}/s: clients' writes are being thrown away.`,
      },
    },
    {
      alert: 'AuditRelayLagging',
      expr:
        'scalar(max(ledger_blockchain_height{kind="peer", channel="market"})) - 1' +
        ` - ecf_audit_relay_filed_block > ${m.relayLagBlocks}`,
      for: m.relayLagFor,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'the audit relay is {{ $value | humanize }} market blocks behind',
        description: `The audit channel misses the filings of more than ${m.relayLagBlocks} market blocks.`,
      },
    },
    {
      alert: 'CertificateExpiring',
      expr: `ecf_certificate_not_after_seconds - time() < ${m.certificateExpiryDays} * 86400`,
      labels: { severity: 'warning' },
      annotations: {
        summary: '{{ $labels.org }} {{ $labels.identity }} {{ $labels.usage }} certificate expires soon',
        description: `It expires within ${m.certificateExpiryDays} days: re-enrol it before then.`,
      },
    },
  ];
  return { groups: [{ name: 'ecf-network', rules }] };
}

/**
 * Alertmanager's configuration: alerts are grouped and kept for the dashboard and the API. No notifier
 * is wired (email, chat or paging are each operator's choice; docs/operations.md shows where).
 */
export function alertmanagerConfig(): Record<string, unknown> {
  return {
    route: {
      receiver: 'supervision',
      group_by: ['alertname', 'node', 'channel'],
      group_wait: '10s',
      group_interval: '1m',
      repeat_interval: '4h',
    },
    receivers: [{ name: 'supervision' }],
  };
}

export function monitoringDir(layout: Layout): string {
  return join(layout.generated, 'monitoring');
}

/** Writes prometheus.yml, alerts.yml and alertmanager.yml; returns their folder. */
export function writeMonitoringConfig(layout: Layout, t: Topology, dial: Dial = nativeDial): string {
  const dir = monitoringDir(layout);
  mkdirSync(dir, { recursive: true });
  const header = '# Generated from the topology by network/src/monitoring.ts; edits are overwritten.\n';
  writeFileSync(join(dir, 'prometheus.yml'), header + stringify(prometheusConfig(t, dial)));
  writeFileSync(join(dir, 'alerts.yml'), header + stringify(alertRules(t.monitoring)));
  writeFileSync(join(dir, 'alertmanager.yml'), header + stringify(alertmanagerConfig()));
  return dir;
}

export interface MonitoringBinaries {
  readonly prometheus: string;
  readonly alertmanager: string;
}

/**
 * (Re)starts Prometheus and Alertmanager on the generated configuration, listening on loopback in the
 * regulator's port block, their data under the network's data folder, and waits until both are ready.
 */
export async function startMonitoring(
  layout: Layout,
  t: Topology,
  bin: MonitoringBinaries,
  dial: Dial = nativeDial,
): Promise<{ prometheus: string; alertmanager: string }> {
  const dir = writeMonitoringConfig(layout, t, dial);
  const ports = monitoringPorts(t);
  await stopMonitoring(layout);
  startProcess(layout, {
    id: ALERTMANAGER_ID,
    command: bin.alertmanager,
    args: [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(layout.data, 'alertmanager')}`,
      `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
      // One Alertmanager: no gossip cluster, so no port of its own outside the topology's blocks.
      '--cluster.listen-address=',
    ],
    env: {},
  });
  startProcess(layout, {
    id: PROMETHEUS_ID,
    command: bin.prometheus,
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(layout.data, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
      '--storage.tsdb.retention.time=30d',
    ],
    env: {},
  });
  await waitReady(layout, ALERTMANAGER_ID, ports.alertmanager);
  await waitReady(layout, PROMETHEUS_ID, ports.prometheus);
  return {
    prometheus: `http://127.0.0.1:${ports.prometheus}`,
    alertmanager: `http://127.0.0.1:${ports.alertmanager}`,
  };
}

/** Stops both; returns the ids it stopped. */
export async function stopMonitoring(layout: Layout): Promise<string[]> {
  const stopped: string[] = [];
  for (const id of [PROMETHEUS_ID, ALERTMANAGER_ID]) if (await stopProcess(layout, id, 5_000)) stopped.push(id);
  return stopped;
}

function ready(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/-/ready', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function waitReady(layout: Layout, id: string, port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready(port))) {
    if (runningPid(layout, id) === undefined) {
      throw new Error(`${id} exited during start-up; last log lines:\n${tail(layout.logFile(id), 15)}`);
    }
    if (Date.now() > deadline) throw new Error(`${id} not ready on :${port} after ${timeoutMs} ms`);
    await sleep(200);
  }
}
