import type { NetworkContext } from './context';
import {
  approveUpgrade,
  commitReadiness,
  commitUpgrade,
  missingApprovals,
  proposalFile,
  proposeUpgrade,
  readProposal,
  type UpgradeProposal,
} from './governed-upgrade';
import { updateLifecyclePolicy } from './lifecycle-policy';
import { afterCommit } from './network';
import { publishCrl, revokeIdentity, type PublishedCrl } from './revocation';
import { orgOf, regulatorOf, TopologyError } from './topology';

/** The governance commands of network.sh: governed chaincode upgrades and revocation the peers enforce. */
export const GOVERNANCE_USAGE = `  chaincode propose [--name CC] [--release R] [--as ORG]
                                               package the working tree's code and write the next
                                               sequence's definition and digest to a proposal file
  chaincode approve --org ORG [--name CC]      ORG's admin checks the digest, installs, approves
  chaincode commit [--name CC] [--as ORG] [--force]
                                               commit once the lifecycle policy is met (the regulator
                                               and a majority); refused naming whose approvals are
                                               missing (--force: send it anyway, Fabric decides)
  revoke ORG IDENTITY [--reason R] [--no-publish]
                                               revoke an identity at ORG's CA and publish the CRL
  publish-crl ORG                              put ORG's CA's CRL into its MSP on every channel
  lifecycle-policy                             update each channel's LifecycleEndorsement to the
                                               regulator and a majority (networks made before it)`;

const VALUE_FLAGS = new Set(['--name', '--release', '--as', '--org', '--reason', '--topology', '--consensus']);

/** Flags with values and bare words, from the arguments after the command name. */
export function parseGovernanceArgs(argv: readonly string[]): { flags: Map<string, string | true>; words: string[] } {
  const flags = new Map<string, string | true>();
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) words.push(a);
    else if (VALUE_FLAGS.has(a)) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new TopologyError(`${a} needs a value`);
      flags.set(a, value);
      i++;
    } else flags.set(a, true);
  }
  return { flags, words };
}

const str = (flags: Map<string, string | true>, name: string): string | undefined => {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
};

function chaincodesOf(ctx: NetworkContext, name: string | undefined): string[] {
  if (name !== undefined) {
    if (!ctx.topology.chaincodes.some((c) => c.name === name)) throw new TopologyError(`no chaincode ${name}`);
    return [name];
  }
  return ctx.topology.chaincodes.map((c) => c.name);
}

function proposalOf(ctx: NetworkContext, chaincode: string): UpgradeProposal {
  const p = readProposal(ctx, chaincode);
  if (!p) throw new TopologyError(`no proposal for ${chaincode}: run 'chaincode propose' first`);
  return p;
}

function printCrl(org: string, results: readonly PublishedCrl[]): void {
  for (const r of results) {
    console.log(
      `${r.channel}: ${r.updated ? `${org}'s CRL published` : `already held ${org}'s current CRL`}; signed by ${org}'s admin alone (${r.checked.join(', ')})`,
    );
  }
}

/** Runs one governance command; `argv` is what follows the command's name. Returns the exit code. */
export async function runGovernanceCommand(
  command: string,
  argv: readonly string[],
  ctx: NetworkContext,
): Promise<number> {
  const { flags, words } = parseGovernanceArgs(argv);
  if (command === 'chaincode') {
    const [step] = words;
    const names = chaincodesOf(ctx, str(flags, '--name'));
    const as = str(flags, '--as');
    if (step === 'propose') {
      const release = str(flags, '--release');
      for (const name of names) {
        const p = await proposeUpgrade(ctx, name, {
          ...(as ? { proposer: orgOf(ctx.topology, as) } : {}),
          ...(release ? { release } : {}),
        });
        console.log(
          `${name}: proposed version ${p.version} as sequence ${p.sequence}, package ${p.packageId} (${proposalFile(ctx, name)})`,
        );
      }
      return 0;
    }
    if (step === 'approve') {
      const orgName = str(flags, '--org');
      if (!orgName) throw new TopologyError('chaincode approve needs --org ORG: the org whose admin approves');
      const org = orgOf(ctx.topology, orgName);
      for (const name of names) {
        const p = proposalOf(ctx, name);
        await approveUpgrade(ctx, p, org);
        const approvals = await commitReadiness(ctx, p, org);
        const missing = missingApprovals(ctx.topology, ctx.topology.orgs, approvals);
        console.log(
          `${name}: ${org.mspId} approved sequence ${p.sequence}; ` +
            (missing.length === 0 ? 'ready to commit' : `still missing: ${missing.join('; ')}`),
        );
      }
      return 0;
    }
    if (step === 'commit') {
      const submitter = as ? orgOf(ctx.topology, as) : regulatorOf(ctx.topology);
      for (const name of names) {
        const p = proposalOf(ctx, name);
        await commitUpgrade(ctx, p, submitter, { force: flags.has('--force') });
        await afterCommit(ctx, name);
        console.log(`${name}: committed version ${p.version} as sequence ${p.sequence}`);
      }
      return 0;
    }
    throw new TopologyError(`chaincode needs a step: propose, approve or commit (got ${step ?? 'nothing'})`);
  }
  if (command === 'revoke') {
    const [orgName, identity] = words;
    if (!orgName || !identity) throw new TopologyError('revoke needs ORG and IDENTITY (the enrollment id)');
    const org = orgOf(ctx.topology, orgName);
    const reason = str(flags, '--reason') ?? 'keycompromise';
    const results = await revokeIdentity(ctx, org, identity, { reason, publish: !flags.has('--no-publish') });
    console.log(`${identity}: revoked at ${org.name}'s CA (${reason})`);
    printCrl(org.name, results);
    return 0;
  }
  if (command === 'publish-crl') {
    const [orgName] = words;
    if (!orgName) throw new TopologyError('publish-crl needs ORG');
    printCrl(orgName, await publishCrl(ctx, orgOf(ctx.topology, orgName)));
    return 0;
  }
  if (command === 'lifecycle-policy') {
    for (const r of await updateLifecyclePolicy(ctx)) {
      console.log(
        r.updated
          ? `${r.channel}: LifecycleEndorsement updated (signed by ${r.signedBy.join(', ')})`
          : `${r.channel}: LifecycleEndorsement already requires the regulator and a majority`,
      );
    }
    return 0;
  }
  throw new TopologyError(`unknown governance command ${command}`);
}
