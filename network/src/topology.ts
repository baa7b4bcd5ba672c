import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { monitoringSchema } from './monitoring-settings';
import { durationSchema } from './duration';
import { nodeSettingsSchema, type NodeSettings } from './node-settings';

/** A topology the network cannot be built from; the message names what is wrong. */
export class TopologyError extends Error {
  override readonly name = 'TopologyError';
}

export type Consensus = 'bft' | 'raft';
export type OrgRole = 'regulator' | 'trustee' | 'operator';

const PEERS_MAX = 4;
const ORDERERS_MAX = 4;
const MIN_BFT_NODES = 4;
const RAFT_NODES = 3;

/** A topology duration (`250ms`, `2s`) in milliseconds. */
export function millis(duration: string): number {
  const m = /^(\d+)(ms|s)$/.exec(duration);
  if (!m) throw new TopologyError(`not a duration: ${duration}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}
const sizeSchema = z.string().regex(/^\d+ (KB|MB)$/, 'a size such as 512 KB or 2 MB');
const nameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,30}$/, 'letters and digits, starting with a letter');

const orgSchema = z
  .object({
    name: nameSchema,
    mspId: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,40}MSP$/, 'letters and digits ending in MSP'),
    role: z.enum(['regulator', 'trustee', 'operator']),
    trustee: nameSchema.optional(),
    portBase: z.number().int().min(1024).max(65400),
    peers: z.number().int().min(1).max(PEERS_MAX).default(1),
    orderers: z.number().int().min(0).max(ORDERERS_MAX).default(1),
    /** Set before `remove-org`: the org has left both channels; its collections stay as tombstones. */
    removed: z.boolean().default(false),
  })
  .strict();

const topologySchema = z
  .object({
    domain: z.string().regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$/, 'a DNS suffix such as ecf.example.com'),
    consensus: z.enum(['bft', 'raft']).default('bft'),
    ordering: z
      .object({
        batchTimeout: durationSchema.default('250ms'),
        maxMessageCount: z.number().int().min(1).max(10000).default(500),
        preferredMaxBytes: sizeSchema.default('2 MB'),
        smartBFT: z
          .object({
            requestBatchMaxCount: z.number().int().min(1).max(10000).default(500),
            requestBatchMaxInterval: durationSchema.default('100ms'),
            // Leader failure detection (docs/network.md, "Leader failover"): a follower forwards a request
            // it holds to the leader after the forward timeout, complains about the leader after the complain
            // timeout more, and complains after the heartbeat timeout without a sign of life from it.
            requestForwardTimeout: durationSchema.default('1s'),
            requestComplainTimeout: durationSchema.default('2s'),
            leaderHeartbeatTimeout: durationSchema.default('3s'),
            viewChangeResendInterval: durationSchema.default('1s'),
            viewChangeTimeout: durationSchema.default('10s'),
          })
          .strict()
          .refine((b) => millis(b.requestForwardTimeout) <= millis(b.requestComplainTimeout), {
            message: 'requestForwardTimeout must not exceed requestComplainTimeout (SmartBFT refuses it)',
          })
          .refine((b) => millis(b.viewChangeResendInterval) <= millis(b.viewChangeTimeout), {
            message: 'viewChangeResendInterval must not exceed viewChangeTimeout (SmartBFT refuses it)',
          })
          .default({}),
      })
      .strict()
      .default({}),
    orgs: z.array(orgSchema).min(1),
    channels: z
      .array(
        z
          .object({ name: z.string().regex(/^[a-z][a-z0-9.-]*$/), regulatorMustSign: z.boolean().default(false) })
          .strict(),
      )
      .min(1),
    chaincodes: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z][a-z0-9_-]*$/),
            channel: z.string(),
            path: z.string(),
            endorsementPolicy: z.string().default('MAJORITY Endorsement'),
            collections: z.enum(['none', 'per-operator', 'audit']).default('none'),
          })
          .strict(),
      )
      .default([]),
    monitoring: monitoringSchema.default({}),
    /** How peers and ordering nodes run: logging, Go GC, validator pool, pprof (network/src/node-settings.ts). */
    nodes: nodeSettingsSchema.default({}),
    /**
     * Where the orgs' signing keys live: `files` (PEM in each MSP's keystore) or `hsm` (generated in a
     * PKCS#11 token per org and never written out; decision 45). Native runs only.
     */
    keys: z.enum(['files', 'hsm']).default('files'),
  })
  .strict();

export type TopologyInput = z.input<typeof topologySchema>;

export interface Org {
  readonly name: string;
  readonly mspId: string;
  readonly role: OrgRole;
  /** The trustee org an operator's customers bank with; undefined for other roles. */
  readonly trustee?: string;
  /** Lower-case name used in hostnames, paths and CA names. */
  readonly slug: string;
  readonly ca: CaNode;
  readonly tlsCa: CaNode;
  readonly peers: readonly PeerNode[];
  readonly orderers: readonly OrdererNode[];
}

interface NodeBase {
  /** Unique across the network, e.g. peer0.operatora. */
  readonly id: string;
  readonly org: string;
  /** DNS name in TLS certificates and Compose, e.g. peer0.operatora.ecf.example.com. */
  readonly hostname: string;
  readonly operationsPort: number;
}

export interface CaNode extends NodeBase {
  readonly kind: 'ca' | 'tlsca';
  readonly port: number;
}

export interface PeerNode extends NodeBase {
  readonly kind: 'peer';
  readonly name: string;
  readonly port: number;
  readonly chaincodePort: number;
}

export interface OrdererNode extends NodeBase {
  readonly kind: 'orderer';
  readonly name: string;
  readonly port: number;
  readonly adminPort: number;
  /** SmartBFT consenter id (1-based, stable across the topology order). */
  readonly consenterId: number;
}

export type FabricNode = CaNode | PeerNode | OrdererNode;

export interface Topology {
  readonly domain: string;
  readonly consensus: Consensus;
  readonly ordering: z.output<typeof topologySchema>['ordering'];
  readonly orgs: readonly Org[];
  /**
   * Orgs marked `removed`: no longer channel members, so no step of the network acts for them; their
   * nodes are still stopped by `down`, and their collections stay in chaincode definitions (decision 37).
   */
  readonly removedOrgs?: readonly Org[];
  readonly channels: z.output<typeof topologySchema>['channels'];
  readonly chaincodes: z.output<typeof topologySchema>['chaincodes'];
  readonly monitoring: z.output<typeof topologySchema>['monitoring'];
  /** How peers and ordering nodes run (absent: DEFAULT_NODE_SETTINGS). */
  readonly nodes?: NodeSettings;
  /** Where the orgs' signing keys live (absent: files). */
  readonly keys?: 'files' | 'hsm';
}

/** Port offsets inside an org's block of 100 ports starting at portBase. */
export const PORT_OFFSETS = {
  ca: 0,
  tlsCa: 1,
  caOperations: 2,
  tlsCaOperations: 3,
  peer: (i: number) => 10 + i * 10,
  orderer: (i: number) => 50 + i * 10,
} as const;

export function loadTopology(file: string, overrides: { consensus?: Consensus } = {}): Topology {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TopologyError(`cannot read topology ${file}: ${(err as Error).message}`);
  }
  return buildTopology(raw, overrides);
}

export function buildTopology(raw: unknown, overrides: { consensus?: Consensus } = {}): Topology {
  const parsed = topologySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new TopologyError(`invalid topology at ${where}: ${issue?.message ?? 'unknown problem'}`);
  }
  const input = parsed.data;
  const consensus = overrides.consensus ?? input.consensus;

  unique(
    input.orgs.map((o) => o.name),
    'org name',
  );
  unique(
    input.orgs.map((o) => o.mspId),
    'MSP ID',
  );
  unique(
    input.orgs.map((o) => o.name.toLowerCase()),
    'org name (case-insensitive)',
  );

  const byName = new Map(input.orgs.map((o) => [o.name, o]));
  for (const org of input.orgs) {
    if (org.role === 'operator') {
      if (!org.trustee) throw new TopologyError(`operator ${org.name} names no trustee`);
      const trustee = byName.get(org.trustee);
      if (!trustee) throw new TopologyError(`operator ${org.name} names unknown org ${org.trustee} as its trustee`);
      if (trustee.role !== 'trustee') {
        throw new TopologyError(
          `operator ${org.name} names ${org.trustee} as its trustee, but it is a ${trustee.role}`,
        );
      }
    } else if (org.trustee) {
      throw new TopologyError(`${org.name} is a ${org.role}; only operators name a trustee`);
    }
  }
  if (input.orgs.filter((o) => o.role === 'regulator').length !== 1) {
    throw new TopologyError('the topology needs exactly one regulator org');
  }

  if (input.orgs.some((o) => o.removed && o.role !== 'operator')) {
    throw new TopologyError('only an operator can be removed (its customers move to a successor first)');
  }
  // Consenter ids are numbered over every org, removed ones included, so no remaining node's id changes.
  let consenterId = 0;
  const everyOrg: Org[] = input.orgs.map((o) => {
    const slug = o.name.toLowerCase();
    const host = (node: string) => `${node}.${slug}.${input.domain}`;
    const ca: CaNode = {
      kind: 'ca',
      id: `ca.${slug}`,
      org: o.name,
      hostname: host('ca'),
      port: o.portBase + PORT_OFFSETS.ca,
      operationsPort: o.portBase + PORT_OFFSETS.caOperations,
    };
    const tlsCa: CaNode = {
      kind: 'tlsca',
      id: `tlsca.${slug}`,
      org: o.name,
      hostname: host('tlsca'),
      port: o.portBase + PORT_OFFSETS.tlsCa,
      operationsPort: o.portBase + PORT_OFFSETS.tlsCaOperations,
    };
    const peers: PeerNode[] = range(o.peers).map((i) => {
      const base = o.portBase + PORT_OFFSETS.peer(i);
      return {
        kind: 'peer',
        name: `peer${i}`,
        id: `peer${i}.${slug}`,
        org: o.name,
        hostname: host(`peer${i}`),
        port: base,
        chaincodePort: base + 1,
        operationsPort: base + 2,
      };
    });
    const orderers: OrdererNode[] = range(o.orderers).map((i) => {
      const base = o.portBase + PORT_OFFSETS.orderer(i);
      consenterId += 1;
      return {
        kind: 'orderer',
        name: `orderer${i}`,
        id: `orderer${i}.${slug}`,
        org: o.name,
        hostname: host(`orderer${i}`),
        port: base,
        adminPort: base + 1,
        operationsPort: base + 2,
        consenterId,
      };
    });
    return { name: o.name, mspId: o.mspId, role: o.role, trustee: o.trustee, slug, ca, tlsCa, peers, orderers };
  });
  const removed = new Set(input.orgs.filter((o) => o.removed).map((o) => o.name));
  const orgs = everyOrg.filter((o) => !removed.has(o.name));
  const removedOrgs = everyOrg.filter((o) => removed.has(o.name));

  const ordererCount = orgs.reduce((n, o) => n + o.orderers.length, 0);
  // A removal may leave fewer consenters than a new network needs (remove-org warns what they tolerate).
  const lostConsenters = removedOrgs.some((o) => o.orderers.length > 0);
  if (consensus === 'bft' && ordererCount < MIN_BFT_NODES && !(lostConsenters && ordererCount >= 1)) {
    throw new TopologyError(
      `BFT ordering needs at least ${MIN_BFT_NODES} ordering nodes to tolerate one fault; the topology has ${ordererCount}`,
    );
  }
  if (consensus === 'raft' && ordererCount < RAFT_NODES) {
    throw new TopologyError(`Raft ordering uses ${RAFT_NODES} ordering nodes; the topology has ${ordererCount}`);
  }

  const topology: Topology = {
    domain: input.domain,
    consensus,
    ordering: input.ordering,
    orgs,
    ...(removedOrgs.length > 0 ? { removedOrgs } : {}),
    channels: input.channels,
    chaincodes: input.chaincodes,
    monitoring: input.monitoring,
    nodes: input.nodes,
    keys: input.keys,
  };
  unique(
    input.channels.map((c) => c.name),
    'channel name',
  );
  unique(
    input.chaincodes.map((c) => c.name),
    'chaincode name',
  );
  for (const cc of input.chaincodes) {
    if (!input.channels.some((c) => c.name === cc.channel)) {
      throw new TopologyError(`chaincode ${cc.name} names unknown channel ${cc.channel}`);
    }
  }
  checkPorts(topology);
  return topology;
}

/** Every node in start order: CAs first, then orderers, then peers. */
export function allNodes(t: Topology): FabricNode[] {
  return [...t.orgs.flatMap((o) => [o.tlsCa, o.ca]), ...activeOrderers(t), ...t.orgs.flatMap((o) => o.peers)];
}

/** The ordering nodes that take part in consensus: all of them for BFT, the first three for Raft. */
export function activeOrderers(t: Topology): OrdererNode[] {
  const all = t.orgs.flatMap((o) => o.orderers);
  return t.consensus === 'raft' ? all.slice(0, RAFT_NODES) : all;
}

export function orgOf(t: Topology, name: string): Org {
  const org = t.orgs.find((o) => o.name === name);
  if (!org) throw new TopologyError(`unknown org ${name}`);
  return org;
}

export function regulatorOf(t: Topology): Org {
  const org = t.orgs.find((o) => o.role === 'regulator');
  if (!org) throw new TopologyError('the topology has no regulator');
  return org;
}

/** Every port a node listens on, with what uses it. */
export function portsOf(node: FabricNode): Array<{ port: number; use: string }> {
  switch (node.kind) {
    case 'ca':
    case 'tlsca':
      return [
        { port: node.port, use: `${node.id} listen` },
        { port: node.operationsPort, use: `${node.id} operations` },
      ];
    case 'peer':
      return [
        { port: node.port, use: `${node.id} listen` },
        { port: node.chaincodePort, use: `${node.id} chaincode` },
        { port: node.operationsPort, use: `${node.id} operations` },
      ];
    case 'orderer':
      return [
        { port: node.port, use: `${node.id} listen` },
        { port: node.adminPort, use: `${node.id} admin` },
        { port: node.operationsPort, use: `${node.id} operations` },
      ];
  }
}

function checkPorts(t: Topology): void {
  const seen = new Map<number, string>();
  for (const node of [...t.orgs.flatMap((o) => [o.tlsCa, o.ca, ...o.orderers, ...o.peers])]) {
    for (const { port, use } of portsOf(node)) {
      if (port > 65535) throw new TopologyError(`port ${port} (${use}) is above 65535`);
      const other = seen.get(port);
      if (other) throw new TopologyError(`duplicate port ${port}: ${other} and ${use}`);
      seen.set(port, use);
    }
  }
}

function unique(values: string[], what: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new TopologyError(`duplicate ${what}: ${v}`);
    seen.add(v);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
