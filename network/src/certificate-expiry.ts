import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Layout } from './layout';
import type { Org } from './topology';

export interface CertificateExpiry {
  /** The identity folder's name (peer0, orderer0, admin, gateway, ca…), or `msp` for the org's roots. */
  readonly identity: string;
  readonly usage: 'enrollment' | 'tls' | 'ca-root' | 'tlsca-root';
  /** Seconds since the epoch. */
  readonly notAfter: number;
}

/**
 * When each of an org's certificates expires: its CA and TLS CA roots, and every enrolled identity's
 * enrollment and TLS certificate. Fabric exports no such metric; the org's gateway does (see
 * docs/operations.md). Files that are missing or unreadable are left out, never guessed.
 */
export function orgCertificateExpiries(layout: Layout, org: Org): CertificateExpiry[] {
  const out: CertificateExpiry[] = [];
  const add = (file: string, identity: string, usage: CertificateExpiry['usage']) => {
    const notAfter = notAfterOf(file);
    if (notAfter !== undefined) out.push({ identity, usage, notAfter });
  };
  add(layout.caCert(org.slug), 'msp', 'ca-root');
  add(layout.tlsCaCert(org.slug), 'msp', 'tlsca-root');
  const identities = join(layout.org(org.slug), 'identities');
  if (!existsSync(identities)) return out;
  for (const name of readdirSync(identities).sort()) {
    add(join(identities, name, 'msp', 'signcerts', 'cert.pem'), name, 'enrollment');
    add(join(identities, name, 'tls', 'server.crt'), name, 'tls');
  }
  return out;
}

function notAfterOf(file: string): number | undefined {
  try {
    const seconds = Date.parse(new X509Certificate(readFileSync(file)).validTo) / 1000;
    return Number.isFinite(seconds) ? Math.floor(seconds) : undefined;
  } catch {
    return undefined;
  }
}
