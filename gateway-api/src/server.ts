import { cryptoSuiteOptions, hsmEnabled, hsmSigner, monitoringPorts, orgCertificateExpiries } from '@ecf/network';
import { readFileSync, watch } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { join } from 'node:path';
import { createApp } from './app';
import { prometheusOver } from './audit/network-health';
import { AuditRelay } from './audit/relay';
import { capTablePort, rebuild, runCapTable } from './captable/service';
import { TokenStore } from './auth/tokens';
import type { GatewayConfig } from './config';
import type { GatewayDeps } from './deps';
import { FabricCa } from './fabric/ca';
import { FabricGateway } from './fabric/gateway';
import { IdentityWallet } from './fabric/wallet';
import { IdempotencyStore } from './idempotency';
import { LimitKeeper } from './limits/keeper';
import { createLogger } from './log';
import { Metrics } from './metrics';
import { PendingStore } from './pending';

/** The org identities every gateway starts with: its admin (the CA registrar) and its service identity. */
export const ADMIN_IDENTITY = 'admin';
export const SERVICE_IDENTITY = 'gateway';

export function gatewayPaths(config: GatewayConfig) {
  return {
    wallet: join(config.dataDir, 'wallet'),
    tokens: join(config.dataDir, 'tokens'),
    idempotency: join(config.dataDir, 'idempotency'),
    pending: join(config.dataDir, 'pending'),
    relayCheckpoint: join(config.dataDir, 'relay-checkpoint.json'),
    relaySnapshot: join(config.dataDir, 'relay-observer.json'),
  };
}

/**
 * Opens the org's wallet, importing the admin and service identities the network enrolled. With the
 * network's keys in a PKCS#11 token (decision 45) the wallet holds certificates and the token the keys.
 */
export async function openWallet(config: GatewayConfig): Promise<IdentityWallet> {
  const hsm = hsmEnabled(config.layout) ? cryptoSuiteOptions(config.layout, config.org) : undefined;
  const wallet = await IdentityWallet.open(gatewayPaths(config).wallet, config.org.mspId, hsm);
  for (const label of [ADMIN_IDENTITY, SERVICE_IDENTITY]) {
    await wallet.importMsp(label, orgMsp(config, label));
  }
  return wallet;
}

function orgMsp(config: GatewayConfig, label: string): string {
  return join(config.layout.identity(config.org.slug, label), 'msp');
}

/**
 * Re-imports the org's own identities when their certificate changes on disk: `network.sh rotate-key`
 * re-enrolls an identity into a new key while this process serves. The next request signs with the new
 * key; one already signing finishes with the old one, which stays in the token. Returns a stop function.
 */
export function followOrgIdentities(
  config: GatewayConfig,
  wallet: IdentityWallet,
  onError: (label: string, err: unknown) => void,
): () => void {
  const watchers = [ADMIN_IDENTITY, SERVICE_IDENTITY].map((label) =>
    watch(join(orgMsp(config, label), 'signcerts'), () => {
      wallet.importMsp(label, orgMsp(config, label)).catch((err: unknown) => onError(label, err));
    }),
  );
  return () => watchers.forEach((w) => w.close());
}

/** A fabric-gateway connection to the org's own peer for one channel's chaincode. */
export function channelPort(config: GatewayConfig, wallet: IdentityWallet, channel: 'market' | 'audit'): FabricGateway {
  const peer = config.org.peers[0];
  if (!peer) throw new Error(`${config.org.name} has no peer`);
  return new FabricGateway({
    peer: {
      address: config.placement.address(peer, peer.port),
      hostname: peer.hostname,
      tlsRootCert: readFileSync(config.layout.tlsCaCert(config.org.slug)),
    },
    channel: channel === 'market' ? config.channel : 'audit',
    chaincode: channel === 'market' ? config.chaincode : 'audit',
    wallet,
    serviceIdentity: SERVICE_IDENTITY,
    ...(hsmEnabled(config.layout)
      ? { hsmSigner: (certificate: string) => hsmSigner(config.layout, config.org, certificate).signer }
      : {}),
  });
}

/**
 * The regulator's audit relay (its own process): follows the market channel and files on the audit
 * channel until the signal aborts, restarting its stream after a failure (peer restart, network blip).
 */
export async function runRelay(config: GatewayConfig, signal: AbortSignal): Promise<void> {
  if (config.org.role !== 'regulator') throw new Error('the audit relay is the regulator’s');
  const wallet = await openWallet(config);
  const logger = createLogger({ level: config.logLevel, org: config.org.name });
  const market = channelPort(config, wallet, 'market');
  const audit = channelPort(config, wallet, 'audit');
  const relay = new AuditRelay({
    market,
    audit,
    identity: SERVICE_IDENTITY,
    regulatorMspId: config.org.mspId,
    checkpointFile: gatewayPaths(config).relayCheckpoint,
    snapshotFile: gatewayPaths(config).relaySnapshot,
    logger,
  });
  try {
    while (!signal.aborted) {
      try {
        await relay.run(signal);
      } catch (err) {
        if (signal.aborted) break;
        logger.warn('relay stream failed; restarting', { error: (err as Error).message.split('\n')[0] });
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    market.close();
    audit.close();
  }
}

/**
 * The trustee's own service process, until the signal aborts: the cap table (decision 46) and the
 * investor-limit keeper (decision 49), both projections of the chain through the trustee's peer.
 */
export async function runCapTableService(config: GatewayConfig, signal: AbortSignal): Promise<void> {
  const wallet = await openWallet(config);
  const market = channelPort(config, wallet, 'market');
  const logger = createLogger({ level: config.logLevel, org: config.org.name });
  const keeperStop = new AbortController();
  const stop = () => keeperStop.abort();
  signal.addEventListener('abort', stop, { once: true });
  const keeper = new LimitKeeper({
    market,
    identity: SERVICE_IDENTITY,
    endorsers: config.info.supervisors ?? [],
    logger,
  });
  const keeping = keeper.run(keeperStop.signal);
  try {
    await runCapTable(config, { market, identity: SERVICE_IDENTITY, logger }, signal);
  } finally {
    stop();
    signal.removeEventListener('abort', stop);
    await keeping;
    market.close();
  }
}

/** Rebuilds the cap table from block 0 into another database and returns its digest. */
export async function rebuildCapTable(
  config: GatewayConfig,
  target: { url?: string; folder?: string },
  through: bigint,
): Promise<{ through: string; digest: string }> {
  const wallet = await openWallet(config);
  const market = channelPort(config, wallet, 'market');
  try {
    const logger = createLogger({ level: config.logLevel, org: config.org.name });
    return await rebuild(target, market, through, logger, config.chaincode);
  } finally {
    market.close();
  }
}

/**
 * How long a client may take to send a request. Without these, a request whose Content-Length promises
 * more bytes than it sends holds its connection (and its slot in the body parser) for ever.
 */
export interface HttpTimeouts {
  /** Until the whole request (headers and body) has arrived; Node answers 408 and closes after it. */
  readonly requestTimeout: number;
  /** Until the headers have arrived (at most requestTimeout). */
  readonly headersTimeout: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeout: number;
  /** How often Node checks the two request timeouts: a timeout fires up to this much late. */
  readonly connectionsCheckingInterval: number;
}

/**
 * The request timeouts cover receiving the request only, never the answer: an event stream (a GET with
 * no body) is received at once and then lives as long as its client, and a write's own deadline
 * (`ECF_GATEWAY_TIMEOUT_MS`) bounds the wait for Fabric. A 64 KiB body needs far less than 30 s.
 */
export const HTTP_TIMEOUTS: HttpTimeouts = {
  requestTimeout: 30_000,
  headersTimeout: 15_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
};

/** Starts an HTTP server for the app with the request timeouts set (port 0: any free port). */
export async function listen(
  app: RequestListener,
  port: number,
  host: string,
  timeouts: HttpTimeouts = HTTP_TIMEOUTS,
): Promise<Server> {
  const server = createServer(
    {
      requestTimeout: timeouts.requestTimeout,
      headersTimeout: timeouts.headersTimeout,
      keepAliveTimeout: timeouts.keepAliveTimeout,
      connectionsCheckingInterval: timeouts.connectionsCheckingInterval,
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    // Left attached: a later server error is not an uncaught exception. A port already taken (or any
    // other listen error) rejects, so that the gateway process exits non-zero instead of running unbound.
    server.on('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err })),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}

export interface RunningGateway {
  readonly server: Server;
  readonly deps: GatewayDeps;
  close(): Promise<void>;
}

export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  // The port first: a gateway that cannot have it fails before it opens anything, and answers 503 until
  // its app is ready (readiness probes wait for 200).
  let app: RequestListener | undefined;
  const server = await listen(
    (req, res) => {
      if (app) return app(req, res);
      res.writeHead(503, { 'Retry-After': '1' }).end();
    },
    config.port,
    config.host,
  );
  try {
    return await serveOn(server, config, (ready) => (app = ready));
  } catch (err) {
    server.close();
    throw err;
  }
}

/** Opens the wallet and the org's Fabric and CA connections, then hands the app to the bound server. */
async function serveOn(
  server: Server,
  config: GatewayConfig,
  serve: (app: RequestListener) => void,
): Promise<RunningGateway> {
  const paths = gatewayPaths(config);
  const wallet = await openWallet(config);
  const logger = createLogger({ level: config.logLevel, org: config.org.name });
  const unfollow = followOrgIdentities(config, wallet, (label, err) =>
    logger.warn('could not re-import a rotated identity', { identity: label, error: (err as Error).message }),
  );
  const fabric = channelPort(config, wallet, 'market');
  const ca = new FabricCa(
    {
      url: `https://${config.placement.address(config.org.ca, config.org.ca.port)}`,
      caName: `ca-${config.org.slug}`,
      tlsRootCert: readFileSync(config.layout.tlsCaCert(config.org.slug), 'utf8'),
    },
    wallet,
    ADMIN_IDENTITY,
  );
  // The audit channel: every org reads the records naming it; the regulator's relay files them.
  const audit = channelPort(config, wallet, 'audit');
  const tokens = new TokenStore(paths.tokens, { cache: config.settings.tokenCache });
  const deps: GatewayDeps = {
    org: config.info,
    fabric,
    audit,
    relayCheckpointFile: paths.relayCheckpoint,
    ...(config.org.role === 'trustee' ? { capTableUrl: `http://127.0.0.1:${capTablePort(config)}` } : {}),
    ...(config.org.role === 'regulator'
      ? { prometheus: prometheusOver(`http://127.0.0.1:${monitoringPorts(config.topology).prometheus}`) }
      : {}),
    ca,
    wallet,
    tokens,
    authenticators: [tokens],
    idempotency: new IdempotencyStore(paths.idempotency),
    pending: new PendingStore(paths.pending),
    logger,
    metrics: new Metrics({
      ...(config.org.role === 'regulator' ? { relayCheckpointFile: paths.relayCheckpoint } : {}),
      certificates: () => orgCertificateExpiries(config.layout, config.org),
    }),
    config: config.settings,
    version: packageVersion(),
  };
  serve(createApp(deps));
  logger.info('listening', { port: config.port, mspId: config.org.mspId, channel: config.channel });
  return {
    server,
    deps,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      unfollow();
      fabric.close();
      audit.close();
    },
  };
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}
