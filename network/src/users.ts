import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec';
import type { Layout } from './layout';
import type { Org } from './topology';

/**
 * Registers an end user (an investor or issuer of an operator) at the org's CA, with the ecert attributes
 * the chaincode reads, and enrolls it into <crypto>/<org>/identities/<name>/msp. The org admin is the
 * registrar. Returns the identity folder. The gateway API does the same through fabric-ca-client.
 */
export async function enrollUser(
  layout: Layout,
  bin: string,
  org: Org,
  name: string,
  attrs: Record<string, string>,
): Promise<string> {
  const home = layout.identity(org.slug, name);
  if (existsSync(join(home, 'msp', 'signcerts', 'cert.pem'))) return home;
  const secret = randomBytes(18).toString('base64url');
  const tls = layout.tlsCaCert(org.slug);
  const url = `127.0.0.1:${org.ca.port}`;
  const attrList = Object.entries(attrs)
    .map(([k, v]) => `${k}=${v}:ecert`)
    .join(',');
  await run(join(bin, 'fabric-ca-client'), [
    'register',
    '-u',
    `https://${url}`,
    '-H',
    layout.identity(org.slug, 'admin'),
    '--mspdir',
    'msp',
    '--tls.certfiles',
    tls,
    '--id.name',
    name,
    '--id.secret',
    secret,
    '--id.type',
    'client',
    '--id.attrs',
    attrList,
  ]);
  mkdirSync(home, { recursive: true });
  await run(join(bin, 'fabric-ca-client'), [
    'enroll',
    '-u',
    `https://${encodeURIComponent(name)}:${secret}@${url}`,
    '-H',
    home,
    '--mspdir',
    'msp',
    '--tls.certfiles',
    tls,
  ]);
  const keystore = join(home, 'msp', 'keystore');
  const [key] = readdirSync(keystore);
  if (key && key !== 'key.pem') renameSync(join(keystore, key), join(keystore, 'key.pem'));
  return home;
}
