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
    case 'up':
      return up(arg('--org'));
    case 'down':
    case 'crash': {
      const layout = new Layout();
      for (const org of selectedOrgs(arg('--org'))) {
        const relayOnly = process.argv.includes('--relay');
        const ids = relayOnly ? [relayId(org.slug)] : [processId(org.slug), relayId(org.slug)];
        for (const id of ids) {
          const done = command === 'down' ? await stopProcess(layout, id, 5_000) : crashProcess(layout, id);
          if (done) console.log(`${command === 'down' ? 'stopped' : 'killed'} ${id}`);
        }
      }
      return;
    }
    case 'token':
      return token(sub);
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
