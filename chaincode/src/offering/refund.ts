import { RECORD_VERSION, type Account } from '@ecf/common';
import type { Holdings } from '../assets/holdings';
import type { MarketContext } from '../context';
import { keys, privateKeys } from '../ledger/keys';
import { returnToClaim } from '../limits/claims';

/** What a refund needs of a pledge record. */
export interface RefundablePledge {
  readonly id: string;
  readonly campaignId: string;
  readonly tokenId: string;
  readonly amount: string;
  readonly limitYear?: number;
}

/**
 * Returns a whole pledge to its investor and removes every trace that counts it: the pledge, its part of
 * the investor's running total for the campaign, its public index entry, and its usage of the investor
 * caps. A withdrawal, a refusal by the caps and an exiting operator's refund all end a pledge this way.
 */
export async function refundPledge(
  ctx: MarketContext,
  holdings: Holdings,
  collection: string,
  account: Account,
  pledge: RefundablePledge,
): Promise<void> {
  const amount = BigInt(pledge.amount);
  const balance = await holdings.balance(account, pledge.tokenId);
  await holdings.apply(account, pledge.tokenId, balance, amount, { kind: 'refund', reference: pledge.campaignId });
  if (pledge.limitYear !== undefined) await returnToClaim(ctx, collection, pledge.id, amount);
  await ctx.ledger.deletePrivate(collection, privateKeys.pledge(pledge.campaignId, pledge.id));
  const totalKey = privateKeys.pledgeTotal(pledge.campaignId, account.id);
  const total = BigInt((await ctx.ledger.getPrivate<{ amount: string }>(collection, totalKey))?.amount ?? '0');
  if (total > amount) {
    await ctx.ledger.putPrivate(collection, totalKey, { v: RECORD_VERSION, amount: (total - amount).toString() });
  } else {
    await ctx.ledger.deletePrivate(collection, totalKey);
  }
  await ctx.ledger.delete(keys.pledgeRef(ctx.stub, pledge.campaignId, pledge.id));
}
