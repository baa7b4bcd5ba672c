import { signers, type HSMSignerFactory, type Signer } from '@hyperledger/fabric-gateway';
import { execFileSync } from 'node:child_process';
import { createHash, randomInt, X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type Layout } from './layout';
import type { Org } from './topology';

/**
 * Keys in a PKCS#11 token (decision 45): one SoftHSM2 token per org, labelled with the org's slug, its
 * objects in the network's home (<home>/hsm/tokens). The org's user PIN and security officer PIN live in
 * the org's state folder (<crypto>/<org>/hsm.json, mode 0600), beside the CA enrollment secrets that
 * protect the same identities: whoever may read one may read the other.
 */
export interface OrgToken {
  readonly label: string;
  readonly pin: string;
}

interface TokenFile extends OrgToken {
  readonly soPin: string;
  initialized: boolean;
}

export interface HsmPaths {
  readonly dir: string;
  /** SOFTHSM2_CONF: where SoftHSM keeps its token objects. */
  readonly conf: string;
  readonly tokens: string;
}

export function hsmPaths(layout: Layout): HsmPaths {
  const dir = join(layout.home, 'hsm');
  return { dir, conf: join(dir, 'softhsm2.conf'), tokens: join(dir, 'tokens') };
}

function tokenFile(layout: Layout, org: Org): string {
  return join(layout.org(org.slug), 'hsm.json');
}

/** Whether the network's orgs keep their keys in the token: the topology's `keys: hsm`. */
export function hsmEnabled(layout: Layout): boolean {
  return existsSync(hsmPaths(layout).conf);
}

let library: string | undefined;

/** The PKCS#11 module (SoftHSM2 from Debian's packages, or SOFTHSM2_LIB), installed on first use. */
export function hsmLibrary(): string {
  library ??= execFileSync('bash', [join(REPO_ROOT, 'scripts', 'install-softhsm.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return library;
}

export function softhsmConf(paths: HsmPaths): string {
  return [
    `directories.tokendir = ${paths.tokens}`,
    'objectstore.backend = file',
    'log.level = ERROR',
    'slots.removable = false',
    '',
  ].join('\n');
}

/**
 * Points this process's PKCS#11 module at the network's token folder. SoftHSM reads SOFTHSM2_CONF when a
 * process first initialises it, so this runs before any signer or crypto suite is made.
 */
export function useHsm(layout: Layout): HsmPaths {
  const paths = hsmPaths(layout);
  process.env.SOFTHSM2_CONF = paths.conf;
  return paths;
}

/** Writes the SoftHSM configuration and initialises each org's token once. Idempotent. */
export function ensureTokens(layout: Layout, orgs: readonly Org[]): void {
  const paths = hsmPaths(layout);
  mkdirSync(paths.tokens, { recursive: true, mode: 0o700 });
  writeFileSync(paths.conf, softhsmConf(paths));
  const lib = hsmLibrary();
  for (const org of orgs) {
    const file = tokenFile(layout, org);
    mkdirSync(layout.org(org.slug), { recursive: true });
    const token: TokenFile = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as TokenFile)
      : { label: org.slug, pin: newPin(), soPin: newPin(), initialized: false };
    // Written before the token exists, so a crash between the two leaves the PINs the token will get.
    writeFileSync(file, JSON.stringify(token, null, 2), { mode: 0o600 });
    if (token.initialized) continue;
    execFileSync(
      'softhsm2-util',
      ['--module', lib, '--init-token', '--free', '--label', token.label, '--pin', token.pin, '--so-pin', token.soPin],
      { env: { ...process.env, SOFTHSM2_CONF: paths.conf }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    token.initialized = true;
    writeFileSync(file, JSON.stringify(token, null, 2), { mode: 0o600 });
  }
}

export function orgToken(layout: Layout, org: Org): OrgToken {
  const { label, pin } = JSON.parse(readFileSync(tokenFile(layout, org), 'utf8')) as TokenFile;
  return { label, pin };
}

/** A random numeric PIN; SoftHSM accepts 4 to 255 characters. */
function newPin(): string {
  return Array.from({ length: 16 }, () => randomInt(10)).join('');
}

/**
 * The subject key identifier Fabric's BCCSP and fabric-common both give a key as its CKA_ID: SHA-256 of
 * the uncompressed EC point. The certificate alone finds its key in the token.
 */
export function subjectKeyId(certificatePem: string | Buffer): Buffer {
  const jwk = new X509Certificate(certificatePem).publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || !jwk.x || !jwk.y) throw new Error('the certificate does not hold an EC public key');
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  return createHash('sha256').update(point).digest();
}

/**
 * The `bccsp` section of fabric-ca-client's configuration: keys generated in the org's token, none in
 * msp/keystore. fabric-ca-client reads the PIN only from its configuration file, not from the
 * environment, so the file lives in the org's state folder beside the PIN itself.
 */
export function caClientConfig(layout: Layout, org: Org): string {
  // The fabric-ca-client child processes inherit the token folder from this one.
  useHsm(layout);
  const { label, pin } = orgToken(layout, org);
  const file = join(layout.org(org.slug), 'hsm-ca-client.yaml');
  const yaml = [
    'bccsp:',
    '  default: PKCS11',
    '  pkcs11:',
    `    library: ${hsmLibrary()}`,
    `    label: ${JSON.stringify(label)}`,
    `    pin: ${JSON.stringify(pin)}`,
    '    hash: SHA2',
    '    security: 256',
    '',
  ].join('\n');
  writeFileSync(file, yaml, { mode: 0o600 });
  return file;
}

/** Environment for any process that opens the network's tokens. */
export function tokenEnv(layout: Layout): Record<string, string> {
  return { SOFTHSM2_CONF: hsmPaths(layout).conf };
}

/**
 * Environment for an ordering node to sign with the org's token (its BCCSP). The peer ignores these
 * variables in Fabric 3.1; its settings go into its core.yaml (peer-config.ts).
 */
export function bccspEnv(layout: Layout, org: Org, prefix: 'ORDERER_GENERAL'): Record<string, string> {
  const { label, pin } = orgToken(layout, org);
  const p = `${prefix}_BCCSP`;
  return {
    ...tokenEnv(layout),
    [`${p}_DEFAULT`]: 'PKCS11',
    [`${p}_PKCS11_LIBRARY`]: hsmLibrary(),
    [`${p}_PKCS11_LABEL`]: label,
    [`${p}_PKCS11_PIN`]: pin,
    [`${p}_PKCS11_HASH`]: 'SHA2',
    [`${p}_PKCS11_SECURITY`]: '256',
  };
}

/** fabric-network's HsmX509Provider options for an org (fabric-common's PKCS#11 crypto suite). */
export function cryptoSuiteOptions(layout: Layout, org: Org): { lib: string; label: string; pin: string } {
  useHsm(layout);
  const { label, pin } = orgToken(layout, org);
  return { lib: caSuiteLibrary(layout), label, pin };
}

/**
 * fabric-common (pkcs11js 1.x) and fabric-gateway (pkcs11js 2.x) each call C_Initialize on the module
 * they load, and a PKCS#11 module refuses a second C_Initialize in one process. The dynamic loader shares
 * one instance per file, so fabric-common gets its own copy of the module: two instances over the same
 * token folder, as two processes would be.
 */
function caSuiteLibrary(layout: Layout): string {
  const copy = join(hsmPaths(layout).dir, 'pkcs11-ca-suite.so');
  if (!existsSync(copy)) copyFileSync(hsmLibrary(), copy);
  return copy;
}

let factory: HSMSignerFactory | undefined;

/**
 * A fabric-gateway signer for the key of `certificatePem` in the org's token. One factory (one PKCS#11
 * initialisation) serves the whole process; each signer holds its own logged-in session.
 */
export function hsmSigner(
  layout: Layout,
  org: Org,
  certificatePem: string | Buffer,
): { signer: Signer; close(): void } {
  useHsm(layout);
  factory ??= signers.newHSMSignerFactory(hsmLibrary());
  const { label, pin } = orgToken(layout, org);
  return factory.newSigner({ label, pin, identifier: subjectKeyId(certificatePem) });
}
