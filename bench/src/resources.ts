import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { runningPid, type Layout } from '@ecf/network';

const CLOCK_TICKS_PER_SECOND = 100;

/** Every process of the network: each node's process group (peers' chaincode processes included). */
export function networkPids(layout: Layout): number[] {
  if (!existsSync(layout.run)) return [];
  const groups = new Set(
    readdirSync(layout.run)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => runningPid(layout, f.slice(0, -4)))
      .filter((p): p is number => p !== undefined),
  );
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pgid = Number(fields[2]);
      if (groups.has(pgid)) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/**
 * What a process is, from its command line: where the CPU goes (endorsement and validation with their
 * signature checks in the peer, the contract logic in the chaincode process, ordering and block cutting
 * in the orderer, the REST gateway when it runs).
 */
export type Component = 'peer' | 'chaincode' | 'orderer' | 'ca' | 'gateway' | 'other';

export function componentOf(pid: number): Component {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return 'other';
  }
  const exe = argv[0] ?? '';
  if (exe.endsWith('/orderer')) return 'orderer';
  if (exe.endsWith('/peer')) return 'peer';
  if (exe.endsWith('/fabric-ca-server')) return 'ca';
  if (argv.some((a) => a.includes('gateway-api'))) return 'gateway';
  if (argv.some((a) => a.includes('fabric-shim') || a.includes('fabric-chaincode-node'))) return 'chaincode';
  return 'other';
}

/** CPU milliseconds per component. */
export function cpuByComponent(pids: readonly number[]): Record<Component, number> {
  const out: Record<Component, number> = { peer: 0, chaincode: 0, orderer: 0, ca: 0, gateway: 0, other: 0 };
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[componentOf(pid)] += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Resident memory of the network's processes, in MiB. */
export function rssMiB(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}
