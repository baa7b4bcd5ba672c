import type { AuditRecord, CampaignView, Participant } from '@ecf/common';
import { z } from 'zod';

/**
 * The regulator's supervisory views that are more than one chaincode call, as pure functions of what the
 * routes read from the two channels, and the schemas the OpenAPI document publishes for them.
 */
export const verificationSchema = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    height: z.string(),
    mismatches: z.array(
      z.object({ blockNumber: z.string(), recorded: z.string(), actual: z.string(), recordId: z.string() }).strict(),
    ),
  })
  .strict();

export const transparencySchema = z
  .object({
    generatedAt: z.string(),
    volumes: z.array(
      z.object({ classId: z.string(), trades: z.number().int(), units: z.string(), value: z.string() }).strict(),
    ),
    concentration: z
      .object({
        byOperator: z.array(z.object({ mspId: z.string(), share: z.number() }).strict()),
        hhi: z.number(),
      })
      .strict(),
    participants: z.record(z.number().int()),
    openCampaigns: z.array(z.object({ campaignId: z.string(), status: z.string(), closeAt: z.number() }).strict()),
    uptime: z
      .object({
        gatewaySeconds: z.number(),
        marketHeight: z.string(),
        relayFiledThrough: z.string().nullable(),
      })
      .strict(),
  })
  .strict();

export const transactionViewSchema = z
  .object({
    txId: z.string(),
    blockNumber: z.string(),
    valid: z.boolean(),
    validationCode: z.string(),
    timestamp: z.number(),
    creatorMspId: z.string(),
    fn: z.string(),
    args: z.array(z.string()),
    event: z.object({ name: z.string(), payload: z.unknown() }).strict().optional(),
  })
  .strict();

export const relayStatusSchema = z
  .object({ marketHeight: z.string(), filedThrough: z.string().nullable(), behind: z.string().nullable() })
  .strict();

export type Verification = z.infer<typeof verificationSchema>;
export type Transparency = z.infer<typeof transparencySchema>;

/** Each checkpoint on `audit` against the hash of the same block on the org's peer. */
export async function verifyCheckpoints(
  checkpoints: readonly AuditRecord[],
  height: bigint,
  blockHash: (blockNumber: bigint) => Promise<string>,
): Promise<Verification> {
  const mismatches = [];
  for (const c of checkpoints) {
    const number = BigInt(c.source.blockNumber);
    const recorded = String(c.details.blockHash ?? '');
    const actual = number < height ? await blockHash(number) : 'missing';
    if (actual !== recorded) mismatches.push({ blockNumber: c.source.blockNumber, recorded, actual, recordId: c.id });
  }
  return { ok: mismatches.length === 0, checked: checkpoints.length, height: height.toString(), mismatches };
}

export interface TransparencyInput {
  readonly trades: readonly AuditRecord[];
  readonly participants: readonly Participant[];
  readonly campaigns: readonly CampaignView[];
  /** Epoch seconds. */
  readonly now: number;
  readonly uptime: Transparency['uptime'];
}

/** Volumes per class, operator shares of traded value and their HHI, participants by status, open campaigns. */
export function transparencyReport(input: TransparencyInput): Transparency {
  const byClass = new Map<string, { trades: number; units: bigint; value: bigint }>();
  const byOperator = new Map<string, bigint>();
  let total = 0n;
  for (const t of input.trades) {
    const classId = String(t.details.classId);
    const units = BigInt(String(t.details.quantity ?? '0'));
    const value = BigInt(String(t.details.value ?? '0'));
    const entry = byClass.get(classId) ?? { trades: 0, units: 0n, value: 0n };
    byClass.set(classId, { trades: entry.trades + 1, units: entry.units + units, value: entry.value + value });
    // Each side's operator is credited half the trade's value.
    for (const p of t.parties)
      byOperator.set(p, (byOperator.get(p) ?? 0n) + value / BigInt(Math.max(1, t.parties.length)));
    total += value;
  }
  const shares = [...byOperator.entries()].map(([mspId, v]) => ({
    mspId,
    share: total === 0n ? 0 : Number((v * 1_000_000n) / total) / 1_000_000,
  }));
  const status: Record<string, number> = {};
  for (const p of input.participants) status[`${p.kind}:${p.status}`] = (status[`${p.kind}:${p.status}`] ?? 0) + 1;
  return {
    generatedAt: new Date(input.now * 1000).toISOString(),
    volumes: [...byClass.entries()].map(([classId, v]) => ({
      classId,
      trades: v.trades,
      units: v.units.toString(),
      value: v.value.toString(),
    })),
    concentration: {
      byOperator: shares,
      hhi: Math.round(shares.reduce((s, x) => s + (x.share * 100) ** 2, 0)),
    },
    participants: status,
    openCampaigns: input.campaigns
      .filter((c) => (c.status === 'APPROVED' || c.status === 'FUNDED') && c.closeAt > input.now)
      .map((c) => ({ campaignId: c.id, status: c.status, closeAt: c.closeAt })),
    uptime: input.uptime,
  };
}

/** The report as `section,key,value` rows (one file for spreadsheets; values never need quoting). */
export function toCsv(r: Transparency): string {
  const rows: string[][] = [['section', 'key', 'metric', 'value']];
  for (const v of r.volumes) {
    rows.push(
      ['volume', v.classId, 'trades', String(v.trades)],
      ['volume', v.classId, 'units', v.units],
      ['volume', v.classId, 'value', v.value],
    );
  }
  for (const o of r.concentration.byOperator) rows.push(['concentration', o.mspId, 'share', String(o.share)]);
  rows.push(['concentration', 'all', 'hhi', String(r.concentration.hhi)]);
  for (const [k, n] of Object.entries(r.participants)) rows.push(['participants', k, 'count', String(n)]);
  for (const c of r.openCampaigns) rows.push(['open-campaign', c.campaignId, c.status, String(c.closeAt)]);
  rows.push(
    ['uptime', 'gateway', 'seconds', String(r.uptime.gatewaySeconds)],
    ['uptime', 'market', 'height', r.uptime.marketHeight],
  );
  rows.push(['uptime', 'relay', 'filedThrough', r.uptime.relayFiledThrough ?? '']);
  return `${rows.map((row) => row.map((c) => c.replace(/[",\n]/g, ' ')).join(',')).join('\n')}\n`;
}
