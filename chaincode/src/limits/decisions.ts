import { operatorCollection, type LimitClaim, type Order } from '@ecf/common';
import type { Holdings } from '../assets/holdings';
import type { PledgeRecord } from '../contracts/campaigns';
import type { MarketContext } from '../context';
import { keys, privateKeys } from '../ledger/keys';
import { indexOrder } from '../market/book-index';
import { releaseOrder } from '../market/release';
import { refundPledge } from '../offering/refund';
import { getAccount } from '../registry/records';

/**
 * Carries a decided claim over to its investment, touching that investment's keys only: a confirmed pledge
 * is marked so settlement counts it, a refused one is refunded as a withdrawal would be; a confirmed buy
 * joins the matching index, a refused one is cancelled with its escrow returned.
 */
export async function applyDecision(
  ctx: MarketContext,
  holdings: Holdings,
  operatorMspId: string,
  claim: LimitClaim,
): Promise<void> {
  if (claim.kind === 'pledge') await applyToPledge(ctx, holdings, operatorCollection(operatorMspId), claim);
  else await applyToBuy(ctx, holdings, claim);
}

async function applyToPledge(
  ctx: MarketContext,
  holdings: Holdings,
  collection: string,
  claim: LimitClaim,
): Promise<void> {
  const campaignId = claim.campaignId ?? '';
  const key = privateKeys.pledge(campaignId, claim.investmentId);
  const pledge = await ctx.ledger.getPrivate<PledgeRecord>(collection, key);
  if (!pledge) return;
  if (claim.status === 'CONFIRMED') {
    await ctx.ledger.putPrivate(collection, key, { ...pledge, limitCheck: 'CONFIRMED' });
    return;
  }
  await refundPledge(ctx, holdings, collection, await getAccount(ctx, pledge.accountId), pledge);
}

async function applyToBuy(ctx: MarketContext, holdings: Holdings, claim: LimitClaim): Promise<void> {
  const key = keys.order(ctx.stub, claim.classId ?? '', claim.investmentId);
  const order = await ctx.ledger.get<Order>(key);
  if (order?.status !== 'OPEN') return;
  if (claim.status === 'REFUSED') {
    await releaseOrder(ctx, holdings, order, 'CANCELLED');
    return;
  }
  const confirmed: Order = { ...order };
  delete confirmed.limitCheck;
  await ctx.ledger.put(key, confirmed);
  await indexOrder(ctx, confirmed);
}
