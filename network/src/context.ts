import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Layout } from './layout';
import type { Placement } from './node-env';
import type { Topology } from './topology';

/** What every network step needs: the topology, where its state lives, and the Fabric binaries. */
export interface NetworkContext {
  readonly topology: Topology;
  readonly layout: Layout;
  /** Folder of peer, orderer, configtxgen, osnadmin, fabric-ca-server, fabric-ca-client. */
  readonly bin: string;
  /** Folder of the default core.yaml and orderer.yaml that came with the binaries. */
  readonly fabricConfig: string;
  readonly placement: Placement;
  readonly progress: (message: string) => void;
}

export function binary(ctx: NetworkContext, name: string): string {
  return join(ctx.bin, name);
}

export function fabricConfigDir(bin: string): string {
  for (const dir of [join(bin, 'config'), join(bin, '..', 'config')]) {
    if (existsSync(join(dir, 'core.yaml'))) return dir;
  }
  throw new Error(`no config/core.yaml beside the Fabric binaries in ${bin}`);
}

/** One machine: certificates name loopback, where every node is dialled, beside the node's hostname. */
export function localTlsHosts(_org: string, hostname?: string): string[] {
  return ['localhost', '127.0.0.1', ...(hostname ? [hostname] : [])];
}

/** The native placement: every node on 127.0.0.1, paths inside the network's layout. */
export function nativePlacement(layout: Layout): Placement {
  return {
    name: 'native',
    listen: (port) => `127.0.0.1:${port}`,
    address: (_node, port) => `127.0.0.1:${port}`,
    netns: () => undefined,
    tlsHosts: localTlsHosts,
    crypto: (org, rel) => join(layout.org(org.slug), rel),
    data: (nodeId) => layout.nodeData(nodeId),
    config: (nodeId, kind) => (kind === 'peer' ? layout.nodeConfig(nodeId) : undefined),
  };
}

/** The host part of the address this tool dials a node at. */
export function dialHost(p: Placement, node: { hostname: string; org: string }): string {
  return p.address(node, 0).split(':')[0] ?? '127.0.0.1';
}
