import type { ICryptoKey, ICryptoSuite, User } from 'fabric-common';
import {
  HsmX509Provider,
  Wallets,
  type HsmOptions,
  type HsmX509Identity,
  type Wallet,
  type X509Identity,
} from 'fabric-network';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FabricFailure } from './types';

/** A certificate with its PEM key (`X.509`), or with its key in the org's PKCS#11 token (`HSM-X.509`). */
export type WalletIdentity = X509Identity | HsmX509Identity;

function isWalletIdentity(identity: unknown): identity is WalletIdentity {
  const type = (identity as { type?: unknown } | undefined)?.type;
  return type === 'X.509' || type === 'HSM-X.509';
}

/**
 * The org's identities: the fabric-network file-system wallet, the one thing this service uses from the
 * legacy SDK (transactions go through fabric-gateway). Labels are the CA enrollment ids. With the org's
 * keys in a PKCS#11 token (decision 45) an entry holds only the certificate, and new keys (onboarding,
 * renewal) are generated in the token by fabric-common's PKCS#11 crypto suite.
 */
export class IdentityWallet {
  /**
   * Identities read once per process. Only this process writes its org's wallet (imports, onboarding,
   * renewal, revocation all go through put/remove), so the cache cannot go stale; it saves a file read
   * and a JSON parse on every request.
   */
  private readonly cache = new Map<string, WalletIdentity>();

  private constructor(
    private readonly wallet: Wallet,
    readonly mspId: string,
    private readonly hsm?: HsmX509Provider,
  ) {}

  static async open(dir: string, mspId: string, hsm?: HsmOptions): Promise<IdentityWallet> {
    const wallet = await Wallets.newFileSystemWallet(dir);
    const provider = hsm ? new HsmX509Provider(hsm) : undefined;
    if (provider) wallet.getProviderRegistry().addProvider(provider);
    return new IdentityWallet(wallet, mspId, provider);
  }

  /** The crypto suite new keys are generated with: the token's, or fabric-ca-client's default (undefined). */
  cryptoSuite(): ICryptoSuite | undefined {
    return this.hsm?.getCryptoSuite();
  }

  async get(label: string): Promise<WalletIdentity> {
    const cached = this.cache.get(label);
    if (cached) return cached;
    const identity = await this.wallet.get(label);
    if (!isWalletIdentity(identity)) {
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

  /** Stores a new enrollment: its key in PEM, or, when the key is in the token, the certificate alone. */
  async putEnrollment(label: string, certificate: string, key: ICryptoKey): Promise<void> {
    if (!this.hsm) return this.put(label, certificate, key.toBytes());
    await this.putHsm(label, certificate);
  }

  private async putHsm(label: string, certificate: string): Promise<void> {
    const identity: HsmX509Identity = { type: 'HSM-X.509', mspId: this.mspId, credentials: { certificate } };
    await this.wallet.put(label, identity);
    this.cache.set(label, identity);
  }

  /** The entry under a label as it is now, or undefined: what `restore` puts back. */
  async snapshot(label: string): Promise<WalletIdentity | undefined> {
    const identity = await this.wallet.get(label);
    return isWalletIdentity(identity) ? identity : undefined;
  }

  /** Puts a snapshot back: the entry as it was, or no entry when there was none. */
  async restore(label: string, snapshot: WalletIdentity | undefined): Promise<void> {
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
   * the org's own identities: a wallet entry with another certificate (a network rebuilt with new CAs, or
   * a key rotated in the token) is replaced. An empty keystore means the key is in the org's token.
   */
  async importMsp(label: string, mspDir: string): Promise<void> {
    const certificate = readFileSync(join(mspDir, 'signcerts', 'cert.pem'), 'utf8');
    const existing = await this.wallet.get(label);
    if (isWalletIdentity(existing) && existing.credentials.certificate === certificate) return;
    const keystore = join(mspDir, 'keystore');
    const [keyFile] = existsSync(keystore) ? readdirSync(keystore) : [];
    if (keyFile) return this.put(label, certificate, readFileSync(join(keystore, keyFile), 'utf8'));
    if (!this.hsm) throw new Error(`${mspDir} has no private key`);
    await this.putHsm(label, certificate);
  }
}
