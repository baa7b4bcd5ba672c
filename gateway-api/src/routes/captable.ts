import { idSchema } from '@ecf/common';
import { Router, type Request, type Response } from 'express';
import { principalOf } from '../auth/principal';
import type { GatewayDeps } from '../deps';
import type { DocumentValidators } from '../openapi';
import { ApiError, GatewayCode } from '../problem';
import { deadlineOf, sendJson } from './respond';

/**
 * The trustee's cap table views (decision 46). They are not chaincode calls: the trustee's cap table
 * service answers them from its projection on a loopback port, and this router is the only way in, so
 * authentication, the role check and the response schemas stay the gateway's. Only the trustee's own
 * credentials pass: the projection holds the balances of every customer of every operator it serves.
 */
const FORWARDED_QUERY = ['block', 'at', 'assetId'] as const;
const CODES = new Set<string>(Object.values(GatewayCode));

export function capTableRouter(deps: GatewayDeps, validators: DocumentValidators): Router {
  const router = Router();

  const forward = async (req: Request, path: string): Promise<globalThis.Response> => {
    const principal = principalOf(req);
    if (!principal.scopes.includes('read'))
      throw new ApiError(GatewayCode.FORBIDDEN, 'the credential lacks the read scope');
    if (principal.role !== 'trustee' || deps.org.role !== 'trustee')
      throw new ApiError(GatewayCode.FORBIDDEN, 'the cap table is the trustee’s, on its own gateway');
    if (!deps.capTableUrl) throw new ApiError(GatewayCode.UNAVAILABLE, 'this gateway has no cap table service');
    const query = new URLSearchParams();
    for (const name of FORWARDED_QUERY) {
      const v = req.query[name];
      if (v === undefined) continue;
      if (typeof v !== 'string') throw new ApiError(GatewayCode.INVALID_ARGUMENT, `query.${name}: one value`);
      query.set(name, v);
    }
    let res: globalThis.Response;
    try {
      res = await fetch(`${deps.capTableUrl}${path}${query.size ? `?${query}` : ''}`, {
        signal: AbortSignal.timeout(Math.max(1000, deadlineOf(req) - Date.now())),
      });
    } catch {
      throw new ApiError(GatewayCode.UNAVAILABLE, 'the cap table service could not be reached');
    }
    if (res.status !== 200) {
      const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
      const code = body.code && CODES.has(body.code) ? (body.code as GatewayCode) : GatewayCode.INTERNAL;
      throw new ApiError(code, body.detail ?? 'the cap table service failed');
    }
    return res;
  };
  const id = (req: Request, name: string): string => {
    const parsed = idSchema.safeParse(req.params[name]);
    if (!parsed.success) throw new ApiError(GatewayCode.INVALID_ARGUMENT, `path.${name}: an id`);
    return encodeURIComponent(parsed.data);
  };
  const json = (operationId: string, path: (req: Request) => string) => async (req: Request, res: Response) => {
    const answer = await forward(req, path(req));
    sendJson(res, validators.of(operationId).response, 200, await answer.json());
  };

  router.get(
    '/v1/captable/status',
    json('capTableStatus', () => '/status'),
  );
  router.get(
    '/v1/captable/classes/:assetId',
    json('getCapTable', (req) => `/classes/${id(req, 'assetId')}`),
  );
  router.get(
    '/v1/captable/classes/:assetId/concentration',
    json('getHolderConcentration', (req) => `/classes/${id(req, 'assetId')}/concentration`),
  );
  router.get('/v1/captable/classes/:assetId/register', async (req: Request, res: Response) => {
    const assetId = id(req, 'assetId');
    const answer = await forward(req, `/classes/${assetId}/register`);
    res
      .type('text/csv')
      .set('Content-Disposition', `attachment; filename="register-${assetId}.csv"`)
      .send(await answer.text());
  });
  router.get(
    '/v1/captable/holders/:accountId/positions',
    json('getPositionHistory', (req) => `/holders/${id(req, 'accountId')}/positions`),
  );
  return router;
}
