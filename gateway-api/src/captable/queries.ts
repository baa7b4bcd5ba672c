import { createHash } from 'node:crypto';
import { projectedThrough } from './store';
import type { Queryable } from './sql';
import type { CapTable, Concentration, PositionHistory } from './views';

/** A point in the chain's history: a block, or a time (the last block at or before it); default: now. */
export interface AsOf {
  readonly block?: bigint;
  /** Epoch seconds. */
  readonly at?: number;
}

export class AsOfError extends Error {
  override readonly name = 'AsOfError';
}

/** The block a query reads through: never past what has been projected. */
export async function resolveBlock(db: Queryable, asOf: AsOf): Promise<bigint | undefined> {
  const through = await projectedThrough(db);
  if (asOf.block !== undefined) {
    if (through === undefined || asOf.block > through)
      throw new AsOfError(`block ${asOf.block} is not projected yet (projected through ${through ?? 'none'})`);
    return asOf.block;
  }
  if (asOf.at !== undefined) {
    const [row] = await db.query<{ block: string | null }>(
      'SELECT max(block)::text AS block FROM block_time WHERE at <= $1',
      [asOf.at],
    );
    return row?.block ? BigInt(row.block) : undefined;
  }
  return through;
}

interface HolderRow {
  account_id: string;
  operator_msp_id: string | null;
  units: string;
  escrowed: string;
}

/** A class's (or money token's) holders and their units at a block. */
export async function capTable(db: Queryable, assetId: string, asOf: AsOf = {}): Promise<CapTable> {
  const block = await resolveBlock(db, asOf);
  const [instrument] = await db.query<{ issuer_account_id: string | null }>(
    'SELECT issuer_account_id FROM instrument WHERE asset_id = $1',
    [assetId],
  );
  const rows =
    block === undefined
      ? []
      : await db.query<HolderRow>(
          `SELECT p.account_id, h.operator_msp_id, sum(p.delta)::text AS units, sum(p.escrow_delta)::text AS escrowed
             FROM position_change p LEFT JOIN holder h ON h.account_id = p.account_id
            WHERE p.asset_id = $1 AND p.block <= $2
            GROUP BY p.account_id, h.operator_msp_id
           HAVING sum(p.delta) + sum(p.escrow_delta) <> 0
            ORDER BY p.account_id`,
          [assetId, block.toString()],
        );
  const holders = rows.map((r) => {
    const total = BigInt(r.units) + BigInt(r.escrowed);
    return {
      accountId: r.account_id,
      operatorMspId: r.operator_msp_id,
      units: r.units,
      escrowed: r.escrowed,
      total: total.toString(),
    };
  });
  return {
    assetId,
    issuerAccountId: instrument?.issuer_account_id ?? null,
    asOfBlock: block === undefined ? null : block.toString(),
    asOfTime: block === undefined ? null : await blockTime(db, block),
    totalUnits: holders.reduce((s, h) => s + BigInt(h.total), 0n).toString(),
    holders,
  };
}

async function blockTime(db: Queryable, block: bigint): Promise<number | null> {
  const [row] = await db.query<{ at: string }>(
    'SELECT at::text AS at FROM block_time WHERE block <= $1 ORDER BY block DESC LIMIT 1',
    [block.toString()],
  );
  return row ? Number(row.at) : null;
}

/** Every change of one holder's positions (optionally of one asset), with the running balances. */
export async function positionHistory(db: Queryable, accountId: string, assetId?: string): Promise<PositionHistory> {
  const rows = await db.query<{
    block: string;
    tx_id: string;
    at: string;
    asset_id: string;
    kind: string;
    delta: string;
    escrow_delta: string;
    balance: string;
    escrowed: string;
    counterparty: string | null;
  }>(
    `SELECT block::text AS block, tx_id, at::text AS at, asset_id, kind, delta::text AS delta,
            escrow_delta::text AS escrow_delta, counterparty,
            (sum(delta) OVER w)::text AS balance, (sum(escrow_delta) OVER w)::text AS escrowed
       FROM position_change
      WHERE account_id = $1 AND ($2::text IS NULL OR asset_id = $2)
     WINDOW w AS (PARTITION BY asset_id ORDER BY block, tx_index, n ROWS UNBOUNDED PRECEDING)
      ORDER BY block, tx_index, n`,
    [accountId, assetId ?? null],
  );
  return {
    accountId,
    items: rows.map((r) => ({
      block: r.block,
      txId: r.tx_id,
      at: Number(r.at),
      assetId: r.asset_id,
      kind: r.kind,
      delta: r.delta,
      escrowDelta: r.escrow_delta,
      balance: r.balance,
      escrowed: r.escrowed,
      counterparty: r.counterparty,
    })),
  };
}

/** How many hold a class and how concentrated it is, from the cap table at that block. */
export async function concentration(db: Queryable, assetId: string, asOf: AsOf = {}): Promise<Concentration> {
  const table = await capTable(db, assetId, asOf);
  const totals = table.holders.map((h) => BigInt(h.total)).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  const total = BigInt(table.totalUnits);
  const share = (n: number) =>
    bp(
      totals.slice(0, n).reduce((s, u) => s + u, 0n),
      total,
    );
  const squares = totals.reduce((s, u) => s + u * u, 0n);
  return {
    assetId,
    asOfBlock: table.asOfBlock,
    holders: totals.length,
    totalUnits: table.totalUnits,
    largest: share(1),
    top5: share(5),
    top10: share(10),
    herfindahl: total === 0n ? 0 : Number((squares * 10_000n) / (total * total)),
  };
}

/** part / whole in basis points, rounded down (exact integers: unit counts can exceed 2^53). */
function bp(part: bigint, whole: bigint): number {
  return whole === 0n ? 0 : Number((part * 10_000n) / whole);
}

/**
 * The class's register of members as CSV: one line per holder, with the date it first held units and
 * its latest change. Holders are named by account id: the operator that onboarded them keeps who they are.
 */
export async function registerCsv(db: Queryable, assetId: string, asOf: AsOf = {}): Promise<string> {
  const table = await capTable(db, assetId, asOf);
  const dates = new Map(
    (
      await db.query<{ account_id: string; first: string; last: string }>(
        `SELECT account_id, min(at)::text AS first, max(at)::text AS last FROM position_change
          WHERE asset_id = $1 AND block <= $2 GROUP BY account_id`,
        [assetId, table.asOfBlock ?? '-1'],
      )
    ).map((r) => [r.account_id, r]),
  );
  const day = (s: string | undefined) => (s ? new Date(Number(s) * 1000).toISOString().slice(0, 10) : '');
  const lines = [
    [
      'register_of',
      'as_of_block',
      'holder_account',
      'operator',
      'units_held',
      'units_in_open_orders',
      'total_units',
      'entered_on',
      'last_change_on',
    ],
    ...table.holders.map((h) => [
      assetId,
      table.asOfBlock ?? '',
      h.accountId,
      h.operatorMspId ?? '',
      h.units,
      h.escrowed,
      h.total,
      day(dates.get(h.accountId)?.first),
      day(dates.get(h.accountId)?.last),
    ]),
  ];
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(v: string): string {
  // A leading = + - @ would make a spreadsheet run it as a formula.
  const safe = /^[=+\-@]/.test(v) && !/^-?\d+$/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Every holder's current non-zero balance per asset, as the projection has it (for reconciliation). */
export async function currentBalances(db: Queryable): Promise<Map<string, Map<string, bigint>>> {
  const rows = await db.query<{ account_id: string; asset_id: string; balance: string }>(
    `SELECT account_id, asset_id, sum(delta)::text AS balance FROM position_change
      GROUP BY account_id, asset_id HAVING sum(delta) <> 0`,
  );
  const out = new Map<string, Map<string, bigint>>();
  for (const r of rows) {
    const m = out.get(r.account_id) ?? new Map<string, bigint>();
    m.set(r.asset_id, BigInt(r.balance));
    out.set(r.account_id, m);
  }
  return out;
}

/** The tables whose content is the projection; a rebuild must reproduce each exactly. */
const CONTENT = [
  "SELECT string_agg(concat_ws('|', version, name), E'\\n' ORDER BY version) FROM schema_migrations",
  "SELECT string_agg(concat_ws('|', id, block), E'\\n' ORDER BY id) FROM projection_checkpoint",
  `SELECT string_agg(concat_ws('|', block, tx_index, n, tx_id, at, account_id, asset_id, kind, delta, escrow_delta,
     coalesce(counterparty, '∅'), coalesce(reference, '∅')), E'\\n' ORDER BY block, tx_index, n) FROM position_change`,
  `SELECT string_agg(concat_ws('|', account_id, operator_msp_id, type, status, since_block), E'\\n' ORDER BY account_id)
     FROM holder`,
  `SELECT string_agg(concat_ws('|', asset_id, kind, trustee_msp_id, coalesce(issuer_account_id, '∅'), decimals,
     since_block), E'\\n' ORDER BY asset_id) FROM instrument`,
  `SELECT string_agg(concat_ws('|', sealed_key, order_id, account_id, asset_id, amount), E'\\n' ORDER BY sealed_key)
     FROM open_escrow`,
  "SELECT string_agg(concat_ws('|', block, at), E'\\n' ORDER BY block) FROM block_time",
];

/** SHA-256 over every row of every projected table in key order: equal digests, identical databases. */
export async function digest(db: Queryable): Promise<string> {
  const hash = createHash('sha256');
  for (const q of CONTENT) {
    const [row] = await db.query<{ string_agg: string | null }>(q);
    hash.update(`${row?.string_agg ?? ''}\u0000`);
  }
  return hash.digest('hex');
}
