import type { Server } from 'node:http';
import { join } from 'node:path';
import type winston from 'winston';
import type { GatewayConfig } from '../config';
import { gatewayPort } from '../config';
import type { FabricPort } from '../fabric/types';
import { createLogger } from '../log';
import { capTableApi } from './api';
import { migrate } from './migrations';
import { CapTableProjector } from './projector';
import { digest } from './queries';
import { reconcile } from './reconcile';
import { openDatabase, type Sql } from './sql';
import { projectedThrough } from './store';

/** The service's loopback port: in the org's port block, beside its gateway's. */
export const CAPTABLE_PORT_FROM_GATEWAY = 5;

export function capTablePort(config: GatewayConfig): number {
  return gatewayPort(config.org) + CAPTABLE_PORT_FROM_GATEWAY;
}

/** PGlite's folder in the org's state folder (the default), or the server named by ECF_CAPTABLE_DATABASE_URL. */
export function capTableDatabase(config: GatewayConfig, env = process.env): { url?: string; folder: string } {
  const url = env.ECF_CAPTABLE_DATABASE_URL;
  return { ...(url ? { url } : {}), folder: join(config.dataDir, 'captable') };
}

export interface ServiceParts {
  readonly market: FabricPort;
  readonly identity: string;
  readonly logger?: winston.Logger;
}

/**
 * The trustee's cap table service: projects the market channel into the database and answers queries on
 * its loopback port until the signal aborts, restarting the projection after a failure (peer restart,
 * database blip), as the audit relay does.
 */
export async function runCapTable(config: GatewayConfig, parts: ServiceParts, signal: AbortSignal): Promise<void> {
  if (config.org.role !== 'trustee') throw new Error('the cap table service is a trustee’s');
  const logger = parts.logger ?? createLogger({ level: config.logLevel, org: config.org.name });
  const where = capTableDatabase(config);
  const sql = await openDatabase(where);
  let server: Server | undefined;
  try {
    const ran = await migrate(sql);
    if (ran.length) logger.info('cap table schema migrated', { versions: ran });
    const projector = new CapTableProjector({ market: parts.market, sql, logger, chaincode: config.chaincode });
    const app = capTableApi(sql, {
      server: where.url !== undefined,
      reconcile: () =>
        reconcile({
          sql,
          market: parts.market,
          identity: parts.identity,
          operators: config.info.servedOperators,
          caughtUp: (block) => waitProjected(sql, block, Date.now() + 60_000),
          deadline: () => Date.now() + 30_000,
        }),
    });
    const port = capTablePort(config);
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(port, '127.0.0.1', () => resolve(s));
      s.on('error', reject);
    });
    logger.info('cap table service listening', { port, database: sql.where });
    while (!signal.aborted) {
      try {
        await projector.run(signal);
      } catch (err) {
        if (signal.aborted) break;
        logger.warn('cap table projection failed; restarting', { error: (err as Error).message.split('\n')[0] });
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    server?.close();
    await sql.close();
  }
}

/**
 * Projects blocks 0 to `through` into a new database (PGlite folder or server URL) and returns its digest:
 * the same as the live database's at that block when the projection is exactly once.
 */
export async function rebuild(
  target: { url?: string; folder?: string },
  market: FabricPort,
  through: bigint,
  logger: winston.Logger,
  chaincode = 'market',
): Promise<{ through: string; digest: string }> {
  const sql = await openDatabase(target);
  try {
    await migrate(sql);
    const done = await projectedThrough(sql);
    if (done !== undefined) throw new Error(`the target already holds a projection (through block ${done})`);
    await new CapTableProjector({ market, sql, logger, chaincode }).run(new AbortController().signal, through);
    return { through: ((await projectedThrough(sql)) ?? -1n).toString(), digest: await digest(sql) };
  } finally {
    await sql.close();
  }
}

async function waitProjected(sql: Sql, block: bigint, deadline: number): Promise<void> {
  for (;;) {
    const through = await projectedThrough(sql);
    if (through !== undefined && through >= block) return;
    if (Date.now() > deadline) throw new Error(`the projection has not reached block ${block}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
