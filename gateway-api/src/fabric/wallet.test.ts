import { expect } from 'chai';
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
