#!/usr/bin/env node
import {
  choosePlacement,
  crashProcess,
  dialHost,
  Layout,
  loadTopology,
  portAccepting,
  REPO_ROOT,
  runningPid,
  startProcess,
  stopProcess,
  waitHealthy,
} from '@ecf/network';
import { join } from 'node:path';
import { ALL_SCOPES, Scope } from './auth/principal';
import { roleOfCertificate } from './auth/certificate';
import { tokenExpiry } from './auth/token-expiry';
import { TokenStore } from './auth/tokens';
import { gatewayPort, loadConfig } from './config';
import { helpFor, USAGE } from './cli-usage';

/** Loaded on use, never before `--help` is answered: it brings in fabric-common, which parses argv itself. */
const server = () => import('./server.js');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function need(name: string): string {
  const v = arg(name);
  if (!v) throw new Error(`${name} is required\n${USAGE}`);
  return v;
}

const topologyFile = () => arg('--topology') ?? join(REPO_ROOT, 'network', 'topology.yaml');
const processId = (slug: string) => `gateway.${slug}`;
/** The audit relay's process id (it shares the `gateway.` prefix that `network down` stops). */
const relayId = (slug: string) => `gateway.relay.${slug}`;
/** The trustee's cap table service's process id (stopped with the gateways, like the relay). */
const capTableId = (slug: string) => `gateway.captable.${slug}`;

async function main(): Promise<void> {
  const help = helpFor(process.argv.slice(2));
  if (help !== undefined) {
    console.log(help);
    return;
  }
  const [command, sub] = process.argv.slice(2);
  switch (command) {
    case 'serve': {
      const port = arg('--port');
      const { startGateway } = await server();
      const gw = await startGateway(
        loadConfig({ org: need('--org'), topologyFile: topologyFile(), ...(port ? { port: Number(port) } : {}) }),
      );
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => void gw.close().then(() => process.exit(0)));
      }
      return;
    }
    case 'relay': {
      const controller = new AbortController();
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
      const { runRelay } = await server();
      await runRelay(loadConfig({ org: need('--org'), topologyFile: topologyFile() }), controller.signal);
      return;
    }
    case 'captable':
      return capTable(sub);
    case 'up':
      return up(arg('--org'));
    case 'down':
    case 'crash': {
      const layout = new Layout();
      for (const org of selectedOrgs(arg('--org'))) {
        const ids = process.argv.includes('--relay')
          ? [relayId(org.slug)]
          : process.argv.includes('--captable')
            ? [capTableId(org.slug)]
            : [processId(org.slug), relayId(org.slug), capTableId(org.slug)];
        for (const id of ids) {
          const done = command === 'down' ? await stopProcess(layout, id, 5_000) : crashProcess(layout, id);
          if (done) console.log(`${command === 'down' ? 'stopped' : 'killed'} ${id}`);
        }
      }
      return;
    }
    case 'token':
      return token(sub);
    case 'reconcile':
    case 'register': {
      const { runReconciliation } = await import('./reconciliation/cli.js');
      const config = loadConfig({ org: need('--org'), topologyFile: topologyFile() });
      process.exitCode = await runReconciliation(command, sub, config, {
        arg,
        need,
        flag: (name) => process.argv.includes(name),
        print: (line) => console.log(line),
        fail: (line) => console.error(line),
      });
      return;
    }
    case 'identities': {
      const { openWallet } = await server();
      const wallet = await openWallet(loadConfig({ org: need('--org'), topologyFile: topologyFile() }));
      for (const label of await wallet.labels()) console.log(label);
      return;
    }
    default:
      console.log(USAGE);
      if (command !== undefined && command !== '--help') process.exitCode = 2;
  }
}

function selectedOrgs(name: string | undefined) {
  const orgs = loadTopology(topologyFile()).orgs;
  const picked = name ? orgs.filter((o) => o.name === name) : orgs;
  if (picked.length === 0) throw new Error(`no org ${name}`);
  return picked;
}

/** Starts each gateway as a detached process (logs in the network's log folder) and waits for /healthz. */
async function up(name: string | undefined): Promise<void> {
  const layout = new Layout();
  // Each gateway and relay runs where its org's nodes run: on the org's own host in the hosts placement.
  const placement = choosePlacement(layout, loadTopology(topologyFile()));
  for (const org of selectedOrgs(name)) {
    const id = processId(org.slug);
    await stopProcess(layout, id, 5_000);
    const port = gatewayPort(org);
    const host = dialHost(placement, org.ca);
    const netns = placement.netns(org.name);
    // Another program on the port would answer the health check in this gateway's place.
    if (await portAccepting(port, host)) {
      throw new Error(`${org.name}'s gateway port ${port} is taken by another process`);
    }
    startProcess(layout, {
      id,
      command: process.execPath,
      args: [__filename, 'serve', '--org', org.name, '--topology', topologyFile()],
      env: { ...process.env },
      netns,
    });
    await waitHealthy(layout, id, port, 30_000, host);
    console.log(`${org.name.padEnd(10)} gateway  http://${host}:${port}  (docs: /docs, OpenAPI: /openapi.json)`);
    if (org.role === 'regulator' && !process.argv.includes('--no-relay')) {
      const relay = relayId(org.slug);
      if (runningPid(layout, relay) === undefined) {
        startProcess(layout, {
          id: relay,
          command: process.execPath,
          args: [__filename, 'relay', '--org', org.name, '--topology', topologyFile()],
          env: { ...process.env },
          netns,
        });
      }
      console.log(
        `${org.name.padEnd(10)} audit relay  (log: ${layout.logFile(relay)}; dashboard: http://${host}:${port}/dashboard)`,
      );
    }
    if (org.role === 'trustee' && !process.argv.includes('--no-captable')) {
      const service = capTableId(org.slug);
      if (runningPid(layout, service) === undefined) {
        startProcess(layout, {
          id: service,
          command: process.execPath,
          args: [__filename, 'captable', 'serve', '--org', org.name, '--topology', topologyFile()],
          env: { ...process.env },
        });
      }
      // Migrated and listening: its queries answer from now on (the projection may still be catching up).
      const { capTablePort } = await import('./captable/service.js');
      await waitHealthy(
        layout,
        service,
        capTablePort(loadConfig({ org: org.name, topologyFile: topologyFile() })),
        60_000,
      );
      console.log(
        `${org.name.padEnd(10)} cap table  (log: ${layout.logFile(service)}; API: http://127.0.0.1:${port}/v1/captable)`,
      );
    }
  }
}

/** The trustee's cap table service (decision 46): run it, or ask the running one to reconcile. */
async function capTable(sub: string | undefined): Promise<void> {
  const config = loadConfig({ org: need('--org'), topologyFile: topologyFile() });
  const { runCapTableService, rebuildCapTable } = await server();
  const { capTablePort } = await import('./captable/service.js');
  const local = `http://127.0.0.1:${capTablePort(config)}`;
  const ask = async (method: string, path: string): Promise<unknown> => {
    const res = await fetch(`${local}${path}`, { method, signal: AbortSignal.timeout(600_000) }).catch(() => {
      throw new Error(`the cap table service of ${config.org.name} is not running (${local})`);
    });
    if (!res.ok) throw new Error(`the cap table service answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  switch (sub) {
    case 'serve': {
      const controller = new AbortController();
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
      return runCapTableService(config, controller.signal);
    }
    case 'reconcile': {
      const report = (await ask('POST', '/reconcile')) as {
        projectedThrough: string | null;
        holdersChecked: number;
        breaks: Array<Record<string, string>>;
      };
      console.log(
        `reconciled ${report.holdersChecked} holders through block ${report.projectedThrough ?? 'none'}: ${report.breaks.length} break(s)`,
      );
      for (const b of report.breaks) {
        console.log(
          `BREAK ${b.accountId} ${b.assetId}: ledger ${b.ledger}, projected ${b.projected} (difference ${b.difference})`,
        );
      }
      if (report.breaks.length) process.exitCode = 1;
      return;
    }
    case 'rebuild': {
      const into = arg('--into');
      const url = arg('--database-url');
      if (!into === !url) throw new Error('captable rebuild needs one of --into FOLDER or --database-url URL');
      const through = need('--through');
      if (!/^\d{1,19}$/.test(through)) throw new Error('--through is a block number');
      console.log(JSON.stringify(await rebuildCapTable(config, url ? { url } : { folder: into }, BigInt(through))));
      return;
    }
    case 'digest':
      console.log(JSON.stringify(await ask('GET', '/digest')));
      return;
    default:
      throw new Error(USAGE);
  }
}

async function token(sub: string | undefined): Promise<void> {
  const config = loadConfig({ org: need('--org'), topologyFile: topologyFile() });
  const { gatewayPaths, openWallet } = await server();
  const store = new TokenStore(gatewayPaths(config).tokens);
  switch (sub) {
    case 'create': {
      const label = need('--identity');
      const wallet = await openWallet(config);
      const identity = await wallet.get(label);
      const { role, accountId } = roleOfCertificate(identity.credentials.certificate);
      const scopes = (arg('--scopes') ?? ALL_SCOPES.join(',')).split(',');
      for (const s of scopes) if (!ALL_SCOPES.includes(s as Scope)) throw new Error(`unknown scope ${s}`);
      // Every token expires (90 days by default), like the ones operators issue to customers.
      const expiresIn = arg('--expires-in');
      const expiresDays = arg('--expires-days');
      const expiresAt = tokenExpiry({
        ...(expiresIn !== undefined ? { expiresIn } : {}),
        ...(expiresDays !== undefined ? { expiresDays } : {}),
      });
      const { token: secret, record } = store.create({
        identity: label,
        role,
        ...(accountId ? { accountId } : {}),
        scopes: scopes as Scope[],
        description: arg('--description') ?? '',
        expiresAt,
      });
      console.error(
        `token ${record.id}: ${record.role}${accountId ? ` ${accountId}` : ''} as ${label}, scopes ${record.scopes.join(',')}, expires ${record.expiresAt}`,
      );
      console.log(secret);
      return;
    }
    case 'list':
      for (const r of store.list()) {
        console.log(
          `${r.id}  ${r.identity}  ${r.role}${r.accountId ? `(${r.accountId})` : ''}  ${r.scopes.join(',')}  ${r.createdAt}${r.expiresAt ? ` expires ${r.expiresAt}` : ''}  ${r.description}`,
        );
      }
      return;
    case 'revoke': {
      const id = arg('--id');
      const identity = arg('--identity');
      if (!id && !identity) throw new Error('token revoke needs --id or --identity');
      console.log(`revoked ${store.revoke({ ...(id ? { id } : {}), ...(identity ? { identity } : {}) })} token(s)`);
      return;
    }
    default:
      throw new Error(USAGE);
  }
}

main().catch((err: unknown) => {
  console.error(`gateway-api: ${(err as Error).message}`);
  process.exit(1);
});
