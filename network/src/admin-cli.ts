import { binary, type NetworkContext } from './context';
import { run } from './exec';
import { tokenEnv } from './hsm';
import { throughOrdering } from './ordering-failover';
import { activeOrderers, orgOf, type Org, type OrdererNode, type PeerNode } from './topology';

/** Environment for the `peer` CLI acting as an org admin against one of its peers. */
export function peerAdminEnv(ctx: NetworkContext, org: Org, peer: PeerNode): Record<string, string> {
  const { layout } = ctx;
  return {
    FABRIC_CFG_PATH: layout.nodeConfig(peer.id),
    FABRIC_LOGGING_SPEC: 'warning',
    CORE_PEER_LOCALMSPID: org.mspId,
    CORE_PEER_MSPCONFIGPATH: `${layout.identity(org.slug, 'admin')}/msp`,
    CORE_PEER_ADDRESS: ctx.placement.address(peer, peer.port),
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_ROOTCERT_FILE: layout.tlsCaCert(org.slug),
    // With `keys: hsm` the admin's key is in the org's token; the CLI signs through the PKCS#11 settings
    // of the peer's core.yaml (FABRIC_CFG_PATH above) and needs the token folder.
    ...(ctx.topology.keys === 'hsm' ? tokenEnv(layout) : {}),
  };
}

export function peerCli(
  ctx: NetworkContext,
  org: Org,
  peer: PeerNode,
  args: string[],
  timeoutMs = 120_000,
): Promise<string> {
  return run(binary(ctx, 'peer'), args, { env: peerAdminEnv(ctx, org, peer), timeoutMs });
}

/** The ordering nodes an org's admin submits through, in order: its own first when it runs one. */
export function orderersFor(ctx: NetworkContext, org: Org): OrdererNode[] {
  const active = activeOrderers(ctx.topology);
  if (active.length === 0) throw new Error('the topology has no ordering node');
  return [...active.filter((o) => o.org === org.name), ...active.filter((o) => o.org !== org.name)];
}

export function ordererArgs(ctx: NetworkContext, orderer: OrdererNode): string[] {
  const ordererOrg = orgOf(ctx.topology, orderer.org);
  return [
    '-o',
    ctx.placement.address(orderer, orderer.port),
    '--tls',
    '--cafile',
    ctx.layout.tlsCaCert(ordererOrg.slug),
  ];
}

/**
 * Submits an admin transaction with the peer CLI, through the org's own ordering node and on failure
 * through the next. The peer CLI talks to a single node, so this is what a BFT client must do itself: no
 * one node may stand between the consortium and its chaincode lifecycle.
 */
export function submitThroughOrdering(
  ctx: NetworkContext,
  org: Org,
  peer: PeerNode,
  args: string[],
  done: () => Promise<boolean> = async () => false,
): Promise<void> {
  return throughOrdering(orderersFor(ctx, org), {
    send: async (orderer) => {
      await peerCli(ctx, org, peer, [...args, ...ordererArgs(ctx, orderer)]);
    },
    done,
    skipped: (orderer, next, reason) => ctx.progress(`  ${orderer.id} did not order it (${reason}); trying ${next.id}`),
  });
}

export function osnadmin(ctx: NetworkContext, orderer: OrdererNode, args: string[]): Promise<string> {
  const org = orgOf(ctx.topology, orderer.org);
  const admin = ctx.layout.identity(org.slug, 'admin');
  return run(binary(ctx, 'osnadmin'), [
    ...args,
    '-o',
    ctx.placement.address(orderer, orderer.adminPort),
    '--ca-file',
    ctx.layout.tlsCaCert(org.slug),
    '--client-cert',
    `${admin}/tls/server.crt`,
    '--client-key',
    `${admin}/tls/server.key`,
  ]);
}
