import { expect } from 'chai';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../support/client';
import { until } from '../support/eventually';
import { kyc } from '../support/fixtures';
import { admitConsortium, gatewayCli, tokenFor, upWithGateways, type Api } from '../support/http';
import { TestNetwork } from '../support/network';

const PEM_KEY = /-----BEGIN ((?:EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/g;

/** Every file under a folder, recursively (sockets and other non-files skipped). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The SubjectPublicKeyInfo of a certificate or private key, hex: what ties a key to its identity. */
const spkiOfCertificate = (pem: string) =>
  new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }).toString('hex');

describe('keys in a hardware security module (SoftHSM2 over PKCS#11)', function () {
  this.timeout(1_800_000);
  const net = new TestNetwork(9_000);
  let regulator: Api;
  let operatorA: Api;
  let operatorB: Api;

  const person = (name: string) => ({ fullName: `${name} Hsm`, nationalId: `NID-${name}`, dateOfBirth: '1990-01-01' });
  const walletEntry = (org: string, label: string) =>
    JSON.parse(readFileSync(join(net.layout.gateways, org, 'wallet', `${label}.id`), 'utf8')) as {
      type: string;
      credentials: { certificate: string; privateKey?: string };
    };
  /** The certificate of a wallet entry, or undefined while the gateway is rewriting the file. */
  const walletCertificate = (org: string, label: string): string | undefined => {
    try {
      return walletEntry(org, label).credentials.certificate;
    } catch {
      return undefined;
    }
  };

  before(async () => {
    net.editTopology((raw) => {
      raw.keys = 'hsm';
    });
    const t0 = Date.now();
    ({ regulator, operatorA, operatorB } = await upWithGateways(net));
    console.log(`    network and gateways up with keys in SoftHSM in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    await gatewayCli(net, 'down').catch(() => undefined);
    await net.destroy();
  });

  it('commits transactions signed inside the token: by the gateways, by an org identity and by a customer', async () => {
    // The regulator's gateway signs the admissions with its key in the Regulator token.
    await admitConsortium(regulator, operatorB, 'hsm suite');
    // A client of the network signs with the same token through fabric-gateway's HSM signer.
    const trustee = new Client(net.layout, net.org('Trustee'), 'gateway');
    await trustee.submit('System:Heartbeat');
    // Onboarding generates the customer's key in OperatorA's token; the customer's own read is signed there.
    const res = await operatorA.ok('POST', '/v1/accounts', {
      accountId: 'hsm-ann',
      type: 'investor',
      kyc: kyc(),
      personal: person('ann'),
    });
    expect(res).to.have.nested.property('result.identity', 'acct-hsm-ann');
    expect(walletEntry('operatora', 'acct-hsm-ann').type).to.equal('HSM-X.509');
    const ann = await tokenFor(net, 'OperatorA', 'acct-hsm-ann');
    const own = await ann.get('/v1/accounts/hsm-ann');
    expect(own.status, JSON.stringify(own.body)).to.equal(200);
  });

  it('leaves no private key PEM of an HSM-held identity in any folder of the network home', () => {
    const held = new Map<string, string>();
    for (const org of net.topology.orgs) {
      const identities = join(net.layout.org(org.slug), 'identities');
      for (const name of readdirSync(identities)) {
        const msp = join(identities, name, 'msp');
        if (!existsSync(join(msp, 'signcerts', 'cert.pem'))) continue;
        // The CA's own bootstrap registrars stay in files (decision 45); every other ecert is in the token.
        if (name === 'ca-admin' || name === 'tlsca-admin') continue;
        expect(readdirSync(join(msp, 'keystore')), `${org.name} ${name} keystore`).to.deep.equal([]);
        held.set(spkiOfCertificate(readFileSync(join(msp, 'signcerts', 'cert.pem'), 'utf8')), `${org.name}/${name}`);
      }
    }
    const customer = walletEntry('operatora', 'acct-hsm-ann');
    expect(customer.credentials.privateKey).to.equal(undefined);
    held.set(spkiOfCertificate(customer.credentials.certificate), 'OperatorA/acct-hsm-ann');
    for (const org of net.topology.orgs) {
      for (const name of ['admin', 'gateway', ...org.peers.map((p) => p.name), ...org.orderers.map((o) => o.name)]) {
        expect([...held.values()], `${org.name}/${name} held in the token`).to.include(`${org.name}/${name}`);
      }
    }

    let files = 0;
    let bytes = 0;
    const pemKeys: string[] = [];
    for (const file of filesUnder(net.home)) {
      const text = readFileSync(file).toString('latin1');
      files++;
      bytes += statSync(file).size;
      for (const match of text.matchAll(PEM_KEY)) {
        let spki: string;
        try {
          spki = createPublicKey(createPrivateKey(match[0])).export({ type: 'spki', format: 'der' }).toString('hex');
        } catch {
          // Only the CA servers' Idemix revocation key is a PEM key Node cannot read; it is no ecert key.
          expect(file, 'an unreadable PEM private key').to.match(/-server\/msp\/keystore\/IssuerRevocationPrivateKey$/);
          continue;
        }
        pemKeys.push(spki);
        expect(held.get(spki), `${file} holds the private key of an HSM-held identity`).to.equal(undefined);
      }
    }
    console.log(
      `    scanned ${files} files (${(bytes / 1e6).toFixed(1)} MB): ${pemKeys.length} PEM private keys (TLS, CA), ` +
        `none of the ${held.size} HSM-held identities`,
    );
    // The scan does find PEM keys where they remain (TLS keys, the CAs' own), so it would find a leaked one.
    expect(pemKeys.length).to.be.greaterThan(0);
  });

  it('rotates an org gateway key into a new token key while its gateway keeps serving', async () => {
    const certFile = join(net.layout.identity(net.org('OperatorA').slug, 'gateway'), 'msp', 'signcerts', 'cert.pem');
    const previous = readFileSync(certFile, 'utf8');
    let stop = false;
    let served = 0;
    const failures: string[] = [];
    const load = (async () => {
      while (!stop) {
        const r = await operatorA.get('/v1/participants/OperatorAMSP');
        if (r.status === 200) served++;
        else failures.push(`${r.status} ${JSON.stringify(r.body)}`);
      }
    })();
    const t0 = Date.now();
    const out = await net.cli('rotate-key', 'OperatorA');
    const rotatedIn = Date.now() - t0;
    const rotated = readFileSync(certFile, 'utf8');
    expect(rotated).to.not.equal(previous);
    // The gateway picks the new certificate up from disk; reads go on meanwhile.
    await until(
      async () => walletCertificate('operatora', 'gateway'),
      (cert) => cert === rotated,
      'the gateway switched to the rotated certificate',
    );
    const servedBefore = served;
    await until(
      async () => served,
      (n) => n > servedBefore,
      'reads served with the new key',
    );
    stop = true;
    await load;
    console.log(`    ${out.trim()}; rotate-key took ${rotatedIn} ms; ${served} reads served during rotation`);
    expect(failures).to.deep.equal([]);
    expect(walletEntry('operatora', 'gateway').type).to.equal('HSM-X.509');

    // A write the gateway signs with the new key commits, and so does one from a client of the network.
    const res = await operatorA.ok('POST', '/v1/accounts', {
      accountId: 'hsm-bob',
      type: 'investor',
      kyc: kyc(),
      personal: person('bob'),
    });
    expect(res).to.have.nested.property('result.identity', 'acct-hsm-bob');
    await new Client(net.layout, net.org('OperatorA'), 'gateway').submit('System:Heartbeat');
  });
});
