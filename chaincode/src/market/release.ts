import { ErrorCode, MarketError, operatorCollection, type Order, type OrderEscrow } from '@ecf/common';
import type { Holdings } from '../assets/holdings';
import type { MarketContext } from '../context';
import { keys, privateKeys } from '../ledger/keys';
import { returnToClaim } from '../limits/claims';
import { getAccount } from '../registry/records';
import { unindexOrder } from './book-index';

/**
 * Returns an open order's remaining escrow to its owner and closes the order: a cancel, an expiry, a
 * release on halt, and an operator's wind-down all end an order this way.
 */
export async function releaseOrder(
  ctx: MarketContext,
  holdings: Holdings,
  order: Order,
  status: 'CANCELLED' | 'EXPIRED',
): Promise<void> {
  const collection = operatorCollection(order.operatorMspId);
  const key = privateKeys.orderEscrow(order.id);
  const escrow = await ctx.ledger.getPrivate<OrderEscrow>(collection, key);
  if (!escrow) throw new MarketError(ErrorCode.INTERNAL, `escrow of order ${order.id} missing`);
  const owner = await getAccount(ctx, escrow.accountId);
  const amount = BigInt(escrow.amount);
  if (amount > 0n) {
    const before = await holdings.balance(owner, escrow.assetId);
    await holdings.apply(owner, escrow.assetId, before, amount, { kind: 'refund', reference: order.id });
    if (escrow.limitClaim) await returnToClaim(ctx, collection, order.id, amount);
  }
  await ctx.ledger.deletePrivate(collection, key);
  await ctx.ledger.put(keys.order(ctx.stub, order.classId, order.id), { ...order, status });
  await unindexOrder(ctx, order);
  ctx.ledger.emit(status === 'EXPIRED' ? 'OrderExpired' : 'OrderCancelled', {
    orderId: order.id,
    classId: order.classId,
  });
}
