import type { AuditRecord, CampaignView, Participant } from '@ecf/common';
import { z } from 'zod';

/**
 * The regulator's supervisory views that are more than one chaincode call, as pure functions of what the
 * routes read from the two channels, and the schemas the OpenAPI document publishes for them.
 */
export const verificationSchema = z
  .object({
    ok: z.boolean().describe('Whether every checkpoint matched.'),
    checked: z.number().int().describe('Checkpoints compared.'),
    height: z.string().describe("The market channel's height on the regulator's peer, as a decimal string."),
    mismatches: z
      .array(
        z
          .object({
            blockNumber: z.string().describe('The market block, as a decimal string.'),
            recorded: z.string().describe('The block hash the checkpoint recorded (hex).'),
            actual: z.string().describe("The block's hash on the peer now (hex), or `missing`."),
            recordId: z.string().describe('The CHECKPOINT audit record.'),
          })
          .strict(),
      )
      .describe('Checkpoints whose block hash differs: a rewritten ledger.'),
  })
  .strict();

export const transparencySchema = z
  .object({
    generatedAt: z.string().describe('When the report was made (ISO 8601, UTC).'),
    volumes: z
      .array(
        z
          .object({
            classId: z.string().describe('The share class.'),
            trades: z.number().int().describe('Trades filed.'),
            units: z.string().describe('Share units traded, in the smallest unit of the class (decimal string).'),
            value: z
              .string()
              .describe('Money traded (price × units), in the smallest unit of the money token (decimal string).'),
          })
          .strict(),
      )
      .describe('Secondary-market volume per share class, from the TRADE filings.'),
    concentration: z
      .object({
        byOperator: z
          .array(
            z
              .object({
                mspId: z.string().describe('The operator.'),
                share: z.number().describe("The operator's customers' share of traded value, 0 to 1."),
              })
              .strict(),
          )
          .describe("Each operator's share of traded value."),
        hhi: z.number().describe('Herfindahl-Hirschman index of those shares, 0 to 10000.'),
      })
      .strict()
      .describe('How concentrated trading is among operators.'),
    participants: z
      .record(z.number().int())
      .describe('Participants by status (ACTIVE, SUSPENDED, REVOKED): how many of each.'),
    openCampaigns: z
      .array(
        z
          .object({
            campaignId: z.string().describe('The campaign.'),
            status: z.string().describe('Its status (PROPOSED, APPROVED, FUNDED or SETTLING).'),
            closeAt: z.number().describe('When pledging closes, epoch seconds (UTC).'),
          })
          .strict(),
      )
      .describe('Campaigns not yet settled or rejected.'),
    uptime: z
      .object({
        gatewaySeconds: z.number().describe('Seconds since this gateway started.'),
        marketHeight: z.string().describe("The market channel's height on the org's peer (decimal string)."),
        relayFiledThrough: z
          .string()
          .nullable()
          .describe('The last market block the audit relay filed (decimal string); null if it has filed none.'),
      })
      .strict()
      .describe('How current the report is.'),
  })
  .strict();

export const transactionViewSchema = z
  .object({
    txId: z.string().describe('The market transaction (64 hex digits).'),
    blockNumber: z.string().describe('The block that holds it, as a decimal string.'),
    valid: z.boolean().describe('Whether the peers validated it (only valid transactions changed state).'),
    validationCode: z.string().describe("Fabric's validation code, e.g. VALID or MVCC_READ_CONFLICT."),
    timestamp: z.number().describe("The transaction's timestamp, epoch seconds (UTC)."),
    creatorMspId: z.string().describe('The MSP ID of the client that submitted it.'),
    fn: z.string().describe('The chaincode function, `Contract:Function`.'),
    args: z.array(z.string()).describe('Its public arguments (transient data is never on the ledger).'),
    event: z
      .object({
        name: z.string().describe('The chaincode event name.'),
        payload: z.unknown().describe('The event payload, as JSON.'),
      })
      .strict()
      .describe('The chaincode event it emitted, if any.')
      .optional(),
  })
  .strict();

export const relayStatusSchema = z
  .object({
    marketHeight: z.string().describe("The market channel's height on the regulator's peer (decimal string)."),
    filedThrough: z
      .string()
      .nullable()
      .describe('The last market block the relay filed (decimal string); null if none yet.'),
    behind: z
      .string()
      .nullable()
      .describe('Blocks the relay has still to file (decimal string); null if it has filed none.'),
  })
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
