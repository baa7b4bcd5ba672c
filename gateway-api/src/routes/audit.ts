import type { AuditRecord, Campaign, Participant } from '@ecf/common';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { relayCheckpoint } from '../audit/relay';
import { principalOf } from '../auth/principal';
import type { GatewayDeps } from '../deps';
import type { FabricPort } from '../fabric/types';
import type { DocumentValidators } from '../openapi';
import { ApiError, GatewayCode } from '../problem';
import { deadlineOf, sendJson } from './respond';

/**
 * The regulator's supervisory views that are not one chaincode call: market verification against the
 * checkpoints on `audit`, the transparency report, transaction drill-down, the relay's progress, the
 * live feed of filings and the dashboard page. The regulator's gateway only.
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

const started = Date.now();

export function auditRouter(deps: GatewayDeps, validators: DocumentValidators): Router {
  const router = Router();

  const regulatorOnly = (req: Request): void => {
    if (!principalOf(req).scopes.includes('read')) {
      throw new ApiError(GatewayCode.FORBIDDEN, 'the credential lacks the read scope');
    }
    if (principalOf(req).role !== 'regulator') {
      throw new ApiError(GatewayCode.FORBIDDEN, 'supervisory views are the regulator’s');
    }
  };
  const audit = (): FabricPort => {
    if (!deps.audit) throw new ApiError(GatewayCode.UNAVAILABLE, 'this gateway is not connected to the audit channel');
    return deps.audit;
  };
  const search = async (req: Request, query: object): Promise<AuditRecord[]> =>
    (await audit().evaluate(principalOf(req).identity, {
      fn: 'Audit:Search',
      args: [JSON.stringify(query)],
      deadline: deadlineOf(req),
    })) as AuditRecord[];

  router.get('/v1/audit/verification', async (req: Request, res: Response) => {
    regulatorOnly(req);
    const deadline = deadlineOf(req);
    const checkpoints = await search(req, { type: 'CHECKPOINT' });
    const height = await deps.fabric.height(deadline);
    const mismatches = [];
    for (const c of checkpoints) {
      const number = BigInt(c.source.blockNumber);
      const recorded = String(c.details.blockHash ?? '');
      const actual = number < height ? (await deps.fabric.block(number, deadline)).hash : 'missing';
      if (actual !== recorded) mismatches.push({ blockNumber: c.source.blockNumber, recorded, actual, recordId: c.id });
    }
    sendJson(res, validators.of('verifyMarket').response, 200, {
      ok: mismatches.length === 0,
      checked: checkpoints.length,
      height: height.toString(),
      mismatches,
    });
  });

  router.get('/v1/audit/transparency', async (req: Request, res: Response) => {
    regulatorOnly(req);
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv')
      throw new ApiError(GatewayCode.INVALID_ARGUMENT, 'format is json or csv');
    const report = await transparency(deps, req, await search(req, { type: 'TRADE' }));
    if (format === 'csv') {
      res.type('text/csv').set('Content-Disposition', 'attachment; filename="transparency.csv"').send(toCsv(report));
      return;
    }
    sendJson(res, validators.of('transparencyReport').response, 200, report);
  });

  router.get('/v1/audit/transactions/:txId', async (req: Request, res: Response) => {
    regulatorOnly(req);
    const txId = String(req.params.txId);
    if (!/^[0-9a-f]{64}$/.test(txId)) throw new ApiError(GatewayCode.INVALID_ARGUMENT, 'path.txId: a transaction id');
    const tx = await deps.fabric.transaction(txId, deadlineOf(req));
    if (!tx) throw new ApiError(GatewayCode.NOT_FOUND, `the market channel has no transaction ${txId}`);
    // The public part only: written keys can hold private values, so they stay out of the view.
    const { writes: _writes, chaincode: _chaincode, ...view } = tx;
    sendJson(res, validators.of('auditTransaction').response, 200, view);
  });

  router.get('/v1/audit/status', async (req: Request, res: Response) => {
    regulatorOnly(req);
    const height = await deps.fabric.height(deadlineOf(req));
    const filed = deps.relayCheckpointFile ? relayCheckpoint(deps.relayCheckpointFile) : undefined;
    sendJson(res, validators.of('relayStatus').response, 200, {
      marketHeight: height.toString(),
      filedThrough: filed === undefined ? null : filed.toString(),
      behind: filed === undefined ? null : (height - 1n - filed).toString(),
    });
  });

  return router;
}

async function transparency(
  deps: GatewayDeps,
  req: Request,
  trades: AuditRecord[],
): Promise<z.infer<typeof transparencySchema>> {
  const identity = principalOf(req).identity;
  const deadline = deadlineOf(req);
  const byClass = new Map<string, { trades: number; units: bigint; value: bigint }>();
  const byOperator = new Map<string, bigint>();
  let total = 0n;
  for (const t of trades) {
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
  const participants = (await deps.fabric.evaluate(identity, {
    fn: 'Registry:ListParticipants',
    deadline,
  })) as Participant[];
  const campaigns = (await deps.fabric.evaluate(identity, { fn: 'Campaigns:List', deadline })) as Campaign[];
  const now = Math.floor(Date.now() / 1000);
  const status: Record<string, number> = {};
  for (const p of participants) status[`${p.kind}:${p.status}`] = (status[`${p.kind}:${p.status}`] ?? 0) + 1;
  const filed = deps.relayCheckpointFile ? relayCheckpoint(deps.relayCheckpointFile) : undefined;
  return {
    generatedAt: new Date().toISOString(),
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
    openCampaigns: campaigns
      .filter((c) => (c.status === 'APPROVED' || c.status === 'FUNDED') && c.closeAt > now)
      .map((c) => ({ campaignId: c.id, status: c.status, closeAt: c.closeAt })),
    uptime: {
      gatewaySeconds: Math.round((Date.now() - started) / 1000),
      marketHeight: (await deps.fabric.height(deadline)).toString(),
      relayFiledThrough: filed === undefined ? null : filed.toString(),
    },
  };
}

/** The report as `section,key,value` rows (one file for spreadsheets; values never need quoting). */
export function toCsv(r: z.infer<typeof transparencySchema>): string {
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
