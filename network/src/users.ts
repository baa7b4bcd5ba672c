import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { enrollOnce, newSecret, normaliseMsp, registerOnce } from './ca';
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
  const caClient = join(bin, 'fabric-ca-client');
  const tlsRoot = layout.tlsCaCert(org.slug);
  const secret = newSecret();
  const attrList = Object.entries(attrs)
    .map(([k, v]) => `${k}=${v}:ecert`)
    .join(',');
  const registrar = layout.identity(org.slug, 'admin');
  await registerOnce(caClient, org.ca, registrar, tlsRoot, name, secret, 'client', ['--id.attrs', attrList]);
  await enrollOnce(caClient, org.ca, home, 'msp', name, secret, tlsRoot);
  normaliseMsp(layout, org, join(home, 'msp'));
  return home;
}
