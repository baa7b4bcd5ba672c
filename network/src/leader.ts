import { get } from 'node:http';
import type { Placement } from './node-env';
import { activeOrderers, type OrdererNode, type Topology } from './topology';

/** What one ordering node reports about a channel's SmartBFT view. */
export interface ViewReport {
  readonly leaderId: number;
  readonly view: number;
}

/** The channel's current SmartBFT leader as most live ordering nodes report it. */
export interface ConsensusLeader extends ViewReport {
  readonly node: OrdererNode;
  /** How many ordering nodes named this leader. */
  readonly votes: number;
}

/**
 * Reads a channel's view from an ordering node's Prometheus text: SmartBFT publishes the view number and its
 * leader's consenter id as gauges labelled with the channel. Undefined when the node has no view (yet).
 */
export function parseViewReport(metrics: string, channel: string): ViewReport | undefined {
  const gauge = (name: string): number | undefined => {
    for (const line of metrics.split('\n')) {
      if (!line.startsWith(`${name}{`)) continue;
      const m = /^[a-z_]+\{([^}]*)\}\s+(\S+)$/.exec(line);
      if (m && new RegExp(`(^|,)channel="${channel.replace(/[.]/g, '\\.')}"`).test(m[1] ?? '')) {
        return Number(m[2]);
      }
    }
    return undefined;
  };
  const leaderId = gauge('consensus_smartbft_view_leader_id');
  const view = gauge('consensus_smartbft_view_number');
  if (leaderId === undefined || view === undefined || !Number.isInteger(leaderId) || leaderId < 1) return undefined;
  return { leaderId, view };
}

/**
 * The leader most ordering nodes agree on, from the highest view any node reports (a node that was down
 * may still report an older view). Nodes that do not answer are skipped.
 */
export function agreedLeader(
  reports: ReadonlyArray<ViewReport | undefined>,
  nodes: readonly OrdererNode[],
): ConsensusLeader | undefined {
  const seen = reports.filter((r): r is ViewReport => r !== undefined);
  if (seen.length === 0) return undefined;
  const view = Math.max(...seen.map((r) => r.view));
  const votes = new Map<number, number>();
  for (const r of seen.filter((s) => s.view === view)) votes.set(r.leaderId, (votes.get(r.leaderId) ?? 0) + 1);
  const [leaderId, count] = [...votes.entries()].sort((a, b) => b[1] - a[1])[0] ?? [0, 0];
  const node = nodes.find((n) => n.consenterId === leaderId);
  return node ? { leaderId, view, node, votes: count } : undefined;
}

/** Asks every ordering node of the topology for its view of the channel and returns the agreed leader. */
export async function consensusLeader(
  t: Topology,
  channel: string,
  placement?: Pick<Placement, 'address'>,
): Promise<ConsensusLeader | undefined> {
  const nodes = activeOrderers(t);
  const reports = await Promise.all(
    nodes.map(async (n) => {
      const host = placement ? placement.address(n, 0).split(':')[0] : undefined;
      const text = await metricsOf(n.operationsPort, 2000, host).catch(() => '');
      return parseViewReport(text, channel);
    }),
  );
  return agreedLeader(reports, nodes);
}

function metricsOf(port: number, timeoutMs = 2000, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path: '/metrics', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('metrics timed out')));
    req.on('error', reject);
  });
}
