import { join, resolve } from 'node:path';

/** The repository root (network/dist/layout.js lives two levels below it). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * Where one network instance keeps its runtime state. The default instance lives in the repository
 * (.fabric/ and crypto-config/, both git-ignored); tests point ECF_NETWORK_HOME elsewhere to run a
 * second, independent instance.
 */
export class Layout {
  readonly home: string;
  readonly crypto: string;

  constructor(home = process.env.ECF_NETWORK_HOME, crypto = process.env.ECF_CRYPTO_DIR) {
    this.home = resolve(home ?? join(REPO_ROOT, '.fabric'));
    this.crypto = resolve(crypto ?? (home ? join(this.home, 'crypto-config') : join(REPO_ROOT, 'crypto-config')));
  }

  get run(): string {
    return join(this.home, 'run');
  }
  get logs(): string {
    return join(this.home, 'logs');
  }
  get data(): string {
    return join(this.home, 'data');
  }
  /** The org gateways' state (wallet, token hashes, idempotency records, relay checkpoint). */
  get gateways(): string {
    return join(this.home, 'gateway');
  }
  get generated(): string {
    return join(this.home, 'generated');
  }
  get stateFile(): string {
    return join(this.run, 'network.json');
  }
  pidFile(nodeId: string): string {
    return join(this.run, `${nodeId}.pid`);
  }
  logFile(nodeId: string): string {
    return join(this.logs, `${nodeId}.log`);
  }
  nodeData(nodeId: string): string {
    return join(this.data, nodeId);
  }
  /** FABRIC_CFG_PATH of a peer or orderer: the folder holding its core.yaml or orderer.yaml. */
  nodeConfig(nodeId: string): string {
    return join(this.generated, 'nodes', nodeId);
  }
  org(slug: string): string {
    return join(this.crypto, slug);
  }
  /** The org's channel MSP: CA root, TLS CA root and NodeOU config. */
  orgMsp(slug: string): string {
    return join(this.org(slug), 'msp');
  }
  caHome(slug: string, kind: 'ca' | 'tlsca'): string {
    return join(this.org(slug), `${kind}-server`);
  }
  tlsCaCert(slug: string): string {
    return join(this.orgMsp(slug), 'tlscacerts', 'tlsca.pem');
  }
  caCert(slug: string): string {
    return join(this.orgMsp(slug), 'cacerts', 'ca.pem');
  }
  /** An identity's folder: msp/ (enrollment) and tls/ (server.crt, server.key, ca.crt). */
  identity(slug: string, name: string): string {
    return join(this.org(slug), 'identities', name);
  }
  secrets(slug: string): string {
    return join(this.org(slug), 'secrets.json');
  }
  channelBlock(channel: string): string {
    return join(this.generated, 'channels', `${channel}.block`);
  }
  chaincodePackage(name: string): string {
    return join(this.generated, 'chaincode', `${name}.tar.gz`);
  }
}
