import type { BlockFacts } from './projection';
import type { Queryable, Sql } from './sql';

/** The last block projected, or undefined before the first. */
export async function projectedThrough(db: Queryable): Promise<bigint | undefined> {
  const [row] = await db.query<{ block: string }>('SELECT block::text AS block FROM projection_checkpoint');
  return row ? BigInt(row.block) : undefined;
}

/**
 * Writes one block's facts and moves the checkpoint to it, in one transaction: either the block's rows
 * and the checkpoint are both committed, or neither is. A block at or below the checkpoint is already in
 * the database and is skipped; a block past the next one would leave a gap and is refused.
 * Returns whether the block was written.
 */
export async function applyBlock(sql: Sql, facts: BlockFacts): Promise<boolean> {
  return sql.transaction(async (tx) => {
    const through = await projectedThrough(tx);
    if (through !== undefined && facts.block <= through) return false;
    const expected = through === undefined ? 0n : through + 1n;
    if (facts.block !== expected) throw new Error(`block ${facts.block} would leave a gap after ${through ?? 'none'}`);
    const block = facts.block.toString();
    for (const h of facts.holders) {
      await tx.query(
        `INSERT INTO holder (account_id, operator_msp_id, type, status, since_block) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account_id) DO UPDATE SET operator_msp_id = $2, type = $3, status = $4`,
        [h.accountId, h.operatorMspId, h.type, h.status, block],
      );
    }
    for (const i of facts.instruments) {
      await tx.query(
        `INSERT INTO instrument (asset_id, kind, trustee_msp_id, issuer_account_id, decimals, since_block)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (asset_id) DO UPDATE SET kind = $2, trustee_msp_id = $3, issuer_account_id = $4, decimals = $5`,
        [i.assetId, i.kind, i.trusteeMspId, i.issuerAccountId ?? null, i.decimals, block],
      );
    }
    const insert = (
      f: { txIndex: number; n: number; txId: string; at: number },
      row: { accountId: string; assetId: string; kind: string; delta: bigint; escrowDelta: bigint },
      counterparty?: string,
      reference?: string,
    ) =>
      tx.query(
        `INSERT INTO position_change
           (block, tx_index, n, tx_id, at, account_id, asset_id, kind, delta, escrow_delta, counterparty, reference)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          block,
          f.txIndex,
          f.n,
          f.txId,
          f.at,
          row.accountId,
          row.assetId,
          row.kind,
          row.delta.toString(),
          row.escrowDelta.toString(),
          counterparty ?? null,
          reference ?? null,
        ],
      );
    for (const m of facts.movements) {
      await insert(m, { ...m, escrowDelta: 0n }, m.counterparty, m.reference);
    }
    for (const e of facts.escrows) {
      const [open] = await tx.query<{ order_id: string; account_id: string; asset_id: string; amount: string }>(
        'SELECT order_id, account_id, asset_id, amount::text AS amount FROM open_escrow WHERE sealed_key = $1',
        [e.sealedKey],
      );
      const before = open ? BigInt(open.amount) : 0n;
      if (e.escrow) {
        await tx.query(
          `INSERT INTO open_escrow (sealed_key, order_id, account_id, asset_id, amount) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (sealed_key) DO UPDATE SET amount = $5`,
          [e.sealedKey, e.escrow.orderId, e.escrow.accountId, e.escrow.assetId, e.escrow.amount.toString()],
        );
      } else {
        await tx.query('DELETE FROM open_escrow WHERE sealed_key = $1', [e.sealedKey]);
      }
      const owner =
        e.escrow ?? (open ? { orderId: open.order_id, accountId: open.account_id, assetId: open.asset_id } : undefined);
      const change = (e.escrow?.amount ?? 0n) - before;
      if (owner && change !== 0n) {
        const row = {
          accountId: owner.accountId,
          assetId: owner.assetId,
          kind: 'escrow',
          delta: 0n,
          escrowDelta: change,
        };
        await insert(e, row, undefined, owner.orderId);
      }
    }
    if (facts.at !== undefined) await tx.query('INSERT INTO block_time (block, at) VALUES ($1, $2)', [block, facts.at]);
    await tx.query(
      `INSERT INTO projection_checkpoint (id, block) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET block = $1`,
      [block],
    );
    return true;
  });
}
