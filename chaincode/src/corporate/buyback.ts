import {
  ComplianceCode,
  ErrorCode,
  KeyType,
  MarketError,
  RECORD_VERSION,
  type Account,
  type Asset,
  type BuybackAllowance,
  type BuybackPolicy,
  type Trade,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import type { MarketContext } from '../context';
import { keys, privateKeys } from '../ledger/keys';
import { buybackLimit, dayOf } from './rules';

/** The issuer's allowance of buy-order units for today, or undefined when the regulator set no limit. */
export async function buybackAllowance(
  ctx: MarketContext,
  issuer: Account,
  shareClass: Asset,
): Promise<BuybackAllowance | undefined> {
  const policy = await ctx.ledger.get<BuybackPolicy>(keys.buybackPolicy(ctx.stub, shareClass.id));
  if (!policy) return undefined;
  const today = dayOf(ctx.ledger.now);
  const trades = (await ctx.ledger.list<Trade>(KeyType.TRADE, [shareClass.id])).map((t) => t.value);
  const { averageDailyVolume, limit } = buybackLimit(trades, today, policy.windowDays, policy.maxBps);
  const usage = await ctx.ledger.getPrivate<{ units: string }>(
    Holdings.collectionOf(issuer),
    privateKeys.buybackUsage(shareClass.id, issuer.id, String(today)),
  );
  return {
    classId: shareClass.id,
    day: today,
    averageDailyVolume: averageDailyVolume.toString(),
    limit: limit.toString(),
    used: usage?.units ?? '0',
  };
}

/**
 * Checks an issuer's buy order of its own class against the regulator's limit (decision 53) and returns the
 * write that counts it, for the caller to run once every other check has passed. Orders count when placed,
 * cancelled or not: a limit on placements cannot be dodged by placing and cancelling.
 */
export async function checkBuyback(
  ctx: MarketContext,
  account: Account,
  shareClass: Asset,
  quantity: bigint,
): Promise<() => Promise<void>> {
  const none = async () => undefined;
  if (account.id !== shareClass.issuerAccountId) return none;
  const allowance = await buybackAllowance(ctx, account, shareClass);
  if (!allowance) return none;
  const used = BigInt(allowance.used) + quantity;
  if (used > BigInt(allowance.limit)) {
    throw new MarketError(
      ErrorCode.COMPLIANCE,
      `the issuer's buy orders of ${shareClass.id} today would reach ${used} units, above the limit of ${allowance.limit} (average daily volume ${allowance.averageDailyVolume})`,
      ComplianceCode.BUYBACK_LIMIT_EXCEEDED,
    );
  }
  return async () =>
    ctx.ledger.putPrivate(
      Holdings.collectionOf(account),
      privateKeys.buybackUsage(shareClass.id, account.id, String(allowance.day)),
      { v: RECORD_VERSION, units: used.toString() },
    );
}
