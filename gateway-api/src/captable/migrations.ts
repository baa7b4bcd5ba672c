import type { Sql } from './sql';

/**
 * The cap table's schema, as numbered steps that only ever get appended: a database records the steps it
 * has run in `schema_migrations` and `migrate` runs the rest in order, each in its own transaction with
 * its record, so a crash mid-step leaves the previous version intact.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'positions',
    statements: [
      // The last market block projected; one row. Moves only in the transaction that wrote its rows.
      `CREATE TABLE projection_checkpoint (
         id smallint PRIMARY KEY CHECK (id = 1),
         block bigint NOT NULL
       )`,
      // Every change of a holder's position: a movement of its balance (the chaincode's `mv` record) or of
      // units it has locked in an open order (`oesc`). One row per change, keyed by where it sits on the
      // chain, so a block applied twice would collide instead of doubling.
      `CREATE TABLE position_change (
         block bigint NOT NULL,
         tx_index integer NOT NULL,
         n integer NOT NULL,
         tx_id text NOT NULL,
         at bigint NOT NULL,
         account_id text NOT NULL,
         asset_id text NOT NULL,
         kind text NOT NULL,
         delta numeric(20, 0) NOT NULL,
         escrow_delta numeric(20, 0) NOT NULL,
         counterparty text,
         reference text,
         PRIMARY KEY (block, tx_index, n)
       )`,
      'CREATE INDEX position_change_asset ON position_change (asset_id, block)',
      'CREATE INDEX position_change_account ON position_change (account_id, block)',
      // Public facts about holders and instruments, as last written on the chain.
      `CREATE TABLE holder (
         account_id text PRIMARY KEY,
         operator_msp_id text NOT NULL,
         type text NOT NULL,
         status text NOT NULL,
         since_block bigint NOT NULL
       )`,
      `CREATE TABLE instrument (
         asset_id text PRIMARY KEY,
         kind text NOT NULL,
         trustee_msp_id text NOT NULL,
         issuer_account_id text,
         decimals integer NOT NULL,
         since_block bigint NOT NULL
       )`,
      // Open order escrows, by their sealed key (a delete names only the key): what a later write changes.
      `CREATE TABLE open_escrow (
         sealed_key text PRIMARY KEY,
         order_id text NOT NULL,
         account_id text NOT NULL,
         asset_id text NOT NULL,
         amount numeric(20, 0) NOT NULL
       )`,
    ],
  },
  {
    version: 2,
    name: 'block times',
    statements: [
      // A block's time (its first transaction's), so "as of a time" resolves to "as of a block".
      `CREATE TABLE block_time (
         block bigint PRIMARY KEY,
         at bigint NOT NULL
       )`,
      'CREATE INDEX block_time_at ON block_time (at, block)',
    ],
  },
];

/** Brings the database to the latest schema; returns the versions it ran. */
export async function migrate(sql: Sql, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await sql.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version integer PRIMARY KEY,
       name text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  const done = new Set(
    (await sql.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
  );
  const ran: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    await sql.transaction(async (tx) => {
      for (const statement of m.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    });
    ran.push(m.version);
  }
  return ran;
}
