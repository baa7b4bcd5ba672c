import { RECORD_VERSION } from '@ecf/common';
import type { MarketContext } from '../context';
import { keys } from '../ledger/keys';

/**
 * Records a mint (positive delta) or a burn (negative) under its own key (asset, transaction id), so
 * supply changes never contend for a counter; `Supervision:CheckSupply` sums them. One per asset and
 * transaction.
 */
export async function recordSupplyChange(ctx: MarketContext, assetId: string, delta: bigint): Promise<void> {
  await ctx.ledger.put(keys.supply(ctx.stub, assetId, ctx.ledger.txId), { v: RECORD_VERSION, delta: delta.toString() });
}
