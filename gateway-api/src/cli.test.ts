import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { helpFor, USAGE, usageOf } from './cli-usage';

const CLI = join(__dirname, 'cli.js');
const COMMANDS = [
  ['serve'],
  ['relay'],
  ['up'],
  ['down'],
  ['crash'],
  ['token'],
  ['token', 'create'],
  ['token', 'list'],
  ['token', 'revoke'],
  ['identities'],
  ['reconcile', 'trust-account'],
  ['register', 'import'],
  ['register', 'reconcile'],
  ['captable'],
  ['captable', 'reconcile'],
  ['captable', 'rebuild'],
];

describe('gateway-api CLI help', () => {
  it('finds the usage of a command, a subcommand, or all of it', () => {
    expect(helpFor(['token', 'create', '--org', 'OperatorA'])).to.equal(undefined);
    expect(helpFor(['token', 'create', '--help'])).to.contain('token create --org NAME --identity LABEL');
    expect(helpFor(['token', 'create', '--help'])).not.to.contain('token revoke');
    expect(helpFor(['token', 'create', '--help']))
      .to.contain('--expires-in DURATION')
      .and.to.contain('90d by default');
    expect(helpFor(['token', '-h']))
      .to.contain('token revoke')
      .and.to.contain('token list');
    expect(helpFor(['--help'])).to.equal(USAGE);
    expect(usageOf('nonsense')).to.equal(USAGE);
  });

  it('prints the usage of every command and subcommand with --help and exits 0', async function () {
    // One process per command, four at a time (each loads only the CLI's light modules).
    this.timeout(120_000);
    const help = (command: string[]) =>
      new Promise<{ status: number | string | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [CLI, ...command, '--help'],
          { encoding: 'utf8', timeout: 30_000 },
          (err, stdout, stderr) => resolve({ status: err ? (err.code ?? err.signal ?? null) : 0, stdout, stderr }),
        );
      });
    const runs: Array<Awaited<ReturnType<typeof help>>> = [];
    for (let i = 0; i < COMMANDS.length; i += 4) runs.push(...(await Promise.all(COMMANDS.slice(i, i + 4).map(help))));
    COMMANDS.forEach((command, i) => {
      const run = runs[i];
      const name = command.join(' ');
      expect(run?.status, `${name} --help: ${run?.stderr}`).to.equal(0);
      expect(run?.stdout, name).to.match(/^usage: gateway-api /);
      expect(run?.stdout, name).to.contain(name);
      expect(run?.stdout, `${name}: not fabric-common's own --help`).not.to.contain('Show version number');
    });
  });
});
