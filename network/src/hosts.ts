import { execFileSync } from 'node:child_process';
import { nativePlacement } from './context';
import type { Layout } from './layout';
import type { Placement } from './node-env';
import { regulatorOf, TopologyError, type Topology } from './topology';

/**
 * The `hosts` placement: each org on a host of its own, as a Linux network namespace with one address,
 * joined to the other orgs' hosts through a veth pair on a bridge. Nodes listen on every address of their
 * host and are dialled at their org's address, which their TLS certificates carry; loopback plays no part.
 */
export interface OrgHost {
  readonly org: string;
  /** The network namespace (`ip netns`) the org's CAs, nodes, gateway and relay run in. */
  readonly netns: string;
  /** The host's address on the bridge; every node of the org is dialled there. */
  readonly address: string;
  /** The veth end on the bridge side: setting it down cuts the host off. */
  readonly link: string;
}

export interface HostsPlan {
  readonly bridge: string;
  /** The bridge's own address: this tool, the tests and an admin's shell reach every host from it. */
  readonly bridgeAddress: string;
  readonly prefixLength: number;
  readonly hosts: readonly OrgHost[];
}

// RFC 2544's benchmarking range (198.18.0.0/15): no real network routes it, so a test network here cannot
// shadow one of the machine's own routes. Each network gets one /24 of its 512.
const RANGE = [198, 18] as const;
const SUBNETS = 512;
const PREFIX_LENGTH = 24;
const HOST_OCTETS = 250;

/**
 * The hosts of a topology, removed orgs included (`down` still removes theirs). Names and addresses come
 * from port bases, which are unique per network, so two networks on one machine (tests run with shifted
 * port ranges) never share a namespace, a link or a subnet: the network's from its regulator's port block,
 * an org's from its own.
 */
export function hostsPlan(t: Topology): HostsPlan {
  const id = regulatorOf(t).ca.port;
  const block = Math.floor(id / 100) % SUBNETS;
  const subnet = `${RANGE[0]}.${RANGE[1] + Math.floor(block / 256)}.${block % 256}`;
  const seen = new Map<number, string>();
  const hosts = [...t.orgs, ...(t.removedOrgs ?? [])].map((org): OrgHost => {
    const octet = 2 + (Math.floor(org.ca.port / 100) % HOST_OCTETS);
    const other = seen.get(octet);
    if (other) throw new TopologyError(`${org.name} and ${other} would share host address .${octet}: move a portBase`);
    seen.set(octet, org.name);
    return { org: org.name, netns: `ecf${id}-${org.slug}`, address: `${subnet}.${octet}`, link: `ecf${id}h${octet}` };
  });
  return { bridge: `ecfbr${id}`, bridgeAddress: `${subnet}.1`, prefixLength: PREFIX_LENGTH, hosts };
}

export function hostOf(plan: HostsPlan, org: string): OrgHost {
  const host = plan.hosts.find((h) => h.org === org);
  if (!host) throw new TopologyError(`no host for org ${org}`);
  return host;
}

/** Nodes bind every address of their own host; everyone dials them at their org's address. */
export function hostsPlacement(layout: Layout, t: Topology): Placement {
  const plan = hostsPlan(t);
  return {
    ...nativePlacement(layout),
    name: 'hosts',
    listen: (port) => `0.0.0.0:${port}`,
    address: (node, port) => `${hostOf(plan, node.org).address}:${port}`,
    netns: (org) => hostOf(plan, org).netns,
    tlsHosts: (org, hostname) => [...(hostname ? [hostname] : []), hostOf(plan, org).address],
  };
}

/** Root and iproute2 are what the hosts placement needs; anything else gets a message saying so. */
export function requireHostsSupport(): void {
  if (process.getuid?.() !== 0) {
    throw new TopologyError(
      'the hosts placement creates network namespaces, veth pairs and a bridge, which needs root: run it as root (sudo scripts/network.sh ... --placement hosts)',
    );
  }
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    throw new TopologyError(
      "the hosts placement needs the 'ip' command (iproute2) on the PATH: apt-get install iproute2",
    );
  }
}

function ip(args: readonly string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Runs an `ip` command whose target may already be gone (removal is idempotent). */
function ipIfPresent(args: readonly string[]): void {
  try {
    ip(args);
  } catch (err) {
    const text = String((err as { stderr?: Buffer }).stderr ?? '');
    if (!/Cannot find device|No such file|does not exist|Cannot open network namespace/i.test(text)) throw err;
  }
}

function exists(kind: 'netns' | 'link', name: string): boolean {
  const out = execFileSync('ip', kind === 'netns' ? ['netns', 'list'] : ['-o', 'link', 'show'], { encoding: 'utf8' });
  return kind === 'netns'
    ? out.split('\n').some((l) => l.split(' ')[0] === name)
    : out.split('\n').some((l) => l.split(':')[1]?.trim().split('@')[0] === name);
}

/** Creates the bridge and each org's namespace and veth pair; what already exists is left as it is. */
export function createHosts(plan: HostsPlan): void {
  requireHostsSupport();
  if (!exists('link', plan.bridge)) {
    ip(['link', 'add', plan.bridge, 'type', 'bridge']);
    ip(['addr', 'add', `${plan.bridgeAddress}/${plan.prefixLength}`, 'dev', plan.bridge]);
  }
  ip(['link', 'set', plan.bridge, 'up']);
  for (const h of plan.hosts) {
    if (!exists('netns', h.netns)) ip(['netns', 'add', h.netns]);
    if (!exists('link', h.link)) {
      const inner = `${h.link}n`;
      ip(['link', 'add', h.link, 'type', 'veth', 'peer', 'name', inner]);
      ip(['link', 'set', inner, 'netns', h.netns]);
      ip(['-n', h.netns, 'link', 'set', inner, 'name', 'eth0']);
      ip(['-n', h.netns, 'addr', 'add', `${h.address}/${plan.prefixLength}`, 'dev', 'eth0']);
      ip(['-n', h.netns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', h.netns, 'link', 'set', 'lo', 'up']);
      ip(['link', 'set', h.link, 'master', plan.bridge]);
    }
    ip(['link', 'set', h.link, 'up']);
  }
}

/** Removes every namespace, veth pair and the bridge of the plan; what is already gone is skipped. */
export function removeHosts(plan: HostsPlan): void {
  requireHostsSupport();
  for (const h of plan.hosts) {
    // Deleting one end of a veth pair deletes both.
    ipIfPresent(['link', 'del', h.link]);
    ipIfPresent(['netns', 'del', h.netns]);
  }
  ipIfPresent(['link', 'del', plan.bridge]);
}

/** Whether the plan's bridge or any of its namespaces exists (what `down` has to remove). */
export function hostsPresent(plan: HostsPlan): boolean {
  return exists('link', plan.bridge) || plan.hosts.some((h) => exists('netns', h.netns));
}

/** Cuts an org's host off the bridge (its link down), or connects it again: a network partition of one host. */
export function setHostLink(plan: HostsPlan, org: string, state: 'up' | 'down'): void {
  requireHostsSupport();
  ip(['link', 'set', hostOf(plan, org).link, state]);
}
