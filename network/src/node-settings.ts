import { z } from 'zod';
import { durationSchema } from './duration';
import type { Placement } from './node-env';
import type { OrdererNode, PeerNode } from './topology';

/**
 * How peers and ordering nodes run: log levels, the Go garbage collector, the peer's validator pool and
 * the pprof endpoint. Each value was measured against a baseline in the same run (`npm run bench --
 * --tuning`, decision 61 in docs/architecture.md); the defaults are the ones that helped.
 */

/** Loggers that write a line per transaction or per gRPC call, so their cost grows with the load. */
const PER_CALL_LOGGERS = ['comm.grpc.server', 'grpc', 'endorser', 'gateway', 'gossip', 'discovery'];

/**
 * Peers log at info, except the per-call loggers (a line per endorsement, per gateway submit, per gRPC
 * call) and gossip's membership chatter; per-block lines (kvledger commit, validation) stay.
 */
export const PEER_LOGGING = `info:${PER_CALL_LOGGERS.join(',')}=warning`;
/** Ordering nodes: SmartBFT writes seven info lines per block and one per request; warnings and errors stay. */
export const ORDERER_LOGGING = `info:comm.grpc.server,grpc,orderer.consensus.smartbft=warning`;

const logLevel = z.enum(['debug', 'info', 'warning', 'error']);

export const nodeSettingsSchema = z
  .object({
    /** FABRIC_LOGGING_SPEC of every peer. */
    peerLogging: z.string().min(1).default(PEER_LOGGING),
    /** FABRIC_LOGGING_SPEC of every ordering node. */
    ordererLogging: z.string().min(1).default(ORDERER_LOGGING),
    /** The chaincode processes' shim and contract logging (fabric-shim writes a line per transaction at info). */
    chaincodeLogging: logLevel.default('warning'),
    /** GOGC of peers and ordering nodes (percent heap growth between collections); absent: Go's 100. */
    gogc: z.number().int().min(25).max(2000).optional(),
    /** Goroutines validating a block's transactions in parallel; 0: one per CPU (Fabric's default). */
    validatorPoolSize: z.number().int().min(0).max(64).default(0),
    /**
     * Go's pprof HTTP endpoint on every peer (`peer.profile`) and ordering node (`General.Profile`), on the
     * port after the node's operations port, bound to the org's own listen address. Off in production:
     * it serves heap and goroutine dumps to whoever reaches it.
     */
    profile: z.boolean().default(false),
    /**
     * How long a peer lets the ordering node it takes blocks from lag behind the block headers the other
     * nodes announce before it takes blocks from another (`peer.deliveryclient.blockCensorshipTimeoutKey`,
     * Fabric's default 30s). A node whose host drops off the network does not close its stream: the
     * peer learns of it only this way, and its clients' commits wait that long (docs/network.md,
     * "A host cut off").
     */
    blockCensorshipTimeout: durationSchema.default('10s'),
  })
  .strict();

export type NodeSettings = z.output<typeof nodeSettingsSchema>;

/** The settings in force when the topology leaves them out. */
export const DEFAULT_NODE_SETTINGS: NodeSettings = nodeSettingsSchema.parse({});

/** The pprof port of a peer or ordering node: right after its operations port (free in every org's block). */
export function profilePort(node: PeerNode | OrdererNode): number {
  return node.operationsPort + 1;
}

/** Go runtime and logging variables shared by both node kinds. */
function goEnv(s: NodeSettings): Record<string, string> {
  return s.gogc === undefined ? {} : { GOGC: String(s.gogc) };
}

export function peerSettingsEnv(s: NodeSettings): Record<string, string> {
  return {
    FABRIC_LOGGING_SPEC: s.peerLogging,
    // The peer hands these to the chaincode only through the builder's propagateEnvironment (peer-config.ts).
    CORE_CHAINCODE_LOGGING_LEVEL: s.chaincodeLogging,
    CORE_CHAINCODE_LOGGING_SHIM: s.chaincodeLogging,
    // Also in core.yaml (peerCoreSettings); the variable carries it into the official image under Compose.
    CORE_PEER_DELIVERYCLIENT_BLOCKCENSORSHIPTIMEOUTKEY: s.blockCensorshipTimeout,
    ...goEnv(s),
  };
}

export function ordererSettingsEnv(s: NodeSettings, node: OrdererNode, p: Placement): Record<string, string> {
  return {
    FABRIC_LOGGING_SPEC: s.ordererLogging,
    ...goEnv(s),
    ...(s.profile
      ? { ORDERER_GENERAL_PROFILE_ENABLED: 'true', ORDERER_GENERAL_PROFILE_ADDRESS: p.listen(profilePort(node)) }
      : { ORDERER_GENERAL_PROFILE_ENABLED: 'false' }),
  };
}

/**
 * The core.yaml keys these settings own, as [path, value] pairs. The peer reads them from the file, not from
 * CORE_PEER_* overrides, which Fabric 3.1's peer ignores for some keys.
 */
export function peerCoreSettings(s: NodeSettings, node: PeerNode, p: Placement): Array<[string[], unknown]> {
  const settings: Array<[string[], unknown]> = [
    // Blocks come straight from the ordering service to every peer; block gossip is deprecated since 3.1,
    // whose release notes give these four keys. They are Fabric 3.1's defaults, pinned here so that a
    // core.yaml of another release cannot turn dissemination by gossip back on.
    [['peer', 'gossip', 'orgLeader'], true],
    [['peer', 'gossip', 'useLeaderElection'], false],
    [['peer', 'gossip', 'state', 'enabled'], false],
    [['peer', 'deliveryclient', 'blockGossipEnabled'], false],
    [['peer', 'deliveryclient', 'blockCensorshipTimeoutKey'], s.blockCensorshipTimeout],
    // An empty value in core.yaml means one validator per CPU.
    [['peer', 'validatorPoolSize'], s.validatorPoolSize === 0 ? null : s.validatorPoolSize],
    [['peer', 'profile', 'enabled'], s.profile],
  ];
  // Fabric's default address is 0.0.0.0:6060: every interface, and the same port for every peer.
  if (s.profile) settings.push([['peer', 'profile', 'listenAddress'], p.listen(profilePort(node))]);
  return settings;
}
