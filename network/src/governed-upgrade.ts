import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { peerCli, submitThroughOrdering } from './admin-cli';
import { installOn, packageChaincode, policyArgs, queryCommitted, type ChaincodePackage } from './chaincode';
import { collectionsOf, type CollectionConfig } from './collections';
import type { NetworkContext } from './context';
import { lifecycleEndorsementRule } from './configtx';
import { regulatorOf, TopologyError, type Org, type Topology } from './topology';

/**
 * A chaincode upgrade in the steps that members take on their own hosts: one member proposes (packages the
 * code and writes the definition and the package's digest to a proposal file), each org's admin installs
 * that package after checking its digest and approves the definition with its own identity, and the
 * definition is committed once the channel's lifecycle policy is met. The proposal folder is what travels
 * between hosts: proposal.json, the package, and the collection configuration.
 */

type ChaincodeSpec = Topology['chaincodes'][number];

export interface UpgradeProposal {
  readonly chaincode: string;
  readonly channel: string;
  /** The chaincode version: a digest of the code (see packageChaincode). */
  readonly version: string;
  readonly sequence: number;
  readonly label: string;
  /** label:sha256(package), as each peer computes it on install. */
  readonly packageId: string;
  /** sha256 of the package file, hex: what each approver checks before installing. */
  readonly packageSha256: string;
  /** The package, beside proposal.json. */
  readonly packageFile: string;
  readonly endorsementPolicy: string;
  /** The private data collections of the definition; null when it has none. */
  readonly collections: CollectionConfig[] | null;
  readonly proposedBy: string;
  readonly proposedAt: string;
}

/** The package an approver was handed is not the one proposed. */
export class PackageDigestError extends Error {
  override readonly name = 'PackageDigestError';
}

/** A commit asked for before the lifecycle policy is met: names whose approvals are missing. */
export class ApprovalsMissingError extends Error {
  override readonly name = 'ApprovalsMissingError';
  constructor(
    readonly chaincode: string,
    readonly sequence: number,
    /** MSP ID → approved, as checkcommitreadiness reports it. */
    readonly approvals: Readonly<Record<string, boolean>>,
    readonly missing: readonly string[],
  ) {
    super(
      `chaincode ${chaincode} sequence ${sequence} cannot be committed yet: missing approvals: ${missing.join('; ')} ` +
        `(approved by ${
          Object.entries(approvals)
            .filter(([, ok]) => ok)
            .map(([msp]) => msp)
            .join(', ') || 'nobody'
        })`,
    );
  }
}

function proposalDir(ctx: NetworkContext, chaincode: string): string {
  return join(ctx.layout.generated, 'lifecycle', chaincode);
}

export function proposalFile(ctx: NetworkContext, chaincode: string): string {
  return join(proposalDir(ctx, chaincode), 'proposal.json');
}

function specOf(ctx: NetworkContext, chaincode: string): ChaincodeSpec {
  const spec = ctx.topology.chaincodes.find((c) => c.name === chaincode);
  if (!spec) throw new TopologyError(`the topology has no chaincode ${chaincode}`);
  return spec;
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Step 1, on the proposer's host: packages the code in the working tree (or takes the given package) and
 * writes the definition for the next sequence, with the package's digest, to the proposal folder.
 */
export async function proposeUpgrade(
  ctx: NetworkContext,
  chaincode: string,
  opts: { proposer?: Org; release?: string; sequence?: number; package?: ChaincodePackage } = {},
): Promise<UpgradeProposal> {
  const spec = specOf(ctx, chaincode);
  const proposer = opts.proposer ?? regulatorOf(ctx.topology);
  const sequence = opts.sequence ?? ((await queryCommitted(ctx, spec))?.sequence ?? 0) + 1;
  const pkg =
    opts.package ?? (await packageChaincode(ctx, spec, opts.release === undefined ? {} : { release: opts.release }));
  const dir = proposalDir(ctx, chaincode);
  mkdirSync(dir, { recursive: true });
  const packageFile = join(dir, `${pkg.label}.tar.gz`);
  copyFileSync(pkg.file, packageFile);
  const packageSha256 = sha256File(packageFile);
  if (pkg.packageId !== `${pkg.label}:${packageSha256}`) {
    throw new PackageDigestError(`package ${pkg.file} changed while it was being proposed`);
  }
  const proposal: UpgradeProposal = {
    chaincode,
    channel: spec.channel,
    version: pkg.version,
    sequence,
    label: pkg.label,
    packageId: pkg.packageId,
    packageSha256,
    packageFile: basename(packageFile),
    endorsementPolicy: spec.endorsementPolicy,
    collections: spec.collections === 'none' ? null : collectionsOf(ctx.topology, spec.collections),
    proposedBy: proposer.mspId,
    proposedAt: new Date().toISOString(),
  };
  writeFileSync(proposalFile(ctx, chaincode), `${JSON.stringify(proposal, null, 2)}\n`);
  return proposal;
}

/** The proposal most recently written (or received) for the chaincode, or undefined. */
export function readProposal(ctx: NetworkContext, chaincode: string): UpgradeProposal | undefined {
  const file = proposalFile(ctx, chaincode);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as UpgradeProposal;
}

/** The definition's arguments for approveformyorg, checkcommitreadiness and commit. */
function definitionArgs(ctx: NetworkContext, p: UpgradeProposal): string[] {
  const args = ['-C', p.channel, '-n', p.chaincode, '-v', p.version, '--sequence', String(p.sequence)];
  args.push(...policyArgs(p.endorsementPolicy));
  if (p.collections) {
    const file = join(proposalDir(ctx, p.chaincode), `collections.seq${p.sequence}.json`);
    const content = JSON.stringify(p.collections, null, 2);
    // Written only when it differs: approvals run in parallel, and a rewrite could be read half-done.
    if (!existsSync(file) || readFileSync(file, 'utf8') !== content) writeFileSync(file, content);
    args.push('--collections-config', file);
  }
  return args;
}

/**
 * Step 2, on one org's host: its admin checks the package against the proposal's digest, installs it on
 * the org's peers, and approves the definition with the org's own identity. Approving the same definition
 * again is allowed until it is committed, so a retry is safe.
 */
export async function approveUpgrade(ctx: NetworkContext, p: UpgradeProposal, org: Org): Promise<void> {
  const peer = org.peers[0];
  if (!peer) throw new TopologyError(`${org.name} has no peer to approve with`);
  const file = join(proposalDir(ctx, p.chaincode), p.packageFile);
  if (!existsSync(file)) throw new PackageDigestError(`${org.name}: the proposed package ${file} is missing`);
  const digest = sha256File(file);
  if (digest !== p.packageSha256 || p.packageId !== `${p.label}:${digest}`) {
    throw new PackageDigestError(
      `${org.name} refuses to install ${file}: its sha256 is ${digest}, the proposal says ${p.packageSha256}`,
    );
  }
  await installOn(ctx, org, { file, packageId: p.packageId });
  await submitThroughOrdering(ctx, org, peer, [
    'lifecycle',
    'chaincode',
    'approveformyorg',
    ...definitionArgs(ctx, p),
    '--package-id',
    p.packageId,
  ]);
}

/** Which member orgs have approved the proposed definition (checkcommitreadiness, asked through `as`). */
export async function commitReadiness(
  ctx: NetworkContext,
  p: UpgradeProposal,
  as: Org = regulatorOf(ctx.topology),
): Promise<Record<string, boolean>> {
  const peer = as.peers[0];
  if (!peer) throw new TopologyError(`${as.name} has no peer to ask`);
  const out = await peerCli(ctx, as, peer, [
    'lifecycle',
    'chaincode',
    'checkcommitreadiness',
    ...definitionArgs(ctx, p),
    '--output',
    'json',
  ]);
  return (JSON.parse(out) as { approvals: Record<string, boolean> }).approvals;
}

/**
 * What the lifecycle policy (configtx.ts, lifecycleEndorsementRule) still needs, given the approvals: the
 * regulator's, and a majority of the members counting the regulator. Empty when the commit may go ahead.
 */
export function missingApprovals(
  t: Topology,
  members: readonly Org[],
  approvals: Readonly<Record<string, boolean>>,
): string[] {
  const regulator = regulatorOf(t);
  const missing: string[] = [];
  if (!approvals[regulator.mspId]) missing.push(`${regulator.mspId} (the regulator approves every definition)`);
  const others = members.filter((m) => m.mspId !== regulator.mspId);
  const needed = Math.min(Math.floor(members.length / 2), others.length);
  const have = others.filter((m) => approvals[m.mspId]).length;
  if (have < needed) {
    const pending = others.filter((m) => !approvals[m.mspId]).map((m) => m.mspId);
    missing.push(
      `${needed - have} more of ${pending.join(', ')} (a majority, ${needed + 1} of ${members.length} members, the regulator among them)`,
    );
  }
  return missing;
}

/**
 * Step 3: commits the definition once the lifecycle policy is met, and refuses before sending anything
 * otherwise (ApprovalsMissingError), unless forced. The commit is endorsed by the peers of the orgs that approved (a
 * peer refuses to endorse a definition its own org has not approved). A commit is resent through another
 * ordering node only when querycommitted shows it did not land.
 */
export async function commitUpgrade(
  ctx: NetworkContext,
  p: UpgradeProposal,
  submitter: Org = regulatorOf(ctx.topology),
  opts: { force?: boolean } = {},
): Promise<void> {
  const peer = submitter.peers[0];
  if (!peer) throw new TopologyError(`${submitter.name} has no peer to commit with`);
  const spec = specOf(ctx, p.chaincode);
  const committed = await queryCommitted(ctx, spec);
  if ((committed?.sequence ?? 0) >= p.sequence) return;
  const approvals = await commitReadiness(ctx, p, submitter);
  const missing = missingApprovals(ctx.topology, ctx.topology.orgs, approvals);
  // `force` leaves the decision to Fabric (the channel's own LifecycleEndorsement), e.g. on a network whose
  // policy predates this rule.
  if (missing.length > 0 && !opts.force) throw new ApprovalsMissingError(p.chaincode, p.sequence, approvals, missing);
  const endorsers = ctx.topology.orgs.filter((o) => approvals[o.mspId]);
  const peerArgs = endorsers.flatMap((org) =>
    org.peers
      .slice(0, 1)
      .flatMap((e) => [
        '--peerAddresses',
        ctx.placement.address(e, e.port),
        '--tlsRootCertFiles',
        ctx.layout.tlsCaCert(org.slug),
      ]),
  );
  await submitThroughOrdering(
    ctx,
    submitter,
    peer,
    ['lifecycle', 'chaincode', 'commit', ...definitionArgs(ctx, p), ...peerArgs],
    async () => ((await queryCommitted(ctx, spec))?.sequence ?? 0) >= p.sequence,
  );
}

/**
 * All three steps on one machine that holds every admin key (a development network, `up`, `deploy`,
 * `add-org`): the same functions the separate hosts run, every org approving.
 */
export async function upgradeOnOneHost(ctx: NetworkContext, p: UpgradeProposal): Promise<void> {
  await Promise.all(ctx.topology.orgs.map((org) => approveUpgrade(ctx, p, org)));
  await commitUpgrade(ctx, p);
}

export interface PendingDefinition {
  readonly sequence: number;
  readonly version: string;
  readonly packageId: string;
  readonly approvals: Record<string, boolean>;
  readonly missing: string[];
}

/**
 * The definition proposed on this host and not committed yet, with who has approved it; undefined when
 * there is none (no proposal here, or its sequence is committed).
 */
export async function pendingDefinition(
  ctx: NetworkContext,
  chaincode: string,
  committedSequence: number,
): Promise<PendingDefinition | undefined> {
  const p = readProposal(ctx, chaincode);
  if (!p || p.sequence <= committedSequence) return undefined;
  const approvals = await commitReadiness(ctx, p);
  return {
    sequence: p.sequence,
    version: p.version,
    packageId: p.packageId,
    approvals,
    missing: missingApprovals(ctx.topology, ctx.topology.orgs, approvals),
  };
}

/** The LifecycleEndorsement a channel's configuration should hold for the topology, as configtx.ts writes it. */
export function expectedLifecycleRule(t: Topology): string {
  return lifecycleEndorsementRule(t, t.orgs);
}
