import type { CaNode, OrdererNode, Org, PeerNode, Topology } from './topology';
import { orgOf } from './topology';
import { DEFAULT_NODE_SETTINGS, ordererSettingsEnv, peerSettingsEnv } from './node-settings';

/**
 * Where nodes run. The native run and the Compose files differ only here: listen and dial addresses, and
 * where crypto material, data and config sit. Every other setting is the same by construction.
 */
export interface Placement {
  /** Recorded with a network's state: its nodes' certificates and addresses hold for this placement only. */
  readonly name: 'native' | 'compose' | 'hosts';
  /** Address a node binds. */
  listen(port: number): string;
  /** Address others (and this tool, for the nodes it administers) dial to reach a node's port. */
  address(node: { hostname: string; org: string }, port: number): string;
  /** The network namespace an org's processes run in, or undefined to run them where this tool runs. */
  netns(org: string): string | undefined;
  /** The names and addresses a TLS certificate of the org carries: the node's hostname, if any, and where it is dialled. */
  tlsHosts(org: string, hostname?: string): string[];
  /** A path inside an org's crypto folder (relative to it). */
  crypto(org: Org, rel: string): string;
  /** A node's data folder. */
  data(nodeId: string): string;
  /** FABRIC_CFG_PATH of a peer or orderer, or undefined to keep the image's default. */
  config(nodeId: string, kind: 'peer' | 'orderer'): string | undefined;
}

export const CA_ADMIN = 'bootstrap-admin';

export function caEnv(t: Topology, ca: CaNode, p: Placement): Record<string, string> {
  const org = orgOf(t, ca.org);
  const env: Record<string, string> = {
    FABRIC_CA_SERVER_HOME: p.crypto(org, `${ca.kind}-server`),
    FABRIC_CA_SERVER_PORT: String(ca.port),
    FABRIC_CA_SERVER_ADDRESS: p.listen(ca.port).split(':')[0] ?? '0.0.0.0',
    FABRIC_CA_SERVER_CA_NAME: `${ca.kind}-${org.slug}`,
    FABRIC_CA_SERVER_CSR_CN: `${ca.kind}-${org.slug}`,
    FABRIC_CA_SERVER_CSR_HOSTS: p.tlsHosts(ca.org, ca.hostname).join(','),
    FABRIC_CA_SERVER_TLS_ENABLED: 'true',
    FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS: p.listen(ca.operationsPort),
    FABRIC_CA_SERVER_METRICS_PROVIDER: 'prometheus',
    FABRIC_CA_SERVER_DEBUG: 'false',
  };
  if (ca.kind === 'ca') {
    // The enrollment CA serves TLS with a certificate from the org's TLS CA, like every other node.
    env.FABRIC_CA_SERVER_TLS_CERTFILE = p.crypto(org, 'identities/ca/tls/server.crt');
    env.FABRIC_CA_SERVER_TLS_KEYFILE = p.crypto(org, 'identities/ca/tls/server.key');
  }
  return env;
}

export function peerEnv(t: Topology, peer: PeerNode, p: Placement): Record<string, string> {
  const org = orgOf(t, peer.org);
  const leader = org.peers[0] ?? peer;
  const id = `identities/${peer.name}`;
  const env: Record<string, string> = {
    CORE_PEER_ID: peer.id,
    CORE_PEER_ADDRESS: p.address(peer, peer.port),
    CORE_PEER_LISTENADDRESS: p.listen(peer.port),
    CORE_PEER_CHAINCODEADDRESS: p.address(peer, peer.chaincodePort),
    CORE_PEER_CHAINCODELISTENADDRESS: p.listen(peer.chaincodePort),
    CORE_PEER_GOSSIP_BOOTSTRAP: p.address(leader, leader.port),
    CORE_PEER_GOSSIP_EXTERNALENDPOINT: p.address(peer, peer.port),
    CORE_PEER_LOCALMSPID: org.mspId,
    CORE_PEER_MSPCONFIGPATH: p.crypto(org, `${id}/msp`),
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_CERT_FILE: p.crypto(org, `${id}/tls/server.crt`),
    CORE_PEER_TLS_KEY_FILE: p.crypto(org, `${id}/tls/server.key`),
    CORE_PEER_TLS_ROOTCERT_FILE: p.crypto(org, `${id}/tls/ca.crt`),
    CORE_PEER_FILESYSTEMPATH: p.data(peer.id),
    CORE_LEDGER_SNAPSHOTS_ROOTDIR: `${p.data(peer.id)}/snapshots`,
    // Private data a peer lacks (it was down, or joined from a snapshot) is fetched from the other members
    // every 10 s instead of Fabric's 1 min: a rebuilt peer serves its customers sooner (decision 41).
    CORE_PEER_GOSSIP_PVTDATA_RECONCILESLEEPINTERVAL: '10s',
    CORE_OPERATIONS_LISTENADDRESS: p.listen(peer.operationsPort),
    CORE_METRICS_PROVIDER: 'prometheus',
    // No Docker: chaincode is built and launched by an external builder only.
    CORE_VM_ENDPOINT: '',
    ...peerSettingsEnv(t.nodes ?? DEFAULT_NODE_SETTINGS),
  };
  const cfg = p.config(peer.id, 'peer');
  if (cfg) env.FABRIC_CFG_PATH = cfg;
  return env;
}

export function ordererEnv(t: Topology, orderer: OrdererNode, p: Placement): Record<string, string> {
  const org = orgOf(t, orderer.org);
  const id = `identities/${orderer.name}`;
  const tlsRoot = p.crypto(org, `${id}/tls/ca.crt`);
  const cert = p.crypto(org, `${id}/tls/server.crt`);
  const key = p.crypto(org, `${id}/tls/server.key`);
  const env: Record<string, string> = {
    ORDERER_GENERAL_LISTENADDRESS: p.listen(orderer.port).split(':')[0] ?? '0.0.0.0',
    ORDERER_GENERAL_LISTENPORT: String(orderer.port),
    ORDERER_GENERAL_LOCALMSPID: org.mspId,
    ORDERER_GENERAL_LOCALMSPDIR: p.crypto(org, `${id}/msp`),
    ORDERER_GENERAL_TLS_ENABLED: 'true',
    ORDERER_GENERAL_TLS_CERTIFICATE: cert,
    ORDERER_GENERAL_TLS_PRIVATEKEY: key,
    ORDERER_GENERAL_TLS_ROOTCAS: `[${tlsRoot}]`,
    ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: cert,
    ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: key,
    ORDERER_GENERAL_CLUSTER_ROOTCAS: `[${tlsRoot}]`,
    ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
    ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
    ORDERER_ADMIN_LISTENADDRESS: p.listen(orderer.adminPort),
    ORDERER_ADMIN_TLS_ENABLED: 'true',
    ORDERER_ADMIN_TLS_CERTIFICATE: cert,
    ORDERER_ADMIN_TLS_PRIVATEKEY: key,
    ORDERER_ADMIN_TLS_ROOTCAS: `[${tlsRoot}]`,
    ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
    // Only this org's admins (TLS client certs from this org's TLS CA) may join or remove channels here.
    ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${tlsRoot}]`,
    ORDERER_OPERATIONS_LISTENADDRESS: p.listen(orderer.operationsPort),
    ORDERER_METRICS_PROVIDER: 'prometheus',
    ORDERER_FILELEDGER_LOCATION: p.data(orderer.id),
    ORDERER_CONSENSUS_WALDIR: `${p.data(orderer.id)}/consensus/wal`,
    ORDERER_CONSENSUS_SNAPDIR: `${p.data(orderer.id)}/consensus/snap`,
    ...ordererSettingsEnv(t.nodes ?? DEFAULT_NODE_SETTINGS, orderer, p),
  };
  const cfg = p.config(orderer.id, 'orderer');
  if (cfg) env.FABRIC_CFG_PATH = cfg;
  return env;
}
