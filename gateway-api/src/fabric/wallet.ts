import type { User } from 'fabric-common';
import { Wallets, type Wallet, type X509Identity } from 'fabric-network';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FabricFailure } from './types';

/**
 * The org's identities: the fabric-network file-system wallet, the one thing this service uses from the
 * legacy SDK (transactions go through fabric-gateway). Labels are the CA enrollment ids.
 */
export class IdentityWallet {
  /**
   * Identities read once per process. Only this process writes its org's wallet (imports, onboarding,
   * renewal, revocation all go through put/remove), so the cache cannot go stale; it saves a file read
   * and a JSON parse on every request.
   */
  private readonly cache = new Map<string, X509Identity>();

  private constructor(
    private readonly wallet: Wallet,
    readonly mspId: string,
  ) {}

  static async open(dir: string, mspId: string): Promise<IdentityWallet> {
    return new IdentityWallet(await Wallets.newFileSystemWallet(dir), mspId);
  }

  async get(label: string): Promise<X509Identity> {
    const cached = this.cache.get(label);
    if (cached) return cached;
    const identity = (await this.wallet.get(label)) as X509Identity | undefined;
    if (!identity || identity.type !== 'X.509') {
      throw new FabricFailure('identity', `the wallet holds no identity ${label}`);
    }
    this.cache.set(label, identity);
    return identity;
  }

  /** A fabric-common User for fabric-ca-client calls signed by this identity. */
  async userContext(label: string): Promise<User> {
    const identity = await this.get(label);
    const provider = this.wallet.getProviderRegistry().getProvider(identity.type);
    return provider.getUserContext(identity, label);
  }

  async has(label: string): Promise<boolean> {
    return (await this.wallet.get(label)) !== undefined;
  }

  async put(label: string, certificate: string, privateKey: string): Promise<void> {
    const identity: X509Identity = { type: 'X.509', mspId: this.mspId, credentials: { certificate, privateKey } };
    await this.wallet.put(label, identity);
    this.cache.set(label, identity);
  }

  /** The entry under a label as it is now, or undefined: what `restore` puts back. */
  async snapshot(label: string): Promise<X509Identity | undefined> {
    const identity = (await this.wallet.get(label)) as X509Identity | undefined;
    return identity?.type === 'X.509' ? identity : undefined;
  }

  /** Puts a snapshot back: the entry as it was, or no entry when there was none. */
  async restore(label: string, snapshot: X509Identity | undefined): Promise<void> {
    if (!snapshot) {
      await this.remove(label);
      return;
    }
    await this.wallet.put(label, snapshot);
    this.cache.set(label, snapshot);
  }

  async remove(label: string): Promise<void> {
    await this.wallet.remove(label);
    this.cache.delete(label);
  }

  async labels(): Promise<string[]> {
    return this.wallet.list();
  }

  /**
   * Imports an enrolled MSP folder (signcerts/cert.pem, keystore/*). The folder is the source of truth for
   * the org's own identities: a wallet entry with another certificate (a network rebuilt with new CAs)
   * is replaced.
   */
  async importMsp(label: string, mspDir: string): Promise<void> {
    const certificate = readFileSync(join(mspDir, 'signcerts', 'cert.pem'), 'utf8');
    const existing = (await this.wallet.get(label)) as X509Identity | undefined;
    if (existing?.credentials.certificate === certificate) return;
    const [keyFile] = readdirSync(join(mspDir, 'keystore'));
    if (!keyFile) throw new Error(`${mspDir} has no private key`);
    await this.put(label, certificate, readFileSync(join(mspDir, 'keystore', keyFile), 'utf8'));
  }
}
