import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { run } from './exec';
import { Layout, REPO_ROOT } from './layout';
import { loadTopology, type Org, type Topology } from './topology';

/**
 * A network instance of its own, for a test suite or a benchmark: its own state folder and the default
 * topology moved to another port range, so a developer's `npm start` network keeps running beside it.
 */
export class IsolatedNetwork {
  readonly home: string;
  readonly topologyFile: string;
  readonly layout: Layout;
  topology: Topology;

  constructor(portShift: number, options: { consensus?: 'bft' | 'raft'; prefix?: string } = {}) {
    this.home = mkdtempSync(join(tmpdir(), options.prefix ?? 'ecf-net-'));
    const raw = parse(readFileSync(join(REPO_ROOT, 'network', 'topology.yaml'), 'utf8')) as {
      orgs: Array<{ portBase: number }>;
      consensus?: string;
    };
    for (const org of raw.orgs) org.portBase += portShift;
    if (options.consensus) raw.consensus = options.consensus;
    this.topologyFile = join(this.home, 'topology.yaml');
    writeFileSync(this.topologyFile, stringify(raw));
    this.layout = new Layout(join(this.home, 'state'));
    this.topology = loadTopology(this.topologyFile);
  }

  /**
   * Edits this instance's topology file (what an operator does before `add-org`) and reloads it; the
   * running nodes are untouched.
   */
  editTopology(edit: (raw: Record<string, unknown>) => void): Topology {
    const raw = parse(readFileSync(this.topologyFile, 'utf8')) as Record<string, unknown>;
    edit(raw);
    writeFileSync(this.topologyFile, stringify(raw));
    this.topology = loadTopology(this.topologyFile);
    return this.topology;
  }

  /** Runs the network CLI (what scripts/network.sh runs) against this instance; resolves to its output. */
  cli(...args: string[]): Promise<string> {
    return this.node('network/dist/cli.js', args);
  }

  /**
   * Runs one of the repository's Node CLIs (path from the repository root) against this instance: its
   * state folder, its topology, and any extra environment. Resolves to the CLI's standard output.
   */
  node(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    return run(process.execPath, [join(REPO_ROOT, script), ...args, '--topology', this.topologyFile], {
      env: { ECF_NETWORK_HOME: this.layout.home, ECF_CRYPTO_DIR: this.layout.crypto, ...env },
      timeoutMs: 590_000,
    });
  }

  /** The Fabric binaries folder (the CLI installs them before anything else). */
  async bin(): Promise<string> {
    return (await run('bash', [join(REPO_ROOT, 'scripts', 'install-fabric.sh')])).trim();
  }

  org(name: string): Org {
    const org = this.topology.orgs.find((o) => o.name === name);
    if (!org) throw new Error(`no org ${name}`);
    return org;
  }

  /** Stops the instance and deletes its state; ECF_KEEP_NETWORK=1 keeps the state and logs for a post-mortem. */
  async destroy(): Promise<void> {
    if (process.env.ECF_KEEP_NETWORK === '1') {
      await this.cli('down').catch(() => undefined);
      process.stderr.write(`kept network state and logs in ${this.home}\n`);
      return;
    }
    await this.cli('down', '--clean').catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
  }
}
