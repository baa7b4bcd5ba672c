import { Router, type Request, type Response } from 'express';
import type { GatewayDeps } from '../deps';
import { join } from 'node:path';
import { docsPage } from './docs-page';

const PUBLIC = join(__dirname, '..', '..', 'public');

/** Unauthenticated operational routes: liveness, readiness, metrics and the API's own description. */
export function opsRouter(deps: GatewayDeps, document: Record<string, unknown>): Router {
  const router = Router();
  router.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req: Request, res: Response) => {
    const deadline = Date.now() + 3_000;
    const [peer, ca] = await Promise.allSettled([deps.fabric.ping(deadline), deps.ca.ping(deadline)]);
    const checks = { peer: peer.status === 'fulfilled' ? 'ok' : 'down', ca: ca.status === 'fulfilled' ? 'ok' : 'down' };
    const ready = checks.peer === 'ok' && checks.ca === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  router.get('/metrics', async (_req: Request, res: Response) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  router.get('/openapi.json', (_req: Request, res: Response) => {
    res.json(document);
  });
  // The dashboard is static; its data calls carry the regulator's token like any other client's.
  router.get('/dashboard', (_req: Request, res: Response) => res.sendFile(join(PUBLIC, 'dashboard.html')));
  router.get('/dashboard/:file', (req: Request, res: Response, next) => {
    const file = String(req.params.file);
    if (file !== 'app.js' && file !== 'app.css') return next();
    res.sendFile(join(PUBLIC, file));
  });
  const page = docsPage(document);
  router.get('/docs', (_req: Request, res: Response) => {
    res.type('html').send(page);
  });
  return router;
}
