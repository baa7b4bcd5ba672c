import { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import pg from 'pg';

/** The few things the cap table needs of a Postgres database, embedded (PGlite) or a server (pg). */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface Sql extends Queryable {
  /** Runs `fn` in one transaction: every statement commits together, or none does. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Where the data lives, for logs: a folder, or the server's host and database (never the password). */
  readonly where: string;
}

/**
 * Opens the cap table's database: a PostgreSQL server when `url` is given (ECF_CAPTABLE_DATABASE_URL),
 * otherwise PGlite (Postgres compiled to WebAssembly, in process) stored in `folder`.
 */
export async function openDatabase(options: { url?: string; folder?: string }): Promise<Sql> {
  if (options.url) return serverDatabase(options.url);
  if (!options.folder) throw new Error('the cap table database needs a folder or a server URL');
  mkdirSync(options.folder, { recursive: true, mode: 0o700 });
  return embeddedDatabase(new PGlite(options.folder), options.folder);
}

/** An in-memory PGlite database (unit tests). */
export async function memoryDatabase(): Promise<Sql> {
  return embeddedDatabase(new PGlite(), 'memory');
}

async function embeddedDatabase(db: PGlite, where: string): Promise<Sql> {
  await db.waitReady;
  const on = (q: Pick<PGlite, 'query'>): Queryable => ({
    query: async <R>(text: string, params: readonly unknown[] = []) =>
      (await q.query<R>(text, params as unknown[])).rows,
  });
  return {
    ...on(db),
    where,
    transaction: (fn) => db.transaction((tx) => fn(on(tx))),
    close: () => db.close(),
  };
}

async function serverDatabase(url: string): Promise<Sql> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  await pool.query('SELECT 1');
  const parsed = new URL(url);
  const on = (q: pg.Pool | pg.PoolClient): Queryable => ({
    query: async <R>(text: string, params: readonly unknown[] = []) =>
      (await q.query(text, params as unknown[])).rows as R[],
  });
  return {
    ...on(pool),
    where: `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`,
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(on(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
