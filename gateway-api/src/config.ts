import {
  choosePlacement,
  gatewayPortOf,
  Layout,
  loadTopology,
  REPO_ROOT,
  type Org,
  type Placement,
  type Topology,
} from '@ecf/network';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, type GatewaySettings, type OrgInfo } from './deps';

export { GATEWAY_PORT_OFFSET } from '@ecf/network';

export interface GatewayConfig {
  readonly org: Org;
  readonly info: OrgInfo;
  readonly topology: Topology;
  readonly layout: Layout;
  readonly port: number;
  readonly host: string;
  /** Where the network's nodes run (as its state records): how this gateway dials its peer and CA. */
  readonly placement: Placement;
  /** wallet/, tokens/, idempotency/ live here. */
  readonly dataDir: string;
  readonly channel: string;
  readonly chaincode: string;
  readonly settings: GatewaySettings;
  readonly logLevel: string;
}

/**
 * One gateway serves one org of the topology. Everything is derived from the topology file and the
 * network's state folder (ECF_NETWORK_HOME / ECF_CRYPTO_DIR), as for the network CLI; environment
 * variables only override the HTTP knobs.
 */
export function loadConfig(options: {
  org: string;
  topologyFile?: string;
  port?: number;
  /** The network instance's state folders; default: from the environment. */
  layout?: Layout;
}): GatewayConfig {
  const topology = loadTopology(options.topologyFile ?? join(REPO_ROOT, 'network', 'topology.yaml'));
  const org = topology.orgs.find((o) => o.name === options.org || o.mspId === options.org);
  if (!org) throw new Error(`no org ${options.org} in the topology (${topology.orgs.map((o) => o.name).join(', ')})`);
  const layout = options.layout ?? new Layout();
  const env = process.env;
  const placement = choosePlacement(layout, topology);
  const market = topology.chaincodes.find((c) => c.name === 'market') ?? topology.chaincodes[0];
  return {
    org,
    info: {
      name: org.name,
      mspId: org.mspId,
      role: org.role,
      servedOperators: topology.orgs.filter((o) => o.role === 'operator' && o.trustee === org.name).map((o) => o.mspId),
      supervisors: [
        ...new Set(
          topology.orgs
            .filter((o) => o.role === 'regulator' || o.name === org.trustee || (o === org && o.role === 'trustee'))
            .map((o) => o.mspId),
        ),
      ],
    },
    topology,
    layout,
    port: options.port ?? gatewayPort(org),
    host: env.ECF_GATEWAY_HOST ?? placement.listen(0).split(':')[0] ?? '127.0.0.1',
    placement,
    dataDir: join(layout.gateways, org.slug),
    channel: market?.channel ?? 'market',
    chaincode: market?.name ?? 'market',
    settings: {
      bodyLimit: intEnv('ECF_GATEWAY_BODY_LIMIT', DEFAULT_SETTINGS.bodyLimit),
      requestTimeoutMs: intEnv('ECF_GATEWAY_TIMEOUT_MS', DEFAULT_SETTINGS.requestTimeoutMs),
      rateLimit: {
        limit: intEnv('ECF_GATEWAY_RATE_LIMIT', DEFAULT_SETTINGS.rateLimit.limit),
        windowMs: intEnv('ECF_GATEWAY_RATE_WINDOW_MS', DEFAULT_SETTINGS.rateLimit.windowMs),
      },
      corsOrigins: (env.ECF_GATEWAY_CORS_ORIGINS ?? '').split(',').filter(Boolean),
      admission: {
        enabled: onOff('ECF_GATEWAY_ADMISSION', DEFAULT_SETTINGS.admission.enabled),
        maxPending: intEnv('ECF_GATEWAY_MAX_PENDING_WRITES', DEFAULT_SETTINGS.admission.maxPending),
        maxPerAccount: intEnv('ECF_GATEWAY_MAX_WRITES_PER_ACCOUNT', DEFAULT_SETTINGS.admission.maxPerAccount),
      },
      tokenCache: onOff('ECF_GATEWAY_TOKEN_CACHE', DEFAULT_SETTINGS.tokenCache),
      requestLog: {
        sampleRate: fractionEnv('ECF_GATEWAY_LOG_SAMPLE', DEFAULT_SETTINGS.requestLog.sampleRate),
        slowMs: intEnv('ECF_GATEWAY_LOG_SLOW_MS', DEFAULT_SETTINGS.requestLog.slowMs),
      },
    },
    logLevel: env.ECF_GATEWAY_LOG_LEVEL ?? 'info',
  };
}

/** A gateway's port (the network's monitoring scrapes it there too). */
export function gatewayPort(org: Org): number {
  return gatewayPortOf(org);
}

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, not ${raw}`);
  return n;
}

function fractionEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`${name} must be a number from 0 to 1, not ${raw}`);
  return n;
}

function onOff(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new Error(`${name} must be on or off, not ${raw}`);
}
