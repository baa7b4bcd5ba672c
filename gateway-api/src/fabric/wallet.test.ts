import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../testing/scratch';
import { IdentityWallet } from './wallet';

describe('IdentityWallet snapshot and restore (undoing an onboarding)', () => {
  it('puts back the entry a refused onboarding replaced, cache included', async () => {
    const wallet = await IdentityWallet.open(scratchDir('ecf-wallet-'), 'OperatorAMSP');
    await wallet.put('acct-alice', 'cert-old', 'key-old');
    const before = await wallet.snapshot('acct-alice');
    await wallet.put('acct-alice', 'cert-new', 'key-new');
    await wallet.restore('acct-alice', before);
    expect((await wallet.get('acct-alice')).credentials).to.deep.equal({
      certificate: 'cert-old',
      privateKey: 'key-old',
    });
  });

  it('removes an entry that did not exist before', async () => {
    const wallet = await IdentityWallet.open(scratchDir('ecf-wallet-'), 'OperatorBMSP');
    const before = await wallet.snapshot('acct-cat');
    expect(before).to.equal(undefined);
    await wallet.put('acct-cat', 'cert', 'key');
    await wallet.restore('acct-cat', before);
    expect(await wallet.has('acct-cat')).to.equal(false);
    expect(await wallet.labels()).to.deep.equal([]);
  });
});

describe('IdentityWallet with the org keys in a PKCS#11 token', () => {
  /** An MSP folder as `fabric-ca-client` with a PKCS#11 BCCSP leaves it: a certificate, no key file. */
  const tokenMsp = (certificate: string): string => {
    const msp = scratchDir('ecf-msp-');
    mkdirSync(join(msp, 'signcerts'), { recursive: true });
    mkdirSync(join(msp, 'keystore'));
    writeFileSync(join(msp, 'signcerts', 'cert.pem'), certificate);
    return msp;
  };

  it('refuses an MSP folder without a key when no token is set up', async () => {
    const wallet = await IdentityWallet.open(scratchDir('ecf-wallet-'), 'OperatorAMSP');
    const err = await wallet.importMsp('gateway', tokenMsp('cert')).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/has no private key/);
  });
});
