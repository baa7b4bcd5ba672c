import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { peerCli } from './admin-cli';
import type { NetworkContext } from './context';
import { run } from './exec';
import { REPO_ROOT } from './layout';
import { NODE_BUILDER_TYPE } from './peer-config';
import type { Org, Topology } from './topology';

/** What a package label allows after the name and version (Fabric: alphanumerics and _.+-). */
const RELEASE = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,31}$/;

type ChaincodeSpec = Topology['chaincodes'][number];

export interface ChaincodePackage {
  readonly file: string;
  readonly label: string;
  /** label:sha256(package), as the peer computes it. */
  readonly packageId: string;
  /** The chaincode version: a digest of the built code, so a rebuild of unchanged code is not an upgrade. */
  readonly version: string;
}

export interface CommittedChaincode {
  sequence: number;
  version: string;
}

/**
 * Builds an installable package: compiled JavaScript plus its production node_modules, so the peer's
 * external builder needs no network. Assumes `npm run build` has run.
 */
export async function packageChaincode(
  ctx: NetworkContext,
  spec: ChaincodeSpec,
  opts: { release?: string } = {},
): Promise<ChaincodePackage> {
  if (opts.release !== undefined && !RELEASE.test(opts.release)) {
    throw new Error(
      `release ${JSON.stringify(opts.release)}: letters, digits and _.+- only, at most 32, as a label allows`,
    );
  }
  const source = join(REPO_ROOT, spec.path);
  const work = join(ctx.layout.generated, 'chaincode', spec.name);
  // Deployments of the same code (market and audit) share one staged tree: its npm install runs once.
  const stageRoot = join(ctx.layout.generated, 'chaincode-stage', spec.path.replace(/[^A-Za-z0-9]/g, '_'));
  const stage = join(stageRoot, 'stage');
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
  };

  // Workspace packages (@ecf/*) are copied in; registry packages are pinned to the versions installed here.
  const workspaceDeps: string[] = [];
  const registryDeps: Record<string, string> = {};
  const collect = (deps: Record<string, string> | undefined) => {
    for (const dep of Object.keys(deps ?? {})) {
      if (dep.startsWith('@ecf/')) {
        if (workspaceDeps.includes(dep)) continue;
        workspaceDeps.push(dep);
        collect(readManifest(workspaceDir(dep)).dependencies);
      } else {
        registryDeps[dep] = readManifest(join(REPO_ROOT, 'node_modules', dep)).version;
      }
    }
  };
  collect(manifest.dependencies);

  // The root manifest's overrides pin transitive versions (class-transformer 0.4.1 dropped classToPlain,
  // which fabric-contract-api 2.5 calls); the package resolves them the same way.
  const overrides =
    (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { overrides?: Record<string, string> })
      .overrides ?? {};
  const depsKey = JSON.stringify({ registryDeps, overrides });
  const depsStamp = join(stageRoot, 'deps.json');
  if (!existsSync(depsStamp) || readFileSync(depsStamp, 'utf8') !== depsKey) {
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(stage, { recursive: true });
    writeFileSync(
      join(stage, 'package.json'),
      JSON.stringify(
        { name: manifest.name, private: true, main: 'dist/index.js', dependencies: registryDeps, overrides },
        null,
        2,
      ),
    );
    await run(
      'npm',
      [
        'install',
        '--omit=dev',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--no-bin-links',
        '--prefer-offline',
      ],
      {
        cwd: stage,
        timeoutMs: 300_000,
      },
    );
    writeFileSync(depsStamp, depsKey);
    const links = (await run('find', [stage, '-type', 'l'])).trim();
    if (links) throw new Error(`chaincode package would contain symbolic links, which the peer refuses:\n${links}`);
  }
  // The peer refuses symbolic links in a package.
  rmSync(join(stage, 'node_modules', '.bin'), { recursive: true, force: true });
  const appStart = {
    name: manifest.name,
    private: true,
    main: 'dist/index.js',
    scripts: { start: 'fabric-chaincode-node start' },
    dependencies: registryDeps,
  };
  writeFileSync(join(stage, 'package.json'), JSON.stringify(appStart, null, 2));
  copyBuilt(join(source, 'dist'), join(stage, 'dist'));
  for (const dep of workspaceDeps) {
    const target = join(stage, 'node_modules', dep);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    cpSync(join(workspaceDir(dep), 'package.json'), join(target, 'package.json'));
    copyBuilt(join(workspaceDir(dep), 'dist'), join(target, 'dist'));
  }

  const codeDigest = digestTree(
    [join(stage, 'dist'), ...workspaceDeps.map((d) => join(stage, 'node_modules', d))],
    depsKey,
  );
  const version = codeDigest.slice(0, 12);
  // A release name makes a distinct package (its own id, its own chaincode process) of the same code.
  const label = opts.release ? `${spec.name}_${version}_${opts.release}` : `${spec.name}_${version}`;
  const pkgDir = join(work, 'pkg');
  rmSync(pkgDir, { recursive: true, force: true });
  mkdirSync(pkgDir, { recursive: true });
  const deterministic = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner'];
  await run('tar', [...deterministic, '-C', stage, '-cf', join(pkgDir, 'code.tar'), '.']);
  await run('gzip', ['-n', '-f', join(pkgDir, 'code.tar')]);
  writeFileSync(join(pkgDir, 'metadata.json'), JSON.stringify({ type: NODE_BUILDER_TYPE, label }));
  const file = ctx.layout.chaincodePackage(spec.name);
  mkdirSync(dirname(file), { recursive: true });
  await run('tar', [...deterministic, '-C', pkgDir, '-cf', file.replace(/\.gz$/, ''), 'metadata.json', 'code.tar.gz']);
  await run('gzip', ['-n', '-f', file.replace(/\.gz$/, '')]);
  const packageId = `${label}:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
  return { file, label, packageId, version };
}

/** Installs the package on every peer that lacks it. */
export async function installEverywhere(ctx: NetworkContext, pkg: ChaincodePackage): Promise<void> {
  await Promise.all(ctx.topology.orgs.map((org) => installOn(ctx, org, pkg)));
}

/** One org's admin installs the package on each of its peers that lacks it. */
export async function installOn(
  ctx: NetworkContext,
  org: Org,
  pkg: Pick<ChaincodePackage, 'file' | 'packageId'>,
): Promise<void> {
  await Promise.all(
    org.peers.map(async (peer) => {
      const out = await peerCli(ctx, org, peer, ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json']);
      const installed = (JSON.parse(out || '{}') as { installed_chaincodes?: Array<{ package_id: string }> })
        .installed_chaincodes;
      if (installed?.some((c) => c.package_id === pkg.packageId)) return;
      await peerCli(ctx, org, peer, ['lifecycle', 'chaincode', 'install', pkg.file], 300_000);
    }),
  );
}

export async function queryCommitted(
  ctx: NetworkContext,
  spec: ChaincodeSpec,
): Promise<CommittedChaincode | undefined> {
  const org = ctx.topology.orgs[0];
  const peer = org?.peers[0];
  if (!org || !peer) throw new Error('the topology has no peer');
  try {
    const out = await peerCli(ctx, org, peer, [
      'lifecycle',
      'chaincode',
      'querycommitted',
      '-C',
      spec.channel,
      '-n',
      spec.name,
      '--output',
      'json',
    ]);
    const parsed = JSON.parse(out) as { sequence: number; version: string };
    return { sequence: parsed.sequence, version: parsed.version };
  } catch (err) {
    if (/not found|does not exist|is not defined/i.test((err as Error).message)) return undefined;
    throw err;
  }
}

/** Starts the chaincode on every peer (the first call launches it) so the network is ready when `up` returns. */
export async function warmUp(ctx: NetworkContext, spec: ChaincodeSpec): Promise<void> {
  await Promise.all(
    ctx.topology.orgs.flatMap((org) =>
      org.peers.map((peer) =>
        peerCli(ctx, org, peer, [
          'chaincode',
          'query',
          '-C',
          spec.channel,
          '-n',
          spec.name,
          '-c',
          '{"Args":["org.hyperledger.fabric:GetMetadata"]}',
        ]),
      ),
    ),
  );
}

export function policyArgs(policy: string): string[] {
  if (/^(AND|OR|OutOf)\(/.test(policy)) return ['--signature-policy', policy];
  if (policy === 'MAJORITY Endorsement') return ['--channel-config-policy', '/Channel/Application/Endorsement'];
  return ['--channel-config-policy', policy];
}

/** Workspace packages are named after their folder: @ecf/common lives in common/. */
function workspaceDir(pkg: string): string {
  return join(REPO_ROOT, pkg.replace('@ecf/', ''));
}

function readManifest(dir: string): { version: string; dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    version: string;
    dependencies?: Record<string, string>;
  };
}

/** Copies compiled output without tests and test support (they never run on a peer). */
function copyBuilt(from: string, to: string): void {
  if (!existsSync(from)) throw new Error(`${from} is missing: run npm run build first`);
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, {
    recursive: true,
    filter: (src) => !/\.test\.(js|d\.ts|js\.map|d\.ts\.map)$/.test(src) && !/[/\\]testing([/\\]|$)/.test(src),
  });
}

function digestTree(roots: string[], extra: string): string {
  const hash = createHash('sha256').update(extra);
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${rel}/${entry.name}`);
      else hash.update(`${rel}/${entry.name}\0`).update(readFileSync(path));
    }
  };
  for (const root of roots) walk(root, root.split('/').slice(-2).join('/'));
  return hash.digest('hex');
}
