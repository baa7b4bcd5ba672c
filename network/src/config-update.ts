import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ordererArgs, orderersFor, peerCli } from './admin-cli';
import { configtx, profileName } from './configtx';
import { binary, type NetworkContext } from './context';
import { CommandError, run } from './exec';
import { orgOf, regulatorOf, type Org, type Topology } from './topology';

/**
 * A channel configuration update, the way members on different hosts make one (Fabric's "Adding an Org to
 * a Channel"): one org writes the update (fetches the config block, edits it with configtxlator, computes
 * the delta, wraps it in an envelope); each admin whose signature the channel's policy needs signs a copy
 * of that envelope on its own host and hands back only its signature, as a file; one admin submits the
 * envelope with the signatures it collected (the peer CLI adds the submitter's own).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- configtxlator's JSON is Fabric's protobuf JSON
type Json = any;

/** Fabric refused a configuration update: the message says whose signatures were missing and why. */
export class ConfigUpdateRefusedError extends Error {
  override readonly name = 'ConfigUpdateRefusedError';
  constructor(
    readonly channel: string,
    /** Who signed (MSP IDs), the submitter included. */
    readonly signedBy: readonly string[],
    /** What the channel's Admins policy still needs, in words; empty when the refusal has another cause. */
    readonly missing: readonly string[],
    /** Fabric's own reason, as the orderer gave it. */
    readonly fabricReason: string,
  ) {
    super(
      `configuration update of channel ${channel} refused by Fabric` +
        (missing.length > 0 ? `: missing signatures: ${missing.join('; ')}` : '') +
        ` (signed by ${signedBy.join(', ') || 'nobody'}). Fabric: ${fabricReason}`,
    );
  }
}

/** A computed update that would change nothing: the channel already has what it asks for. */
export class NothingToUpdateError extends Error {
  override readonly name = 'NothingToUpdateError';
}

/** Where one update's files live: the envelope, and one signature file per signing org. */
export interface PreparedUpdate {
  readonly channel: string;
  readonly dir: string;
  /** The unsigned envelope (common.Envelope, protobuf). */
  readonly envelope: string;
  readonly description: string;
}

export function updateDir(ctx: NetworkContext, channel: string, name: string): string {
  return join(ctx.layout.generated, 'config-updates', channel, name);
}

/**
 * The configuration configtxgen would write for the channel from the topology as it is now (with an org
 * added or removed): the source of every rule and value whose content depends on who the members are, so
 * a member added or removed later is described exactly as one present at genesis.
 */
export async function intendedChannelConfig(ctx: NetworkContext, channel: string): Promise<Json> {
  const dir = join(ctx.layout.generated, 'configtx-now');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'configtx.yaml'), stringify(configtx(ctx.topology, ctx.placement), { lineWidth: 0 }));
  const block = join(dir, `${channel}.block`);
  await run(
    binary(ctx, 'configtxgen'),
    ['-profile', profileName(channel), '-outputBlock', block, '-channelID', channel],
    {
      env: { FABRIC_CFG_PATH: dir },
    },
  );
  return (await decode(ctx, block, 'common.Block')).data.data[0].payload.data.config as Json;
}

function regulatorMustSign(ctx: NetworkContext, channel: string): boolean {
  return ctx.topology.channels.find((c) => c.name === channel)?.regulatorMustSign ?? false;
}

/**
 * Takes the channel-level and Application Admins rules from the intended configuration. On a channel
 * where the regulator must sign they count a majority of every member's admins, so they change with the
 * members; elsewhere they are implicit meta-policies and stay as they are.
 */
export function adoptApplicationRules(ctx: NetworkContext, channel: string, updated: Json, intended: Json): void {
  if (!regulatorMustSign(ctx, channel)) return;
  updated.channel_group.policies.Admins.policy = intended.channel_group.policies.Admins.policy;
  updated.channel_group.groups.Application.policies.Admins.policy =
    intended.channel_group.groups.Application.policies.Admins.policy;
}

/**
 * Takes the Orderer rules that follow the consenter set from the intended configuration. SmartBFT blocks
 * are valid when signed by a quorum of the consenters, and configtxgen writes that rule over every
 * consenter's identity: the orderer refuses a config whose BlockValidation does not match its consenters.
 * On a channel where the regulator must sign, the Orderer Admins rule counts the ordering orgs too.
 */
export function adoptOrdererRules(ctx: NetworkContext, channel: string, updated: Json, intended: Json): void {
  const orderer = updated.channel_group.groups.Orderer;
  const wanted = intended.channel_group.groups.Orderer;
  orderer.policies.BlockValidation.policy = wanted.policies.BlockValidation.policy;
  if (regulatorMustSign(ctx, channel)) orderer.policies.Admins.policy = wanted.policies.Admins.policy;
}

async function lator(ctx: NetworkContext, args: string[]): Promise<string> {
  return run(binary(ctx, 'configtxlator'), args);
}

async function decode(ctx: NetworkContext, file: string, type: string): Promise<Json> {
  // configtxlator opens /dev/stdout by name, which fails when stdout is a socket (as Node's pipes are).
  const out = `${file}.decoded.json`;
  await lator(ctx, ['proto_decode', '--input', file, '--type', type, '--output', out]);
  return JSON.parse(readFileSync(out, 'utf8')) as Json;
}

async function encode(ctx: NetworkContext, json: Json, type: string, out: string): Promise<void> {
  const src = `${out}.json`;
  writeFileSync(src, JSON.stringify(json));
  await lator(ctx, ['proto_encode', '--input', src, '--type', type, '--output', out]);
}

/**
 * The channel's latest config block, fetched by an org admin from the first ordering node that answers:
 * decoded, with its size in bytes.
 */
export async function fetchConfigBlock(
  ctx: NetworkContext,
  channel: string,
  as: Org,
  dir: string,
): Promise<{ block: Json; bytes: number }> {
  const peer = as.peers[0];
  if (!peer) throw new Error(`${as.name} has no peer to act through`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'config_block.pb');
  let lastErr: unknown;
  for (const orderer of orderersFor(ctx, as)) {
    try {
      await peerCli(ctx, as, peer, ['channel', 'fetch', 'config', file, '-c', channel, ...ordererArgs(ctx, orderer)]);
      return { block: await decode(ctx, file, 'common.Block'), bytes: statSync(file).size };
    } catch (err) {
      lastErr = err;
    }
  }
  throw lastErr;
}

/** The channel's current configuration, fetched by an org admin from the ordering service. */
export async function fetchConfig(ctx: NetworkContext, channel: string, as: Org, dir: string): Promise<Json> {
  const { block } = await fetchConfigBlock(ctx, channel, as, dir);
  return block.data.data[0].payload.data.config as Json;
}

/**
 * Writes the update from `original` to `updated` as an unsigned envelope in `dir`, and clears signatures
 * of an earlier update there. Throws NothingToUpdateError when the two configs do not differ.
 */
export async function writeUpdate(
  ctx: NetworkContext,
  channel: string,
  dir: string,
  original: Json,
  updated: Json,
  description: string,
): Promise<PreparedUpdate> {
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, 'signatures'), { recursive: true, force: true });
  await encode(ctx, original, 'common.Config', join(dir, 'original.pb'));
  await encode(ctx, updated, 'common.Config', join(dir, 'updated.pb'));
  try {
    await lator(ctx, [
      'compute_update',
      '--channel_id',
      channel,
      '--original',
      join(dir, 'original.pb'),
      '--updated',
      join(dir, 'updated.pb'),
      '--output',
      join(dir, 'update.pb'),
    ]);
  } catch (err) {
    if (err instanceof CommandError && /no differences detected/i.test(err.output)) {
      throw new NothingToUpdateError(`channel ${channel} already has this configuration (${description})`);
    }
    throw err;
  }
  const update = await decode(ctx, join(dir, 'update.pb'), 'common.ConfigUpdate');
  const envelope = {
    payload: {
      header: { channel_header: { channel_id: channel, type: 2 } },
      data: { config_update: update },
    },
  };
  const file = join(dir, 'update_envelope.pb');
  await encode(ctx, envelope, 'common.Envelope', file);
  writeFileSync(join(dir, 'README.txt'), `${description}\n`);
  return { channel, dir, envelope: file, description };
}

/**
 * One org's admin signs the update, as on that org's own host: it signs a private copy of the unsigned
 * envelope with `peer channel signconfigtx` and keeps only its signature, written to
 * `signatures/<org>.json` — the file it hands back to whoever submits.
 */
export async function signUpdate(ctx: NetworkContext, update: PreparedUpdate, org: Org): Promise<string> {
  const peer = org.peers[0];
  if (!peer) throw new Error(`${org.name} has no peer to act through`);
  const work = join(update.dir, 'signing', org.slug);
  mkdirSync(work, { recursive: true });
  const copy = join(work, 'update_envelope.pb');
  copyFileSync(update.envelope, copy);
  await peerCli(ctx, org, peer, ['channel', 'signconfigtx', '-f', copy]);
  const signed = await decode(ctx, copy, 'common.Envelope');
  const signatures = signed.payload.data.signatures as Json[];
  const mine = signatures[signatures.length - 1];
  if (!mine) throw new Error(`${org.name}: signconfigtx added no signature`);
  const out = join(update.dir, 'signatures', `${org.slug}.json`);
  mkdirSync(join(update.dir, 'signatures'), { recursive: true });
  writeFileSync(out, JSON.stringify(mine, null, 2));
  return out;
}

/** The MSP ID a signature file was made by (read from the signature header, not from the file's name). */
function signerOf(signature: Json): string {
  return String(signature.signature_header?.creator?.mspid ?? '');
}

/**
 * Submits the update with the signatures collected in `signatures/` (or the given files) as `submitter`,
 * whose own signature the peer CLI adds. A refusal for want of signatures becomes a
 * ConfigUpdateRefusedError that says whose are missing under the channel's Admins policy.
 */
export async function submitUpdate(
  ctx: NetworkContext,
  update: PreparedUpdate,
  submitter: Org,
  opts: { signatureFiles?: readonly string[]; policyMembers?: readonly Org[] } = {},
): Promise<void> {
  const sigDir = join(update.dir, 'signatures');
  const files =
    opts.signatureFiles ??
    (existsSync(sigDir)
      ? readdirSync(sigDir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => join(sigDir, f))
      : []);
  const signatures = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Json);
  const envelope = await decode(ctx, update.envelope, 'common.Envelope');
  envelope.payload.data.signatures = signatures;
  const out = join(update.dir, `submitted_by_${submitter.slug}.pb`);
  await encode(ctx, envelope, 'common.Envelope', out);

  const peer = submitter.peers[0];
  if (!peer) throw new Error(`${submitter.name} has no peer to act through`);
  const signedBy = [...new Set([...signatures.map(signerOf), submitter.mspId])];
  const members = opts.policyMembers ?? ctx.topology.orgs;
  let lastErr: unknown;
  for (const orderer of orderersFor(ctx, submitter)) {
    try {
      await peerCli(ctx, submitter, peer, [
        'channel',
        'update',
        '-f',
        out,
        '-c',
        update.channel,
        ...ordererArgs(ctx, orderer),
      ]);
      return;
    } catch (err) {
      const text = err instanceof CommandError ? err.output : String(err);
      if (/not satisfied|signature set did not satisfy|policy/i.test(text)) {
        const reason = (text.split('\n').find((l) => l.startsWith('Error:')) ?? text).replace(/^Error:\s*/, '');
        throw new ConfigUpdateRefusedError(
          update.channel,
          signedBy,
          missingSignatures(ctx.topology, update.channel, members, signedBy),
          reason.trim(),
        );
      }
      lastErr = err;
    }
  }
  throw lastErr;
}

/**
 * What the Admins policy (configtx.ts) of a channel still needs, given who signed: `MAJORITY Admins` of the
 * member orgs; on a channel where the regulator must sign, `AND(regulator admin, OutOf(majority, every
 * member admin))`. Fabric uses each signature once within one policy evaluation, so the regulator's
 * signature, taken by the AND, does not count toward the OutOf: the majority must come from the others
 * (with four members: every one of them).
 */
export function missingSignatures(
  t: Topology,
  channel: string,
  members: readonly Org[],
  signedBy: readonly string[],
): string[] {
  const spec = t.channels.find((c) => c.name === channel);
  const signed = new Set(signedBy);
  const majority = Math.floor(members.length / 2) + 1;
  const missing: string[] = [];
  let counted = members;
  if (spec?.regulatorMustSign) {
    const regulator = regulatorOf(t);
    if (!signed.has(regulator.mspId))
      missing.push(`${regulator.mspId} (the regulator signs every update of ${channel})`);
    counted = members.filter((m) => m.mspId !== regulator.mspId);
  }
  const have = counted.filter((m) => signed.has(m.mspId)).length;
  if (have < majority) {
    const others = counted.filter((m) => !signed.has(m.mspId)).map((o) => o.mspId);
    missing.push(
      `${majority - have} more of ${others.join(', ')} (a majority, ${majority} of ${members.length} member admins` +
        (spec?.regulatorMustSign ? ", besides the regulator's own" : '') +
        ')',
    );
  }
  return missing;
}

/**
 * The orgs whose admins sign an update of the channel by default: the regulator where it must sign, then
 * members in topology order (the sponsor first) until the policy is met (see missingSignatures).
 */
export function defaultSigners(t: Topology, channel: string, members: readonly Org[], sponsor?: string): Org[] {
  const spec = t.channels.find((c) => c.name === channel);
  const first = sponsor ? [orgOf(t, sponsor)] : [];
  const regulator = spec?.regulatorMustSign ? [regulatorOf(t)] : [];
  const chosen: Org[] = [];
  for (const org of [...regulator, ...first, ...members]) {
    if (
      missingSignatures(
        t,
        channel,
        members,
        chosen.map((o) => o.mspId),
      ).length === 0
    )
      break;
    if (members.includes(org) && !chosen.includes(org)) chosen.push(org);
  }
  return chosen;
}
