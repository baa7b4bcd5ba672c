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

/** CPU time (user + system) the network's processes have used, in milliseconds. */
export function cpuMillis(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* gone */
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
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
