import type { AuditRecord, CampaignView, Participant } from '@ecf/common';
import { Router, type Request, type Response } from 'express';
import { checkpointedBlock } from '../fabric/checkpoint';
import { networkHealth } from '../audit/network-health';
import { toCsv, transparencyReport, verifyCheckpoints } from '../audit/reports';
import { principalOf } from '../auth/principal';
import { auditPort, type GatewayDeps } from '../deps';
import type { DocumentValidators } from '../openapi';
import { ApiError, GatewayCode } from '../problem';
import { deadlineOf, sendJson } from './respond';

/**
 * The regulator's supervisory views that are not one chaincode call (see audit/reports.ts): market
 * verification against the checkpoints on `audit`, the transparency report, transaction drill-down and
 * the relay's progress. The regulator's gateway only.
 */
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
  const search = async (req: Request, query: object): Promise<AuditRecord[]> =>
    (await auditPort(deps).evaluate(principalOf(req).identity, {
      fn: 'Audit:Search',
      args: [JSON.stringify(query)],
      deadline: deadlineOf(req),
    })) as AuditRecord[];

  router.get('/v1/audit/verification', async (req: Request, res: Response) => {
    regulatorOnly(req);
    const deadline = deadlineOf(req);
    const checkpoints = await search(req, { type: 'CHECKPOINT' });
    const height = await deps.fabric.height(deadline);
    const verification = await verifyCheckpoints(
      checkpoints,
      height,
      async (n) => (await deps.fabric.block(n, deadline)).hash,
    );
    sendJson(res, validators.of('verifyMarket').response, 200, verification);
  });

  router.get('/v1/audit/transparency', async (req: Request, res: Response) => {
    regulatorOnly(req);
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv')
      throw new ApiError(GatewayCode.INVALID_ARGUMENT, 'format is json or csv');
    const identity = principalOf(req).identity;
    const deadline = deadlineOf(req);
    const filed = relayFiledThrough(deps);
    const report = transparencyReport({
      trades: await search(req, { type: 'TRADE' }),
      participants: (await deps.fabric.evaluate(identity, {
        fn: 'Registry:ListParticipants',
        deadline,
      })) as Participant[],
      campaigns: (await deps.fabric.evaluate(identity, { fn: 'Campaigns:List', deadline })) as CampaignView[],
      now: Math.floor(Date.now() / 1000),
      uptime: {
        gatewaySeconds: Math.round((Date.now() - started) / 1000),
        marketHeight: (await deps.fabric.height(deadline)).toString(),
        relayFiledThrough: filed === undefined ? null : filed.toString(),
      },
    });
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
    const filed = relayFiledThrough(deps);
    sendJson(res, validators.of('relayStatus').response, 200, {
      marketHeight: height.toString(),
      filedThrough: filed === undefined ? null : filed.toString(),
      behind: filed === undefined ? null : (height - 1n - filed).toString(),
    });
  });

  router.get('/v1/audit/network', async (req: Request, res: Response) => {
    regulatorOnly(req);
    if (!deps.prometheus) throw new ApiError(GatewayCode.UNAVAILABLE, 'this gateway has no monitoring to read');
    const health = await networkHealth(deps.prometheus).catch((err: unknown) => {
      deps.logger.warn('network health unavailable', { error: (err as Error).message.split('\n')[0] });
      throw new ApiError(GatewayCode.UNAVAILABLE, 'the monitoring (Prometheus) could not be reached');
    });
    sendJson(res, validators.of('networkHealth').response, 200, health);
  });

  return router;
}

function relayFiledThrough(deps: GatewayDeps): bigint | undefined {
  return deps.relayCheckpointFile ? checkpointedBlock(deps.relayCheckpointFile) : undefined;
}
