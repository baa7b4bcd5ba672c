import { spawn } from 'node:child_process';

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`${redact(command)} exited with ${exitCode}: ${redact(summary(output))}`);
  }
}

/**
 * Removes the password of a URL's user info (fabric-ca-client enrolls with https://name:secret@host), so
 * an error message, which ends up in logs, never carries an enrollment secret.
 */
export function redact(text: string): string {
  return text.replace(/(\/\/[^/\s:@]+):[^/\s@]+@/g, '$1:***@').replace(/(--id\.secret[ =])\S+/g, '$1***');
}

/** The lines that say what went wrong: Cobra CLIs (peer, osnadmin) print their usage after the error. */
function summary(output: string): string {
  const lines = output.trim().split('\n');
  const errors = lines.filter((l) => l.startsWith('Error:'));
  return (errors.length > 0 ? errors : lines.slice(-8)).join('\n');
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the command after this many milliseconds. */
  timeoutMs?: number;
}

/** Runs a command to completion and returns its stdout; throws CommandError with its output otherwise. */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, {
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let all = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      all += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      all += d.toString();
    });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new CommandError(redact(`${file} ${args.join(' ')}`), null, err.message));
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      if (code === 0) resolvePromise(stdout);
      else reject(new CommandError(redact(`${shortName(file)} ${args.slice(0, 4).join(' ')}`), code, all));
    });
  });
}

function shortName(file: string): string {
  return file.split('/').pop() ?? file;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
