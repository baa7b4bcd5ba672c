import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { get } from 'node:http';
import { dirname } from 'node:path';
import { sleep } from './exec';
import type { Layout } from './layout';

export interface NodeProcess {
  readonly id: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** A network namespace to run in (`ip netns exec`, which execs the command: the PID stays the node's). */
  readonly netns?: string;
}

interface PidRecord {
  pid: number;
  command: string;
  startedAt: string;
}

/**
 * Starts a node detached in its own process group, its output appended to its log file, and records its
 * PID. The process group matters: a peer's chaincode processes are its children and stop with it.
 */
export function startProcess(layout: Layout, p: NodeProcess): number {
  const log = layout.logFile(p.id);
  mkdirSync(dirname(log), { recursive: true });
  mkdirSync(layout.run, { recursive: true });
  const fd = openSync(log, 'a');
  try {
    const [file, args] = p.netns ? ['ip', ['netns', 'exec', p.netns, p.command, ...p.args]] : [p.command, p.args];
    const child = spawn(file, args, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...p.env },
      cwd: p.cwd,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) throw new Error(`could not start ${p.id} (${p.command})`);
    child.unref();
    const record: PidRecord = { pid: child.pid, command: p.command, startedAt: new Date().toISOString() };
    writeFileSync(layout.pidFile(p.id), JSON.stringify(record) + '\n');
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** The PID of a node this tool started and that is still that process, or undefined. */
export function runningPid(layout: Layout, id: string): number | undefined {
  const file = layout.pidFile(id);
  if (!existsSync(file)) return undefined;
  let record: PidRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
  try {
    // A recycled PID belongs to another program: only a process running our binary counts.
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0');
    // `ip netns exec` becomes the node's program once it has entered the namespace; until then it is ip.
    const launching = cmdline[0] === 'ip' && cmdline[1] === 'netns' && cmdline[4] === record.command;
    // Between fork and exec the child still shows this tool's own command line, for longer on a loaded
    // machine; a PID recorded seconds ago cannot have been recycled yet.
    const justStarted = Date.now() - Date.parse(record.startedAt) < 10_000;
    if (cmdline[0] !== record.command && !launching && !justStarted) return undefined;
    const stat = readFileSync(`/proc/${record.pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return undefined;
    return record.pid;
  } catch {
    return undefined;
  }
}

/** Stops a node (SIGTERM to its process group, SIGKILL after the grace period) and forgets its PID. */
export async function stopProcess(layout: Layout, id: string, graceMs = 10_000): Promise<boolean> {
  const pid = runningPid(layout, id);
  if (pid === undefined) {
    rmSync(layout.pidFile(id), { force: true });
    return false;
  }
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isAlive(pid)) await sleep(100);
  if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  signalGroup(pid, 'SIGKILL'); // chaincode children that outlived their peer
  rmSync(layout.pidFile(id), { force: true });
  return true;
}

/** Kills a node the way a crash would (SIGKILL, no clean-up); its PID file stays behind. */
export function crashProcess(layout: Layout, id: string): boolean {
  const pid = runningPid(layout, id);
  if (pid === undefined) return false;
  signalGroup(pid, 'SIGKILL');
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** True while the process exists and is not a zombie (orphans may wait for a reaper that never comes). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** True when nothing listens on the port (we can bind it ourselves). */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolvePromise(true));
    });
  });
}

/** GET http://<host>:<port>/healthz; resolves to the status code, or 0 when nothing answers. */
export function healthz(port: number, timeoutMs = 2000, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePromise) => {
    const req = get({ host, port, path: '/healthz', timeout: timeoutMs }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('timeout', () => {
      req.destroy();
      resolvePromise(0);
    });
    req.on('error', () => resolvePromise(0));
  });
}

/** Polls /healthz until it answers 200; fails with the tail of the node's log when the node dies or time runs out. */
export async function waitHealthy(
  layout: Layout,
  id: string,
  operationsPort: number,
  timeoutMs = 60_000,
  host = '127.0.0.1',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await healthz(operationsPort, 2000, host)) === 200) return;
    if (runningPid(layout, id) === undefined) {
      throw new Error(`${id} exited during start-up; last log lines:\n${tail(layout.logFile(id), 15)}`);
    }
    await sleep(150);
  }
  throw new Error(
    `${id} not healthy on :${operationsPort} after ${timeoutMs} ms; last log lines:\n${tail(layout.logFile(id), 15)}`,
  );
}

/** True when something accepts TCP connections on the port. */
export function portAccepting(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Polls until every port accepts connections. A peer answers /healthz as soon as its operations server
 * is up, which is before it opens its gRPC listener (ledgers are opened in between): a client that dials
 * the listen port right after /healthz can be refused.
 */
export async function waitListening(
  layout: Layout,
  id: string,
  ports: readonly number[],
  timeoutMs = 60_000,
  host = '127.0.0.1',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await portAccepting(port, host))) {
      if (runningPid(layout, id) === undefined) {
        throw new Error(`${id} exited during start-up; last log lines:\n${tail(layout.logFile(id), 15)}`);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${id} not listening on :${port} after ${timeoutMs} ms; last log lines:\n${tail(layout.logFile(id), 15)}`,
        );
      }
      await sleep(150);
    }
  }
}

export function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
