import type { WindDown } from '@ecf/common';
import type { MarketContext } from '../context';
import { keys } from '../ledger/keys';

export async function getWindDown(ctx: MarketContext, exitingMspId: string): Promise<WindDown | undefined> {
  return ctx.ledger.get<WindDown>(keys.windDown(ctx.stub, exitingMspId));
}

export async function putWindDown(ctx: MarketContext, record: WindDown): Promise<void> {
  await ctx.ledger.put(keys.windDown(ctx.stub, record.exitingMspId), record);
}

/** A completed wind-down leaves an unsealed, empty collection that no report reads any more. */
export async function isWoundDown(ctx: MarketContext, operatorMspId: string): Promise<boolean> {
  return (await getWindDown(ctx, operatorMspId))?.phase === 'DONE';
}
