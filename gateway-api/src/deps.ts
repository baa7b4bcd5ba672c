import type { Role } from '@ecf/common';
import type winston from 'winston';
import { DEFAULT_ADMISSION, type AdmissionSettings } from './admission';
import type { Authenticator } from './auth/principal';
import type { TokenStore } from './auth/tokens';
import type { CaPort, FabricPort } from './fabric/types';
import type { IdentityWallet } from './fabric/wallet';
import type { IdempotencyStore } from './idempotency';
import { ApiError, GatewayCode } from './problem';
import type { Metrics } from './metrics';
import type { PendingStore } from './pending';
import type { PrometheusQuery } from './audit/network-health';

/** The org a gateway serves. */
export interface OrgInfo {
  readonly name: string;
  readonly mspId: string;
  readonly role: Extract<Role, 'regulator' | 'trustee' | 'operator'>;
  /** For a trustee: the operators whose customers bank with it (their activity is visible to it). */
  readonly servedOperators: readonly string[];
  /**
   * The regulator's and this org's trustee's MSP IDs: the peers that endorse a pledge, which may count
   * investor limits in a collection only they hold (decision 49). Absent: discovery chooses.
   */
  readonly supervisors?: readonly string[];
}

export interface GatewaySettings {
  /** Largest JSON body accepted (bytes). */
  readonly bodyLimit: number;
  /** Deadline for one request, including endorsement, ordering and commit. */
  readonly requestTimeoutMs: number;
  /** Requests per credential per window, and the window. */
  readonly rateLimit: { readonly limit: number; readonly windowMs: number };
  /** Origins allowed to call from a browser; empty: none. */
  readonly corsOrigins: readonly string[];
  /** The bounded write queue and per-account serialization (decision 43). */
  readonly admission: AdmissionSettings;
  /** Reuse parsed token files while their inode, times and size are unchanged (decision 62). */
  readonly tokenCache: boolean;
  /** Per-request log lines (decision 62): errors and slow requests always, successful ones sampled. */
  readonly requestLog: RequestLogSettings;
}

export interface RequestLogSettings {
  /** Fraction (0–1) of successful reads (GET, HEAD) below `slowMs` that get a log line; writes always get one. */
  readonly sampleRate: number;
  /** A request that took this long (ms) or more is always logged. */
  readonly slowMs: number;
}

/** Everything the HTTP app needs, injected so tests can replace the Fabric seam. */
export interface GatewayDeps {
  readonly org: OrgInfo;
  readonly fabric: FabricPort;
  /** The audit channel's chaincode, where the org's gateway reads (and the regulator's files) records. */
  readonly audit?: FabricPort;
  /** The regulator's relay checkpoint file (audit status). */
  readonly relayCheckpointFile?: string;
  /** The trustee's: its cap table service's loopback address (decision 46). */
  readonly capTableUrl?: string;
  /** The regulator's: Prometheus's API, read for the dashboard's network health. */
  readonly prometheus?: PrometheusQuery;
  readonly ca: CaPort;
  readonly wallet: Pick<IdentityWallet, 'has'>;
  readonly tokens: Pick<TokenStore, 'revoke' | 'create' | 'list'>;
  readonly authenticators: readonly Authenticator[];
  readonly idempotency: IdempotencyStore;
  /** Writes answered 202 PENDING: their senders and envelopes (decision 63). */
  readonly pending: PendingStore;
  readonly logger: winston.Logger;
  readonly metrics: Metrics;
  readonly config: GatewaySettings;
  readonly version: string;
}

/** The audit channel's port, or 503 on a gateway started without one. */
export function auditPort(deps: GatewayDeps): FabricPort {
  if (!deps.audit) throw new ApiError(GatewayCode.UNAVAILABLE, 'this gateway is not connected to the audit channel');
  return deps.audit;
}

export const DEFAULT_SETTINGS: GatewaySettings = {
  bodyLimit: 64 * 1024,
  requestTimeoutMs: 45_000,
  rateLimit: { limit: 600, windowMs: 60_000 },
  corsOrigins: [],
  admission: DEFAULT_ADMISSION,
  tokenCache: true,
  requestLog: { sampleRate: 0.1, slowMs: 1000 },
};
