import { operatorCollection, RECORD_VERSION, type LimitClaim, type Order } from '@ecf/common';
import type { Holdings } from '../assets/holdings';
import type { PledgeRecord } from '../contracts/campaigns';
import type { MarketContext } from '../context';
import { keys, privateKeys } from '../ledger/keys';
import { indexOrder } from '../market/book-index';
import { releaseOrder } from '../market/release';
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
  const account = await getAccount(ctx, pledge.accountId);
  const amount = BigInt(pledge.amount);
  const balance = await holdings.balance(account, pledge.tokenId);
  await holdings.apply(account, pledge.tokenId, balance, amount, { kind: 'refund', reference: campaignId });
  await ctx.ledger.deletePrivate(collection, key);
  const totalKey = privateKeys.pledgeTotal(campaignId, account.id);
  const total = BigInt((await ctx.ledger.getPrivate<{ amount: string }>(collection, totalKey))?.amount ?? '0');
  if (total > amount) {
    await ctx.ledger.putPrivate(collection, totalKey, { v: RECORD_VERSION, amount: (total - amount).toString() });
  } else {
    await ctx.ledger.deletePrivate(collection, totalKey);
  }
  await ctx.ledger.delete(keys.pledgeRef(ctx.stub, campaignId, pledge.id));
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
