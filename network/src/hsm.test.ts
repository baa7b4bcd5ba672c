import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Utils, type ICryptoKey } from 'fabric-common';
import {
  bccspEnv,
  caClientConfig,
  cryptoSuiteOptions,
  ensureTokens,
  hsmPaths,
  hsmSigner,
  orgToken,
  softhsmConf,
  subjectKeyId,
} from './hsm';
import { Layout } from './layout';
import { buildTopology, type Org, type PeerNode, type Topology } from './topology';
import type { NetworkContext } from './context';
import { writePeerConfig } from './peer-config';
import { parse } from 'yaml';
import { REPO_ROOT } from './layout';

/** A certificate for a key held in the token, signed by a throwaway CA with openssl (the test's own CA). */
function certify(dir: string, csrPem: string): string {
  const ca = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', ca('ca.key')]);
  openssl(['req', '-x509', '-new', '-key', ca('ca.key'), '-subj', '/CN=test-ca', '-days', '1', '-out', ca('ca.pem')]);
  writeFileSync(ca('req.csr'), csrPem);
  openssl([
    'x509',
    '-req',
    '-in',
    ca('req.csr'),
    '-CA',
    ca('ca.pem'),
    '-CAkey',
    ca('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    ca('leaf.pem'),
  ]);
  return readFileSync(ca('leaf.pem'), 'utf8');
}

describe('keys in a PKCS#11 token (SoftHSM2)', function () {
  this.timeout(60_000);
  let dir: string;
  let layout: Layout;
  let org: Org;
  let topology: Topology;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecf-hsm-'));
    layout = new Layout(join(dir, 'net'), join(dir, 'net', 'crypto'));
    topology = buildTopology(parse(readFileSync(join(REPO_ROOT, 'network', 'topology.yaml'), 'utf8')));
    org = topology.orgs[0] as Org;
    ensureTokens(layout, [org]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('initialises one token per org once, its PINs in the org folder readable by the owner only', () => {
    const token = orgToken(layout, org);
    expect(token.label).to.equal(org.slug);
    expect(token.pin).to.match(/^\d{16}$/);
    expect(statSync(join(layout.org(org.slug), 'hsm.json')).mode & 0o777).to.equal(0o600);
    ensureTokens(layout, [org]);
    expect(orgToken(layout, org)).to.deep.equal(token);
    const slots = execFileSync('softhsm2-util', ['--show-slots'], {
      env: { ...process.env, SOFTHSM2_CONF: hsmPaths(layout).conf },
      encoding: 'utf8',
    });
    expect(slots.match(new RegExp(`Label:\\s+${org.slug}\\s`, 'g'))).to.have.length(1);
  });

  it('keeps token objects in the network home and configures Fabric and fabric-ca-client for the token', () => {
    const paths = hsmPaths(layout);
    expect(softhsmConf(paths)).to.include(`directories.tokendir = ${paths.tokens}`);
    const { pin } = orgToken(layout, org);
    const env = bccspEnv(layout, org, 'ORDERER_GENERAL');
    expect(env).to.include({
      ORDERER_GENERAL_BCCSP_DEFAULT: 'PKCS11',
      ORDERER_GENERAL_BCCSP_PKCS11_LABEL: org.slug,
      ORDERER_GENERAL_BCCSP_PKCS11_PIN: pin,
      SOFTHSM2_CONF: paths.conf,
    });
    const file = caClientConfig(layout, org);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(parse(readFileSync(file, 'utf8'))).to.deep.include({
      bccsp: {
        default: 'PKCS11',
        pkcs11: {
          library: env.ORDERER_GENERAL_BCCSP_PKCS11_LIBRARY,
          label: org.slug,
          pin,
          hash: 'SHA2',
          security: 256,
        },
      },
    });
  });

  it("writes a peer's PKCS#11 settings into its core.yaml, which Fabric 3.1's peer reads instead of its environment", () => {
    const fabricConfig = join(dir, 'fabric-config');
    mkdirSync(fabricConfig, { recursive: true });
    writeFileSync(join(fabricConfig, 'core.yaml'), 'peer:\n  BCCSP:\n    Default: SW\n    PKCS11:\n      Library:\n');
    const peer = org.peers[0] as PeerNode;
    const ctx = { topology: { ...topology, keys: 'hsm' as const }, layout, fabricConfig } as unknown as NetworkContext;
    const written = join(writePeerConfig(ctx, peer), 'core.yaml');
    expect(statSync(written).mode & 0o777).to.equal(0o600);
    const bccsp = (parse(readFileSync(written, 'utf8')) as { peer: { BCCSP: unknown } }).peer.BCCSP;
    expect(bccsp).to.deep.include({ Default: 'PKCS11' });
    expect(bccsp).to.have.nested.property('PKCS11.Label', org.slug);
    expect(bccsp).to.have.nested.property('PKCS11.Pin', orgToken(layout, org).pin);
  });

  it('generates a key in the token with fabric-common and signs with it through fabric-gateway, in one process', async () => {
    // fabric-common's PKCS#11 suite (what fabric-ca-client enrolls customers with) makes the key...
    const suite = Utils.newCryptoSuite({ software: false, ...cryptoSuiteOptions(layout, org) });
    const key = (await suite.generateKey()) as ICryptoKey & { generateCSR(subject: string): string };
    const certificate = certify(dir, key.generateCSR('CN=hsm-customer'));
    // ...whose CKA_ID is the SKI the certificate alone yields...
    expect(subjectKeyId(certificate).toString('hex')).to.equal(key.getSKI());
    // ...and fabric-gateway's HSM signer finds and uses it, beside fabric-common's session.
    const { signer, close } = hsmSigner(layout, org, certificate);
    const message = Buffer.from('a proposal');
    const signature = await signer(createHash('sha256').update(message).digest());
    close();
    expect(verify('sha256', message, new X509Certificate(certificate).publicKey, Buffer.from(signature))).to.equal(
      true,
    );
  });
});
