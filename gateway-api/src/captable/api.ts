import express, { type Express, type Request, type Response } from 'express';
import { migrate, MIGRATIONS } from './migrations';
import { AsOfError, capTable, concentration, digest, positionHistory, registerCsv, type AsOf } from './queries';
import type { Sql } from './sql';
import { projectedThrough } from './store';
import type { Reconciliation } from './views';

/**
 * The cap table service's own HTTP interface, on loopback only: the trustee's gateway forwards its
 * authenticated `/v1/captable` routes here (routes/captable.ts), and the CLI asks it to reconcile. It
 * checks nothing about callers; nothing but the host's own processes can reach it.
 */
export function capTableApi(sql: Sql, options: { server: boolean; reconcile: () => Promise<Reconciliation> }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response): void => {
      fn(req, res).catch((err: unknown) => {
        const known = err instanceof InputError || err instanceof AsOfError;
        res.status(err instanceof AsOfError ? 404 : known ? 400 : 500).json({
          code: err instanceof AsOfError ? 'NOT_FOUND' : known ? 'INVALID_ARGUMENT' : 'INTERNAL',
          detail: known ? (err as Error).message : 'the cap table query failed',
        });
      });
    };

  // Listening means migrated and serving: `gateway up` waits for this before it reports the service.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(
    '/status',
    wrap(async (_req, res) => {
      const through = await projectedThrough(sql);
      res.json({
        projectedThrough: through === undefined ? null : through.toString(),
        database: options.server ? 'server' : 'embedded',
        schemaVersion: Math.max(...MIGRATIONS.map((m) => m.version)),
      });
    }),
  );
  app.get(
    '/classes/:assetId',
    wrap(async (req, res) => {
      res.json(await capTable(sql, String(req.params.assetId), asOfOf(req)));
    }),
  );
  app.get(
    '/classes/:assetId/concentration',
    wrap(async (req, res) => {
      res.json(await concentration(sql, String(req.params.assetId), asOfOf(req)));
    }),
  );
  app.get(
    '/classes/:assetId/register',
    wrap(async (req, res) => {
      res.type('text/csv').send(await registerCsv(sql, String(req.params.assetId), asOfOf(req)));
    }),
  );
  app.get(
    '/holders/:accountId/positions',
    wrap(async (req, res) => {
      const assetId = req.query.assetId;
      if (assetId !== undefined && typeof assetId !== 'string') throw new InputError('query.assetId: one asset id');
      res.json(await positionHistory(sql, String(req.params.accountId), assetId));
    }),
  );
  app.get(
    '/digest',
    wrap(async (_req, res) => {
      // One snapshot: the block and the digest describe the same state while the projection moves on.
      const answer = await sql.transaction(async (tx) => {
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        const through = await projectedThrough(tx);
        return { projectedThrough: through === undefined ? null : through.toString(), digest: await digest(tx) };
      });
      res.json(answer);
    }),
  );
  app.post(
    '/reconcile',
    wrap(async (_req, res) => {
      res.json(await options.reconcile());
    }),
  );
  return app;
}

class InputError extends Error {}

/** `?block=<n>` or `?at=<epoch seconds | ISO 8601 time>`; neither: now. */
export function asOfOf(req: Request): AsOf {
  const { block, at } = req.query;
  if (block !== undefined && at !== undefined) throw new InputError('give block or at, not both');
  if (block !== undefined) {
    if (typeof block !== 'string' || !/^\d{1,19}$/.test(block)) throw new InputError('query.block: a block number');
    return { block: BigInt(block) };
  }
  if (at !== undefined) {
    if (typeof at !== 'string') throw new InputError('query.at: a time');
    const seconds = /^\d{1,12}$/.test(at) ? Number(at) : Date.parse(at) / 1000;
    if (!Number.isFinite(seconds)) throw new InputError('query.at: epoch seconds or an ISO 8601 time');
    return { at: Math.floor(seconds) };
  }
  return {};
}

export { migrate };
