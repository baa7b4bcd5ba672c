import { KeyType, RECORD_VERSION } from '@ecf/common';
import type { MarketContext } from '../context';
import { privateKeys } from '../ledger/keys';

/**
 * What a corporate action holds in an operator collection: a tender's units (escrowed until the offer
 * settles) or the issuer's offered money. Out of the balance, as order escrow is, so it cannot be spent
 * twice; `CheckSupply` counts it as escrowed.
 */
export interface CorporateEscrow {
  v: number;
  actionId: string;
  /** The tender id, or `offer` for the issuer's money. */
  escrowId: string;
  accountId: string;
  assetId: string;
  amount: string;
}

export const ISSUER_OFFER = 'offer';

export async function putEscrow(
  ctx: MarketContext,
  collection: string,
  escrow: Omit<CorporateEscrow, 'v'>,
): Promise<void> {
  const key = privateKeys.corporateEscrow(escrow.actionId, escrow.escrowId);
  if (escrow.amount === '0') await ctx.ledger.deletePrivate(collection, key);
  else await ctx.ledger.putPrivate(collection, key, { v: RECORD_VERSION, ...escrow });
}

export function getEscrow(
  ctx: MarketContext,
  collection: string,
  actionId: string,
  escrowId: string,
): Promise<CorporateEscrow | undefined> {
  return ctx.ledger.getPrivate<CorporateEscrow>(collection, privateKeys.corporateEscrow(actionId, escrowId));
}

/** Units or money of one asset held by corporate actions in a collection (a range read: evaluations only). */
export async function corporateEscrowed(ctx: MarketContext, collection: string, assetId: string): Promise<bigint> {
  let total = 0n;
  for (const { value } of await ctx.ledger.listPrivate<CorporateEscrow>(collection, KeyType.CA_ESCROW, [])) {
    if (value.assetId === assetId) total += BigInt(value.amount);
  }
  return total;
}
