import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { binary, dialHost, localTlsHosts, type NetworkContext } from './context';
import { run } from './exec';
import { caClientConfig, ensureTokens } from './hsm';
import type { Layout } from './layout';
import { CA_ADMIN, caEnv, type Placement } from './node-env';
import { runningPid, startProcess, waitHealthy } from './processes';
import type { CaNode, Org } from './topology';

/** Who the CAs register for an org, and with which ecert attributes (role is read by the chaincode). */
interface IdentitySpec {
  readonly name: string;
  readonly type: 'admin' | 'peer' | 'orderer' | 'client';
  readonly attrs?: string;
  /** Also enroll a TLS certificate with these extra hostnames. */
  readonly tlsHosts?: readonly string[];
  /** Enroll an ecert at the org's enrollment CA (false for the CA server's own TLS identity). */
  readonly ecert: boolean;
}

interface Secrets {
  caAdmin: string;
  tlsCaAdmin: string;
  identities: Record<string, string>;
}

export function identitiesOf(org: Org, p: Pick<Placement, 'tlsHosts'> = { tlsHosts: localTlsHosts }): IdentitySpec[] {
  return [
    { name: 'ca', type: 'client', tlsHosts: p.tlsHosts(org.name, org.ca.hostname), ecert: false },
    ...org.orderers.map((o): IdentitySpec => ({
      name: o.name,
      type: 'orderer',
      tlsHosts: p.tlsHosts(org.name, o.hostname),
      ecert: true,
    })),
    ...org.peers.map((peer): IdentitySpec => ({
      name: peer.name,
      type: 'peer',
      tlsHosts: p.tlsHosts(org.name, peer.hostname),
      ecert: true,
    })),
    {
      name: 'admin',
      type: 'admin',
      // The org admin registers and revokes the org's end users (investors, issuers) at its CA.
      attrs: `role=${org.role}:ecert,hf.Registrar.Roles=client,hf.Registrar.Attributes=*,hf.Revoker=true,hf.GenCRL=true`,
      tlsHosts: p.tlsHosts(org.name),
      ecert: true,
    },
    { name: 'gateway', type: 'client', attrs: `role=${org.role}:ecert`, ecert: true },
  ];
}

/** Starts an org's TLS CA and enrollment CA and enrolls every identity the network needs. Idempotent. */
export async function bootstrapOrgCrypto(ctx: NetworkContext, org: Org): Promise<void> {
  const { layout } = ctx;
  mkdirSync(layout.org(org.slug), { recursive: true });
  const secrets = loadSecrets(ctx, org);
  const caClient = binary(ctx, 'fabric-ca-client');

  await ensureCa(ctx, org, org.tlsCa, secrets.tlsCaAdmin);
  mkdirSync(join(layout.orgMsp(org.slug), 'tlscacerts'), { recursive: true });
  copyFileSync(join(layout.caHome(org.slug, 'tlsca'), 'ca-cert.pem'), layout.tlsCaCert(org.slug));

  const specs = identitiesOf(org, ctx.placement);
  const tlsCaAt = ctx.placement.address(org.tlsCa, org.tlsCa.port);
  const caAt = ctx.placement.address(org.ca, org.ca.port);
  const tlsAdminHome = layout.identity(org.slug, 'tlsca-admin');
  await enrollOnce(
    caClient,
    org.tlsCa,
    tlsAdminHome,
    'msp',
    CA_ADMIN,
    secrets.tlsCaAdmin,
    layout.tlsCaCert(org.slug),
    [],
    tlsCaAt,
  );
  for (const spec of specs.filter((s) => s.tlsHosts)) {
    const home = layout.identity(org.slug, spec.name);
    if (existsSync(join(home, 'tls', 'server.crt'))) continue;
    const secret = secretFor(ctx, org, secrets, spec.name);
    const tlsRoot = layout.tlsCaCert(org.slug);
    await registerOnce(caClient, org.tlsCa, tlsAdminHome, tlsRoot, spec.name, secret, 'client', [], tlsCaAt);
    await enrollOnce(
      caClient,
      org.tlsCa,
      home,
      'tls-enroll',
      spec.name,
      secret,
      tlsRoot,
      ['--enrollment.profile', 'tls', '--csr.hosts', (spec.tlsHosts ?? []).join(',')],
      tlsCaAt,
    );
    const enrolled = join(home, 'tls-enroll');
    mkdirSync(join(home, 'tls'), { recursive: true });
    copyFileSync(join(enrolled, 'signcerts', 'cert.pem'), join(home, 'tls', 'server.crt'));
    copyFileSync(onlyFile(join(enrolled, 'keystore')), join(home, 'tls', 'server.key'));
    copyFileSync(layout.tlsCaCert(org.slug), join(home, 'tls', 'ca.crt'));
    rmSync(enrolled, { recursive: true, force: true });
  }

  await ensureCa(ctx, org, org.ca, secrets.caAdmin);
  mkdirSync(join(layout.orgMsp(org.slug), 'cacerts'), { recursive: true });
  // With `keys: hsm` every ecert key of the org (its nodes, admin and gateway) is generated in its token;
  // TLS keys and the CA's bootstrap registrar stay in files (decision 45).
  const hsm = ctx.topology.keys === 'hsm';
  if (hsm) ensureTokens(layout, [org]);
  copyFileSync(join(layout.caHome(org.slug, 'ca'), 'ca-cert.pem'), layout.caCert(org.slug));
  writeFileSync(join(layout.orgMsp(org.slug), 'config.yaml'), nodeOuConfig());

  const caAdminHome = layout.identity(org.slug, 'ca-admin');
  const tlsRoot = layout.tlsCaCert(org.slug);
  await enrollOnce(caClient, org.ca, caAdminHome, 'msp', CA_ADMIN, secrets.caAdmin, tlsRoot, [], caAt);
  for (const spec of specs.filter((s) => s.ecert)) {
    const home = layout.identity(org.slug, spec.name);
    if (existsSync(join(home, 'msp', 'config.yaml'))) continue;
    const secret = secretFor(ctx, org, secrets, `${spec.name}@ca`);
    const attrs = spec.attrs ? ['--id.attrs', spec.attrs] : [];
    await registerOnce(caClient, org.ca, caAdminHome, tlsRoot, spec.name, secret, spec.type, attrs, caAt);
    const inToken = hsm ? ['-c', caClientConfig(layout, org)] : [];
    await enrollOnce(caClient, org.ca, home, join(home, 'msp'), spec.name, secret, tlsRoot, inToken, caAt);
    normaliseMsp(layout, org, join(home, 'msp'));
  }
}

/** Starts a CA server unless it already runs, and waits for its health endpoint. */
export async function ensureCa(ctx: NetworkContext, org: Org, ca: CaNode, adminSecret: string): Promise<void> {
  if (runningPid(ctx.layout, ca.id) === undefined) {
    mkdirSync(ctx.layout.caHome(org.slug, ca.kind), { recursive: true });
    startProcess(ctx.layout, {
      id: ca.id,
      command: binary(ctx, 'fabric-ca-server'),
      args: ['start', '-b', `${CA_ADMIN}:${adminSecret}`],
      env: caEnv(ctx.topology, ca, ctx.placement),
      netns: ctx.placement.netns(org.name),
    });
  }
  await waitHealthy(ctx.layout, ca.id, ca.operationsPort, 60_000, dialHost(ctx.placement, ca));
}

export function loadSecrets(ctx: NetworkContext, org: Org): Secrets {
  const file = ctx.layout.secrets(org.slug);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Secrets;
  const secrets: Secrets = { caAdmin: newSecret(), tlsCaAdmin: newSecret(), identities: {} };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function secretFor(ctx: NetworkContext, org: Org, secrets: Secrets, key: string): string {
  const existing = secrets.identities[key];
  if (existing) return existing;
  const secret = newSecret();
  secrets.identities[key] = secret;
  // Written before registering, so a re-run after a crash enrolls with the secret the CA already has.
  writeFileSync(ctx.layout.secrets(org.slug), JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secret;
}

export function newSecret(): string {
  return randomBytes(18).toString('base64url');
}

/** Registers an identity at a CA (as the registrar whose enrollment is in `registrarHome`); idempotent. */
export async function registerOnce(
  caClient: string,
  ca: CaNode,
  registrarHome: string,
  tlsRoot: string,
  name: string,
  secret: string,
  type: string,
  extra: string[] = [],
  address = `127.0.0.1:${ca.port}`,
): Promise<void> {
  try {
    await run(caClient, [
      'register',
      '-u',
      `https://${address}`,
      '-H',
      registrarHome,
      '--mspdir',
      'msp',
      '--tls.certfiles',
      tlsRoot,
      '--id.name',
      name,
      '--id.secret',
      secret,
      '--id.type',
      type,
      ...extra,
    ]);
  } catch (err) {
    if (!/already registered/i.test((err as Error).message)) throw err;
  }
}

/** Enrolls an identity into `home`/`mspdir` unless it already holds a certificate there. */
export async function enrollOnce(
  caClient: string,
  ca: CaNode,
  home: string,
  mspdir: string,
  name: string,
  secret: string,
  tlsRoot: string,
  extra: string[] = [],
  address = `127.0.0.1:${ca.port}`,
): Promise<void> {
  if (existsSync(join(resolve(home, mspdir), 'signcerts', 'cert.pem'))) return;
  mkdirSync(home, { recursive: true });
  await run(caClient, [
    'enroll',
    '-u',
    `https://${encodeURIComponent(name)}:${encodeURIComponent(secret)}@${address}`,
    '-H',
    home,
    '--mspdir',
    mspdir,
    '--tls.certfiles',
    tlsRoot,
    ...extra,
  ]);
}

/** Stable file names (cacerts/ca.pem, keystore/key.pem), the TLS root, and NodeOU classification. */
export function normaliseMsp(layout: Layout, org: Org, msp: string): void {
  for (const dir of ['cacerts', 'keystore']) {
    // A key generated in a PKCS#11 token leaves the keystore empty.
    if (dir === 'keystore' && readdirSync(join(msp, dir)).length === 0) continue;
    const file = onlyFile(join(msp, dir));
    const target = join(msp, dir, dir === 'cacerts' ? 'ca.pem' : 'key.pem');
    if (file !== target) renameSync(file, target);
  }
  mkdirSync(join(msp, 'tlscacerts'), { recursive: true });
  copyFileSync(layout.tlsCaCert(org.slug), join(msp, 'tlscacerts', 'tlsca.pem'));
  writeFileSync(join(msp, 'config.yaml'), nodeOuConfig());
}

function onlyFile(dir: string): string {
  const files = readdirSync(dir).filter((f) => !f.startsWith('.'));
  if (files.length !== 1 || !files[0]) throw new Error(`expected exactly one file in ${dir}, found ${files.length}`);
  return join(dir, files[0]);
}

/** NodeOUs: an identity's role in the org (client, peer, admin, orderer) comes from its certificate's OU. */
export function nodeOuConfig(): string {
  const ou = (name: string) =>
    `  ${name}OUIdentifier:\n    Certificate: cacerts/ca.pem\n    OrganizationalUnitIdentifier: ${name.toLowerCase()}\n`;
  return `NodeOUs:\n  Enable: true\n${ou('Client')}${ou('Peer')}${ou('Admin')}${ou('Orderer')}`;
}
