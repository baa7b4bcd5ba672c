import { z } from 'zod';

/**
 * The network's health as the regulator's dashboard shows it, read from Prometheus's HTTP API (which
 * scrapes every node and gateway; network/src/monitoring.ts). The gateway only queries: it never writes
 * to Prometheus or Alertmanager, and a caller cannot choose the query.
 */
export const networkHealthSchema = z
  .object({
    nodes: z
      .array(
        z
          .object({
            node: z.string().describe('The node id, e.g. peer0.operatora, or gateway.<org> for an org gateway.'),
            org: z.string().describe('The org that runs it.'),
            kind: z.string().describe('ca, tlsca, orderer, peer or gateway.'),
            up: z.boolean().describe("Whether Prometheus's last scrape of its metrics endpoint succeeded."),
            heights: z
              .record(z.string(), z.string())
              .describe('Block height per channel (decimal string), for peers and orderers; empty otherwise.'),
          })
          .strict()
          .describe('One scraped node or gateway.'),
      )
      .describe('Every node and gateway Prometheus scrapes, sorted by node id.'),
    alerts: z
      .array(
        z
          .object({
            alert: z.string().describe('The alert rule, e.g. NodeDown (docs/operations.md lists them).'),
            state: z.enum(['pending', 'firing']).describe('pending: its condition holds, not yet for its `for:`.'),
            severity: z.string().describe('critical or warning.'),
            node: z.string().nullable().describe('The node it is about, if any.'),
            channel: z.string().nullable().describe('The channel it is about, if any.'),
            summary: z.string().describe('What is wrong, in a sentence.'),
            activeAt: z.string().describe('When its condition first held (RFC 3339).'),
          })
          .strict()
          .describe('An active alert.'),
      )
      .describe('Alerts whose condition holds now, firing first.'),
  })
  .strict();

export type NetworkHealth = z.infer<typeof networkHealthSchema>;

/** One GET against Prometheus's API; resolves to its `data`. */
export type PrometheusQuery = (path: string) => Promise<unknown>;

const vectorSchema = z.array(
  z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) }),
);
const alertsSchema = z.object({
  alerts: z.array(
    z.object({
      labels: z.record(z.string(), z.string()),
      annotations: z.record(z.string(), z.string()).default({}),
      state: z.string(),
      activeAt: z.string().optional(),
    }),
  ),
});

/** A PrometheusQuery over HTTP, with a deadline. */
export function prometheusOver(baseUrl: string): PrometheusQuery {
  return async (path) => {
    const res = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { status?: string; data?: unknown; error?: string };
    if (!res.ok || body.status !== 'success') throw new Error(`Prometheus answered ${res.status}: ${body.error ?? ''}`);
    return body.data;
  };
}

export async function networkHealth(query: PrometheusQuery): Promise<NetworkHealth> {
  const instant = async (expr: string) => {
    const data = z
      .object({ result: vectorSchema })
      .parse(await query(`/api/v1/query?query=${encodeURIComponent(expr)}`));
    return data.result;
  };
  const [up, heights, active] = await Promise.all([
    instant('up'),
    instant('ledger_blockchain_height'),
    query('/api/v1/alerts').then((d) => alertsSchema.parse(d).alerts),
  ]);
  const byNode = new Map<string, NetworkHealth['nodes'][number]>();
  for (const s of up) {
    const node = s.metric.node;
    if (node === undefined) continue;
    byNode.set(node, {
      node,
      org: s.metric.org ?? '',
      kind: s.metric.kind ?? '',
      up: s.value[1] === '1',
      heights: {},
    });
  }
  for (const s of heights) {
    const entry = byNode.get(s.metric.node ?? '');
    const channel = s.metric.channel;
    if (entry && channel !== undefined) entry.heights[channel] = s.value[1];
  }
  const alerts = active
    .filter((a) => a.state === 'firing' || a.state === 'pending')
    .map((a) => ({
      alert: a.labels.alertname ?? '',
      state: a.state as 'pending' | 'firing',
      severity: a.labels.severity ?? '',
      node: a.labels.node ?? null,
      channel: a.labels.channel ?? null,
      summary: a.annotations.summary ?? '',
      activeAt: a.activeAt ?? '',
    }))
    .sort((a, b) => (a.state === b.state ? a.alert.localeCompare(b.alert) : a.state === 'firing' ? -1 : 1));
  return { nodes: [...byNode.values()].sort((a, b) => a.node.localeCompare(b.node)), alerts };
}
