import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { localTlsHosts } from './context';
import { REPO_ROOT } from './layout';
import { CA_ADMIN, caEnv, ordererEnv, peerEnv, type Placement } from './node-env';
import type { Org, Topology } from './topology';

/** Where an org's crypto folder, data and config sit inside the official images. */
const CRYPTO_MOUNT = '/etc/hyperledger/org';
const DATA_ROOT = '/var/hyperledger/production';

export const WANTED_FABRIC_VERSION = '3.1.5';
export const FABRIC_CA_VERSION = '1.5.21';

/** The Fabric version the native run uses (recorded by install-fabric.sh), so both runs match. */
export function installedFabricVersion(): string {
  const cache = join(REPO_ROOT, '.fabric', 'bin');
  if (existsSync(cache)) {
    for (const dir of readdirSync(cache).sort().reverse()) {
      const file = join(cache, dir, 'VERSION');
      if (existsSync(file)) {
        const m = /fabric=(\S+)/.exec(readFileSync(file, 'utf8'));
        if (m?.[1]) return m[1];
      }
    }
  }
  return WANTED_FABRIC_VERSION;
}

/** In Compose every node is reached by its hostname; each org's host resolves the others' via extra_hosts. */
export function composePlacement(): Placement {
  return {
    name: 'compose',
    listen: (port) => `0.0.0.0:${port}`,
    address: (node, port) => `${node.hostname}:${port}`,
    netns: () => undefined,
    tlsHosts: localTlsHosts,
    crypto: (_org, rel) => `${CRYPTO_MOUNT}/${rel}`,
    data: (nodeId) => `${DATA_ROOT}/${nodeId}`,
    config: () => undefined,
  };
}

const hostVar = (org: Org) => `ECF_HOST_${org.name.toUpperCase()}`;

/** One Compose file per org, on the official Fabric images, from the same topology as the native run. */
export function composeFor(t: Topology, org: Org, fabricVersion = installedFabricVersion()): Record<string, unknown> {
  const p = composePlacement();
  const others = t.orgs.filter((o) => o !== org);
  const extraHosts = others.flatMap((o) =>
    [o.ca, o.tlsCa, ...o.orderers, ...o.peers].map(
      (n) => `${n.hostname}:\${${hostVar(o)}:?IP address of ${o.name}'s host}`,
    ),
  );
  const volumes = [`./crypto/${org.slug}:${CRYPTO_MOUNT}`];
  const common = (hostname: string) => ({
    hostname,
    container_name: hostname,
    networks: ['ecf'],
    extra_hosts: extraHosts,
    restart: 'unless-stopped',
  });
  const services: Record<string, unknown> = {};
  for (const ca of [org.tlsCa, org.ca]) {
    services[ca.id] = {
      image: `hyperledger/fabric-ca:${FABRIC_CA_VERSION}`,
      ...common(ca.hostname),
      command: ['sh', '-c', `fabric-ca-server start -b ${CA_ADMIN}:\${ECF_CA_ADMIN_SECRET:?bootstrap secret}`],
      environment: caEnv(t, ca, p),
      ports: [`${ca.port}:${ca.port}`, `${ca.operationsPort}:${ca.operationsPort}`],
      volumes,
      ...(ca.kind === 'ca' ? { depends_on: [org.tlsCa.id] } : {}),
    };
  }
  for (const o of org.orderers) {
    services[o.id] = {
      image: `hyperledger/fabric-orderer:${fabricVersion}`,
      ...common(o.hostname),
      environment: ordererEnv(t, o, p),
      ports: [o.port, o.adminPort, o.operationsPort].map((x) => `${x}:${x}`),
      volumes: [...volumes, `${o.id}:${DATA_ROOT}/${o.id}`],
    };
  }
  for (const peer of org.peers) {
    services[peer.id] = {
      image: `hyperledger/fabric-peer:${fabricVersion}`,
      ...common(peer.hostname),
      // The peer image has no Node.js: chaincode runs as a service (the image's ccaas builder) instead
      // of the native run's ecf-node builder. Every other setting is identical to the native run.
      environment: peerEnv(t, peer, p),
      ports: [peer.port, peer.chaincodePort, peer.operationsPort].map((x) => `${x}:${x}`),
      volumes: [...volumes, `${peer.id}:${DATA_ROOT}/${peer.id}`],
    };
  }
  return {
    services,
    networks: { ecf: { name: 'ecf' } },
    volumes: Object.fromEntries([...org.orderers, ...org.peers].map((n) => [n.id, {}])),
  };
}

export function writeComposeFiles(t: Topology, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  return t.orgs.map((org) => {
    const file = join(outDir, `compose-${org.slug}.yaml`);
    const header = `# Generated from network/topology.yaml by 'scripts/network.sh compose'. Do not edit.\n# Run on ${org.name}'s host: docker compose -f ${file.split('/').pop()} up -d\n`;
    writeFileSync(file, header + stringify(composeFor(t, org), { lineWidth: 0 }));
    return file;
  });
}
