import { cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { binary, type NetworkContext } from './context';
import { run } from './exec';
import { caClientConfig, subjectKeyId } from './hsm';
import type { Org } from './topology';

/** The org identities whose key `rotate-key` may replace: the ones applications sign with. */
export const ROTATABLE_IDENTITIES = ['gateway', 'admin'] as const;
export type RotatableIdentity = (typeof ROTATABLE_IDENTITIES)[number];

export interface Rotation {
  readonly identity: string;
  /** Subject key identifiers (CKA_ID in the token) of the key before and after, hex. */
  readonly previousKey: string;
  readonly newKey: string;
}

/**
 * Re-enrolls an org identity into a new key generated in the org's token (decision 45), with no
 * downtime: the re-enrolment is written to a staging MSP folder and its certificate then renamed over
 * the live one in one step. A gateway watching that folder signs its next request with the new key; the
 * old key stays in the token, so a request already signing finishes, and the old certificate stays valid
 * until it expires or is revoked.
 */
export async function rotateKey(ctx: NetworkContext, org: Org, identity: RotatableIdentity): Promise<Rotation> {
  if (ctx.topology.keys !== 'hsm') {
    throw new Error('rotate-key replaces keys held in the org’s PKCS#11 token; this topology keeps keys in files');
  }
  const { layout } = ctx;
  const home = layout.identity(org.slug, identity);
  const msp = join(home, 'msp');
  const certFile = join(msp, 'signcerts', 'cert.pem');
  if (!existsSync(certFile)) throw new Error(`${org.name} has no enrolled ${identity} identity`);
  const previousKey = subjectKeyId(readFileSync(certFile)).toString('hex');
  const staging = join(home, 'msp-rotating');
  rmSync(staging, { recursive: true, force: true });
  cpSync(msp, staging, { recursive: true });
  try {
    // Re-enrolment is signed by the identity's current key (in the token) and generates a new key there.
    await run(binary(ctx, 'fabric-ca-client'), [
      'reenroll',
      '-u',
      `https://127.0.0.1:${org.ca.port}`,
      '-H',
      home,
      '-c',
      caClientConfig(layout, org),
      '--mspdir',
      staging,
      '--tls.certfiles',
      layout.tlsCaCert(org.slug),
    ]);
    const fresh = join(staging, 'signcerts', 'cert.pem');
    const newKey = subjectKeyId(readFileSync(fresh)).toString('hex');
    if (newKey === previousKey) throw new Error('the CA re-enrolled the identity with its old key');
    renameSync(fresh, certFile);
    return { identity, previousKey, newKey };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
