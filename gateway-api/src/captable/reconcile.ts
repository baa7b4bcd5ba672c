import type { FabricPort } from '../fabric/types';
import { currentBalances } from './queries';
import type { Sql } from './sql';
import { projectedThrough } from './store';
import type { Reconciliation } from './views';

interface Portfolio {
  accountId: string;
  positions: Array<{ assetId: string; balance: string }>;
}

export interface ReconcileOptions {
  readonly sql: Sql;
  readonly market: FabricPort;
  /** The trustee's service identity: it may read the balances of its operators' customers. */
  readonly identity: string;
  /** The operators whose customers the trustee serves: the holders it can check. */
  readonly operators: readonly string[];
  /** Resolves once the projection has reached the block (the service waits for its own projector). */
  readonly caughtUp: (block: bigint) => Promise<void>;
  readonly deadline: () => number;
}

/**
 * Compares the projection with the chaincode's balances of every holder the trustee serves. The ledger
 * keeps moving while this runs, so the projection first catches up with the peer's height; a difference
 * found is checked again after a second catch-up, and only one that persists is a break.
 */
export async function reconcile(o: ReconcileOptions): Promise<Reconciliation> {
  const holders = (
    await o.sql.query<{ account_id: string }>(
      'SELECT account_id FROM holder WHERE operator_msp_id = ANY($1::text[]) ORDER BY account_id',
      [[...o.operators]],
    )
  ).map((r) => r.account_id);
  const compare = async (accounts: readonly string[]) => {
    await o.caughtUp((await o.market.height(o.deadline())) - 1n);
    const projected = await currentBalances(o.sql);
    const breaks: Reconciliation['breaks'] = [];
    for (const accountId of accounts) {
      const portfolio = (await o.market.evaluate(o.identity, {
        fn: 'Transfers:GetPortfolio',
        args: [JSON.stringify({ accountId })],
        deadline: o.deadline(),
      })) as Portfolio;
      const ledger = new Map(portfolio.positions.map((p) => [p.assetId, BigInt(p.balance)]));
      const mine = projected.get(accountId) ?? new Map<string, bigint>();
      for (const assetId of [...new Set([...ledger.keys(), ...mine.keys()])].sort()) {
        const l = ledger.get(assetId) ?? 0n;
        const p = mine.get(assetId) ?? 0n;
        if (l !== p)
          breaks.push({
            accountId,
            assetId,
            ledger: l.toString(),
            projected: p.toString(),
            difference: (p - l).toString(),
          });
      }
    }
    return breaks;
  };
  let breaks = await compare(holders);
  if (breaks.length) breaks = await compare([...new Set(breaks.map((b) => b.accountId))]);
  const through = await projectedThrough(o.sql);
  return {
    projectedThrough: through === undefined ? null : through.toString(),
    holdersChecked: holders.length,
    breaks,
  };
}
