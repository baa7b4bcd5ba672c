import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fetchConfig,
  NothingToUpdateError,
  submitUpdate,
  updateDir,
  writeUpdate,
  type PreparedUpdate,
} from './config-update';
import { waitUntilConfig } from './config-wait';
import { binary, type NetworkContext } from './context';
import { run } from './exec';
import type { Org } from './topology';

/**
 * Revocation that the peers enforce. The org's enrollment CA revokes a certificate and issues a CRL; the
 * org's admin puts that CRL into the org's MSP definition in each channel's configuration (its
 * `revocation_list`), so every peer and ordering node of the channel refuses the certificate: a proposal
 * signed with it is not endorsed, and a transaction signed with it does not validate. Until the CRL is
 * published only the org's gateway and the chaincode know of the revocation.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- configtxlator's JSON is Fabric's protobuf JSON
type Json = any;

/** A channel's MSP definition of the org would need more than the org's own admin to change. */
export class NotOwnMspError extends Error {
  override readonly name = 'NotOwnMspError';
}

function caClientArgs(ctx: NetworkContext, org: Org): string[] {
  return [
    '-u',
    `https://${ctx.placement.address(org.ca, org.ca.port)}`,
    '-H',
    ctx.layout.identity(org.slug, 'admin'),
    '--mspdir',
    'msp',
    '--tls.certfiles',
    ctx.layout.tlsCaCert(org.slug),
  ];
}

/**
 * The org's admin (hf.Revoker) revokes every certificate of an enrollment id at the org's CA, for a reason
 * from RFC 5280 (keycompromise, cessationofoperation, …). An id already revoked counts as done.
 */
export async function revokeAtCa(ctx: NetworkContext, org: Org, enrollmentId: string, reason: string): Promise<void> {
  try {
    await run(binary(ctx, 'fabric-ca-client'), ['revoke', ...caClientArgs(ctx, org), '-e', enrollmentId, '-r', reason]);
  } catch (err) {
    if (!/already revoked/i.test((err as Error).message)) throw err;
  }
}

/** The org's admin (hf.GenCRL) asks the org's CA for its current CRL, PEM: every certificate it revoked. */
export async function generateCrl(ctx: NetworkContext, org: Org): Promise<string> {
  await run(binary(ctx, 'fabric-ca-client'), ['gencrl', ...caClientArgs(ctx, org)]);
  const file = join(ctx.layout.identity(org.slug, 'admin'), 'msp', 'crls', 'crl.pem');
  if (!existsSync(file)) throw new Error(`${org.name}'s CA wrote no CRL to ${file}`);
  return readFileSync(file, 'utf8');
}

/** The groups of a channel config that define the org's MSP: its Application group and, if it orders, its Orderer group. */
function mspGroups(config: Json, mspId: string): Array<{ path: string; group: Json }> {
  const groups = config.channel_group.groups;
  return [
    { path: `Application/${mspId}`, group: groups.Application?.groups?.[mspId] },
    { path: `Orderer/${mspId}`, group: groups.Orderer?.groups?.[mspId] },
  ].filter((g) => g.group !== undefined);
}

/**
 * Checks, from the channel's configuration, that the org's admin alone may change its MSP definition: the
 * MSP value's mod_policy is the group's `Admins`, and that policy asks for the org's own admin only.
 * Returns the paths checked. Throws NotOwnMspError otherwise: then the CRL needs more signatures, and this
 * procedure says so rather than submitting an update that Fabric would refuse.
 */
export function checkOwnMspPolicy(config: Json, mspId: string): string[] {
  const groups = mspGroups(config, mspId);
  if (groups.length === 0) throw new NotOwnMspError(`${mspId} is not a member of this channel`);
  for (const { path, group } of groups) {
    const modPolicy = group.values?.MSP?.mod_policy;
    if (modPolicy !== 'Admins') {
      throw new NotOwnMspError(`${path}/MSP has mod_policy ${JSON.stringify(modPolicy)}, not the org's own Admins`);
    }
    const policy = group.policies?.Admins?.policy;
    const identities = (policy?.type === 1 ? policy.value?.identities : undefined) as
      Array<{ principal?: { msp_identifier?: string; role?: string } }> | undefined;
    const own =
      identities !== undefined &&
      identities.length > 0 &&
      identities.every((i) => i.principal?.msp_identifier === mspId && i.principal?.role === 'ADMIN');
    if (!own) {
      throw new NotOwnMspError(`${path}/Admins asks for more than ${mspId}'s admin: ${JSON.stringify(policy)}`);
    }
  }
  return groups.map((g) => `${g.path}/MSP (mod_policy Admins = ${mspId}.admin)`);
}

/**
 * The config with the org's MSP revocation list set to the CRL, in every group that defines the MSP:
 * Fabric refuses two different definitions of one MSP in one channel.
 */
export function withRevocationList(config: Json, mspId: string, crlPem: string): Json {
  const updated = JSON.parse(JSON.stringify(config)) as Json;
  for (const { group } of mspGroups(updated, mspId)) {
    group.values.MSP.value.config.revocation_list = [Buffer.from(crlPem).toString('base64')];
  }
  return updated;
}

export interface PublishedCrl {
  readonly channel: string;
  /** False when the channel already held this CRL. */
  readonly updated: boolean;
  readonly checked: string[];
}

/**
 * The org's admin publishes its CA's current CRL into its MSP on every channel: an update of its own MSP
 * definition, which it alone signs (checked against the mod_policy first), and waits until the channel's
 * configuration holds it. Idempotent.
 */
export async function publishCrl(ctx: NetworkContext, org: Org): Promise<PublishedCrl[]> {
  const crl = await generateCrl(ctx, org);
  const results: PublishedCrl[] = [];
  for (const channel of ctx.topology.channels) {
    const dir = updateDir(ctx, channel.name, `crl-${org.slug}`);
    const original = await fetchConfig(ctx, channel.name, org, dir);
    const checked = checkOwnMspPolicy(original, org.mspId);
    let update: PreparedUpdate;
    try {
      update = await writeUpdate(
        ctx,
        channel.name,
        dir,
        original,
        withRevocationList(original, org.mspId, crl),
        `CRL of ${org.mspId} into its MSP on ${channel.name}`,
      );
    } catch (err) {
      if (!(err instanceof NothingToUpdateError)) throw err;
      results.push({ channel: channel.name, updated: false, checked });
      continue;
    }
    await submitUpdate(ctx, update, org, { signatureFiles: [] });
    await waitUntilConfig(
      ctx,
      channel.name,
      org,
      join(dir, 'check'),
      (config) => revocationListOf(config, org.mspId).includes(crl),
      `${org.mspId}'s CRL`,
    );
    results.push({ channel: channel.name, updated: true, checked });
  }
  return results;
}

/** A compromised identity: revoked at the org's CA, and (unless told otherwise) its CRL published at once. */
export async function revokeIdentity(
  ctx: NetworkContext,
  org: Org,
  enrollmentId: string,
  opts: { reason?: string; publish?: boolean } = {},
): Promise<PublishedCrl[]> {
  await revokeAtCa(ctx, org, enrollmentId, opts.reason ?? 'keycompromise');
  return opts.publish === false ? [] : publishCrl(ctx, org);
}

/** The CRLs (PEM) a channel's configuration holds for the org's MSP, in its Application group. */
export function revocationListOf(config: Json, mspId: string): string[] {
  const list = (config.channel_group.groups.Application.groups[mspId]?.values?.MSP?.value?.config?.revocation_list ??
    []) as string[];
  return list.map((b64) => Buffer.from(b64, 'base64').toString('utf8'));
}
