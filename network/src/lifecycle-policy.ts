import {
  defaultSigners,
  fetchConfig,
  NothingToUpdateError,
  signUpdate,
  submitUpdate,
  updateDir,
  writeUpdate,
} from './config-update';
import { waitUntilConfig } from './config-wait';
import type { NetworkContext } from './context';
import { regulatorOf, type Org, type Topology } from './topology';

/**
 * Brings a running channel's LifecycleEndorsement to the rule configtx.ts writes at genesis (the regulator
 * and a majority, lifecycleEndorsementRule): a configuration update of the Application group's policy,
 * whose mod_policy is the channel's Application Admins, so it is signed the way every other update of the
 * channel is (config-update.ts).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- configtxlator's JSON is Fabric's protobuf JSON
type Json = any;

const peerOf = (org: Org) => ({
  principal: { msp_identifier: org.mspId, role: 'PEER' },
  principal_classification: 'ROLE',
});

/**
 * lifecycleEndorsementRule as the SignaturePolicyEnvelope configtxgen compiles it to (configtxlator JSON):
 * the inner OutOf's principals are listed first and the regulator after them, and `AND` is an n_out_of
 * over all its terms. The same bytes as at genesis, so a network made with the rule has nothing to update.
 */
export function lifecyclePolicyJson(t: Topology, orgs: readonly Org[]): Json {
  const regulator = regulatorOf(t);
  const others = orgs.filter((o) => o.mspId !== regulator.mspId);
  const needed = Math.floor(orgs.length / 2);
  if (others.length === 0 || needed === 0) {
    return {
      type: 1,
      value: { identities: [peerOf(regulator)], rule: { n_out_of: { n: 1, rules: [{ signed_by: 0 }] } }, version: 0 },
    };
  }
  return {
    type: 1,
    value: {
      identities: [...others, regulator].map(peerOf),
      rule: {
        n_out_of: {
          n: 2,
          rules: [
            { signed_by: others.length },
            { n_out_of: { n: needed, rules: others.map((_, i) => ({ signed_by: i })) } },
          ],
        },
      },
      version: 0,
    },
  };
}

export interface LifecyclePolicyUpdate {
  readonly channel: string;
  /** False when the channel already had the rule. */
  readonly updated: boolean;
  readonly signedBy: string[];
}

/** Writes, signs (each admin the channel's Admins policy needs) and submits the update on every channel. */
export async function updateLifecyclePolicy(ctx: NetworkContext): Promise<LifecyclePolicyUpdate[]> {
  const t = ctx.topology;
  const regulator = regulatorOf(t);
  const results: LifecyclePolicyUpdate[] = [];
  for (const channel of t.channels) {
    const dir = updateDir(ctx, channel.name, 'lifecycle-policy');
    const original = await fetchConfig(ctx, channel.name, regulator, dir);
    const updated = JSON.parse(JSON.stringify(original)) as Json;
    const wanted = lifecyclePolicyJson(t, t.orgs);
    updated.channel_group.groups.Application.policies.LifecycleEndorsement.policy = wanted;
    let update;
    try {
      update = await writeUpdate(
        ctx,
        channel.name,
        dir,
        original,
        updated,
        `LifecycleEndorsement of ${channel.name}: the regulator and a majority`,
      );
    } catch (err) {
      if (!(err instanceof NothingToUpdateError)) throw err;
      results.push({ channel: channel.name, updated: false, signedBy: [] });
      continue;
    }
    const [submitter, ...others] = defaultSigners(t, channel.name, t.orgs, regulator.name);
    if (!submitter) throw new Error(`no org to sign the update of ${channel.name}`);
    for (const signer of others) await signUpdate(ctx, update, signer);
    await submitUpdate(ctx, update, submitter, { policyMembers: t.orgs });
    await waitUntilConfig(
      ctx,
      channel.name,
      regulator,
      `${dir}/check`,
      (config) =>
        JSON.stringify(config.channel_group.groups.Application.policies.LifecycleEndorsement.policy) ===
        JSON.stringify(wanted),
      'the new LifecycleEndorsement',
    );
    results.push({ channel: channel.name, updated: true, signedBy: [submitter, ...others].map((o) => o.mspId) });
  }
  return results;
}
