import { RECORD_VERSION, type Account, type Asset } from '@ecf/common';
import type { MarketContext } from '../context';
import { keys, KeyType, privateKeys } from '../ledger/keys';
import { Holdings } from './holdings';
import { requireWithinLimit } from './limits';
import { credit } from './movements';

interface SupplyTotalRecord {
  v: number;
  assetId: string;
  /** Mints minus burns of the asset in this collection; negative where money left it by instruction. */
  amount: string;
}

/**
 * Records a mint (positive delta) or a burn (negative) under its own key (asset, transaction id), so
 * supply changes never contend for a counter; `Supervision:CheckSupply` sums them. One per asset and
 * transaction. This one is public: a campaign's escrow is minted and burned in the open, and names no
 * customer.
 */
export async function recordCampaignSupplyChange(ctx: MarketContext, assetId: string, delta: bigint): Promise<void> {
  if (delta > 0n) {
    // The public supply is a handful of records per class (one per campaign funded or settled), so
    // summing them is cheap; the range read only conflicts with another campaign of the same class.
    let total = delta;
    for (const { value } of await ctx.ledger.list<{ delta: string }>(KeyType.SUPPLY, [assetId]))
      total += BigInt(value.delta);
    requireWithinLimit(total, `the public supply of ${assetId}`);
  }
  await ctx.ledger.put(keys.supply(ctx.stub, assetId, ctx.ledger.txId), { v: RECORD_VERSION, delta: delta.toString() });
}

/**
 * A customer's mint or burn is kept beside the balance it changed, in the account's operator collection:
 * a public delta would tell every member the amount of each deposit and withdrawal. The collection also
 * keeps the asset's running net total there, so a mint can be refused before the supply it adds to
 * leaves the range 1 … 2^63-1. Summing the deltas instead is impossible in a transaction that writes
 * (Fabric forbids writes after a private range query), and only the trustee's mints and burns rewrite the
 * total: transfers, pledges and orders never touch it (decision 13).
 */
async function supplyTotal(ctx: MarketContext, account: Account, assetId: string): Promise<bigint> {
  const r = await ctx.ledger.getPrivate<SupplyTotalRecord>(
    Holdings.collectionOf(account),
    privateKeys.supplyTotal(assetId),
  );
  return r ? BigInt(r.amount) : 0n;
}

async function recordAccountSupplyChange(
  ctx: MarketContext,
  account: Account,
  assetId: string,
  total: bigint,
  delta: bigint,
): Promise<void> {
  const collection = Holdings.collectionOf(account);
  await ctx.ledger.putPrivate(collection, privateKeys.supply(assetId, ctx.ledger.txId), {
    v: RECORD_VERSION,
    delta: delta.toString(),
  });
  const record: SupplyTotalRecord = { v: RECORD_VERSION, assetId, amount: (total + delta).toString() };
  await ctx.ledger.putPrivate(collection, privateKeys.supplyTotal(assetId), record);
}

/**
 * A trustee's mint into an account (a deposit of money, an issue of units), after its checks: the credit,
 * the supply record, and the event that a private movement happened. Mint and burn are the only ways
 * supply changes for a single account, so they always go together. Refused with LIMIT_EXCEEDED, before
 * any write, when the balance or the supply total would pass 2^63-1.
 */
export async function mint(
  ctx: MarketContext,
  holdings: Holdings,
  account: Account,
  asset: Asset,
  amount: bigint,
  kind: 'deposit' | 'issue',
  reference: string,
): Promise<void> {
  const total = await supplyTotal(ctx, account, asset.id);
  requireWithinLimit(total + amount, `the supply of ${asset.id} at ${account.operatorMspId}`);
  await credit(ctx, holdings, account, asset, amount, kind, undefined, reference);
  await recordAccountSupplyChange(ctx, account, asset.id, total, amount);
  ctx.ledger.emit('PrivateMovement', { kind, collection: Holdings.collectionOf(account) });
}

/** A trustee's burn from an account whose `balance` was read and checked. */
export async function burn(
  ctx: MarketContext,
  holdings: Holdings,
  account: Account,
  asset: Asset,
  balance: bigint,
  amount: bigint,
  kind: 'withdrawal' | 'burn',
  reference: string,
): Promise<void> {
  const total = await supplyTotal(ctx, account, asset.id);
  await holdings.apply(account, asset.id, balance, -amount, { kind, reference });
  await recordAccountSupplyChange(ctx, account, asset.id, total, -amount);
  ctx.ledger.emit('PrivateMovement', { kind, collection: Holdings.collectionOf(account) });
}
