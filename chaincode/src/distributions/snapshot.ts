import {
  operatorCollection,
  RECORD_VERSION,
  type Account,
  type DistributionSchedule,
  type DistributionSnapshot,
} from '@ecf/common';
import type { MarketContext } from '../context';
import { keys, privateKeys } from '../ledger/keys';

/**
 * Copy on write of holdings at a record time (decision 51). The first change of an account's balance of a
 * class after a pending distribution's record time keeps the balance it had before (`dsnap`/distribution/
 * account, in the account's own collection); a balance never changed since the record time is still the
 * holding at that time. So the payment reads, per account, the snapshot if there is one and the balance
 * otherwise, and no transaction has to copy every holding at the record time, nor read a competitor's
 * collection.
 *
 * Every movement of a class reads its public schedule (one key per class, written only by a declaration and
 * by the last payment batch), so movements never conflict with one another over it; a declaration
 * invalidates the movements of its class endorsed before it committed, which are retried.
 */
export async function keepRecordTimeHolding(
  ctx: MarketContext,
  account: Account,
  assetId: string,
  before: bigint,
): Promise<void> {
  const schedule = await ctx.ledger.get<DistributionSchedule>(keys.distributionSchedule(ctx.stub, assetId));
  if (!schedule) return;
  const now = ctx.ledger.now;
  const collection = operatorCollection(account.operatorMspId);
  for (const { distributionId, recordAt } of schedule.pending) {
    // A movement at the record time itself comes after it: the holding "at" the record time is the one
    // that stood when that second began.
    if (now < recordAt) continue;
    const key = privateKeys.distributionSnapshot(distributionId, account.id);
    if (await ctx.ledger.getPrivate<DistributionSnapshot>(collection, key)) continue;
    const snapshot: DistributionSnapshot = {
      v: RECORD_VERSION,
      distributionId,
      accountId: account.id,
      units: before.toString(),
    };
    await ctx.ledger.putPrivate(collection, key, snapshot);
  }
}

/** An account's holding of a class at a distribution's record time, read after it. */
export async function holdingAtRecordTime(
  ctx: MarketContext,
  account: Account,
  distributionId: string,
  balanceNow: bigint,
): Promise<bigint> {
  return (await recordTimeSnapshot(ctx, account, distributionId)) ?? balanceNow;
}

/** The units kept at the account's first change after the record time; undefined if it never changed since. */
export async function recordTimeSnapshot(
  ctx: MarketContext,
  account: Account,
  distributionId: string,
): Promise<bigint | undefined> {
  const snapshot = await ctx.ledger.getPrivate<DistributionSnapshot>(
    operatorCollection(account.operatorMspId),
    privateKeys.distributionSnapshot(distributionId, account.id),
  );
  return snapshot ? BigInt(snapshot.units) : undefined;
}
