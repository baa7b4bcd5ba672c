import { RECORD_VERSION, type Account, type Asset } from '@ecf/common';
import type { MarketContext } from '../context';
import { keys, KeyType, privateKeys } from '../ledger/keys';
import { Holdings } from './holdings';
import { requireWithinLimit } from './limits';
import { credit } from './movements';

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
 * a public delta would tell every member the amount of each deposit and withdrawal.
 */
async function recordAccountSupplyChange(
  ctx: MarketContext,
  account: Account,
  assetId: string,
  delta: bigint,
): Promise<void> {
  await ctx.ledger.putPrivate(Holdings.collectionOf(account), privateKeys.supply(assetId, ctx.ledger.txId), {
    v: RECORD_VERSION,
    delta: delta.toString(),
  });
}

/**
 * A trustee's mint into an account (a deposit of money, an issue of units), after its checks: the credit,
 * the supply record, and the event that a private movement happened. Mint and burn are the only ways
 * supply changes for a single account, so they always go together.
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
  await credit(ctx, holdings, account, asset, amount, kind, undefined, reference);
  await recordAccountSupplyChange(ctx, account, asset.id, amount);
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
  await holdings.apply(account, asset.id, balance, -amount, { kind, reference });
  await recordAccountSupplyChange(ctx, account, asset.id, -amount);
  ctx.ledger.emit('PrivateMovement', { kind, collection: Holdings.collectionOf(account) });
}

/**
 * The trustee's burn of a withdrawal that was held for review: the amount already left the balance when it
 * was requested, so only the supply changes now.
 */
export async function burnHeld(ctx: MarketContext, account: Account, asset: Asset, amount: bigint): Promise<void> {
  await recordAccountSupplyChange(ctx, account, asset.id, -amount);
}

/**
 * Several mints of one asset in one transaction (a register import, a batch of deposits). The supply
 * record is keyed by asset and transaction, so each collection gets one record with the sum of its
 * accounts' mints; a record per mint would overwrite the one before.
 */
export async function mintEach(
  ctx: MarketContext,
  holdings: Holdings,
  asset: Asset,
  credits: ReadonlyArray<{ account: Account; amount: bigint; reference: string }>,
  kind: 'issue' | 'deposit' = 'issue',
): Promise<void> {
  const perCollection = new Map<string, { account: Account; total: bigint }>();
  for (const { account, amount, reference } of credits) {
    await credit(ctx, holdings, account, asset, amount, kind, undefined, reference);
    const collection = Holdings.collectionOf(account);
    const sum = perCollection.get(collection);
    perCollection.set(collection, { account: sum?.account ?? account, total: (sum?.total ?? 0n) + amount });
  }
  for (const [collection, { account, total }] of perCollection) {
    await recordAccountSupplyChange(ctx, account, asset.id, total);
    ctx.ledger.emit('PrivateMovement', { kind, collection });
  }
}
