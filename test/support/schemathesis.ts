import { REPO_ROOT } from '@ecf/network';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a schemathesis run found: nothing when `failures` is empty. */
export interface FuzzResult {
  readonly exitCode: number;
  readonly failures: string;
  readonly summary: string;
}

/**
 * Runs schemathesis (PyPI, installed by scripts/install-schemathesis.sh) against a running gateway's
 * published document, as one credential, with a fixed seed and example count so the run is bounded and
 * repeatable. The checks are the contract's: no 5xx, only documented statuses, content types, headers and
 * bodies. Event streams are left out: they never end, so a request to them can only time out.
 * The network-health view is left out too: without monitoring running it can only answer 503.
 */
export async function fuzzGateway(
  base: string,
  token: string,
  opts: { maxExamples: number; seed: number },
): Promise<FuzzResult> {
  const st = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'install-schemathesis.sh')], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'ecf-fuzz-'));
  try {
    const args = [
      'run',
      `${base}/openapi.json`,
      '--header',
      `Authorization: Bearer ${token}`,
      '--checks',
      'not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance',
      '--phases',
      'examples,fuzzing',
      '--mode',
      'all',
      '--max-examples',
      String(opts.maxExamples),
      '--seed',
      String(opts.seed),
      '--no-shrink',
      '--workers',
      '1',
      '--request-timeout',
      '60',
      '--rate-limit',
      '500/m',
      '--exclude-path-regex',
      // The network-health view answers its documented 503 while no Prometheus runs, as in the suites that
      // fuzz; it is checked live by test/network/monitoring.test.ts and over HTTP by its unit tests.
      '/events$|/audit/network$',
      '--generation-database',
      'none',
      '--continue-on-failure',
      '--no-color',
      '--output-sanitize',
      'true',
      '--report',
      'junit',
      '--report-dir',
      dir,
    ];
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(st, args, { maxBuffer: 64 * 1024 * 1024, cwd: dir }, (err, out, errOut) => {
        const exit = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof exit === 'number' ? exit : 1, stdout: `${out}\n${errOut}` });
      });
    });
    const lines = stdout.split('\n');
    const start = lines.findIndex((l) => /FAILURES/.test(l));
    return {
      exitCode: code,
      failures: start >= 0 ? lines.slice(start, start + 200).join('\n') : code === 0 ? '' : lines.slice(-80).join('\n'),
      summary: lines
        .filter((l) => /passed|failed|errored|skipped/.test(l))
        .slice(-6)
        .join('\n'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
