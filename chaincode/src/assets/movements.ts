import { ComplianceCode, ErrorCode, MarketError, type Account, type Asset, type TransferCheck } from '@ecf/common';
import { checkReceiver, checkSender, checkTransfer, yearOf, type TransferFacts } from '../compliance/check-transfer';
import type { MarketContext } from '../context';
import { getAccount, getAsset, getParticipant } from '../registry/records';
import { Holdings } from './holdings';

/** Reads everything the compliance rules need for a transfer. */
export async function transferFacts(
  ctx: MarketContext,
  holdings: Holdings,
  fromId: string,
  toId: string,
  assetId: string,
  amount: bigint,
): Promise<TransferFacts> {
  const [from, to, asset] = await Promise.all([getAccount(ctx, fromId), getAccount(ctx, toId), getAsset(ctx, assetId)]);
  const [fromOperator, toOperator, custodian] = await Promise.all([
    getParticipant(ctx, from.operatorMspId),
    getParticipant(ctx, to.operatorMspId),
    getParticipant(ctx, asset.trusteeMspId),
  ]);
  const now = ctx.ledger.now;
  const fromBalance = await holdings.balance(from, assetId);
  const fromFrozen = await holdings.frozen(from, assetId);
  const receiverCapUsed = await capUsedFor(holdings, to, asset, now);
  return {
    from,
    to,
    asset,
    amount,
    fromBalance,
    fromFrozen,
    fromOperator,
    toOperator,
    custodian,
    receiverCapUsed,
    now,
  };
}

export function refuseUnless(check: TransferCheck): void {
  if (!check.allowed) throw new MarketError(ErrorCode.COMPLIANCE, check.message, check.code);
}

/** Retail caps only track investors' equity acquisitions; everything else has nothing to read. */
export async function capUsedFor(holdings: Holdings, to: Account, asset: Asset, now: number): Promise<bigint> {
  if (!tracksCap(to, asset)) return 0n;
  return holdings.capUsed(to, asset.id, yearOf(now));
}

function tracksCap(to: Account, asset: Asset): boolean {
  return (
    asset.kind === 'equity' &&
    to.type === 'investor' &&
    to.kyc.investorClass === 'retail' &&
    asset.retailCapPerYear !== undefined
  );
}

/** Credits an account after its receiver checks passed, recording cap usage where a cap applies. */
export async function credit(
  ctx: MarketContext,
  holdings: Holdings,
  to: Account,
  asset: Asset,
  amount: bigint,
  kind: 'deposit' | 'issue' | 'transfer' | 'forced' | 'settlement' | 'refund',
  counterparty?: string,
  reference?: string,
): Promise<void> {
  const before = await holdings.balance(to, asset.id);
  // Before the cap usage is written: a refused credit writes nothing.
  Holdings.requireFits(to, asset.id, before, amount);
  if (tracksCap(to, asset) && (kind === 'transfer' || kind === 'issue' || kind === 'settlement')) {
    const year = yearOf(ctx.ledger.now);
    const used = await holdings.capUsed(to, asset.id, year);
    await holdings.addCapUsage(to, asset.id, year, used, amount);
  }
  await holdings.apply(to, asset.id, before, amount, { kind, counterparty, reference });
}

/** Checks a receiver for deposits and issuance (no sender side). */
export async function checkCredit(
  ctx: MarketContext,
  holdings: Holdings,
  to: Account,
  asset: Asset,
  amount: bigint,
): Promise<TransferCheck> {
  const [toOperator, custodian] = await Promise.all([
    getParticipant(ctx, to.operatorMspId),
    getParticipant(ctx, asset.trusteeMspId),
  ]);
  const now = ctx.ledger.now;
  return checkReceiver(to, toOperator, asset, custodian, amount, await capUsedFor(holdings, to, asset, now), now);
}

/**
 * Checks a sender for what leaves its balance with no receiver's side (an escrow, a tender) and refuses
 * before any write; returns the balance the caller then debits.
 */
export async function checkDebit(
  ctx: MarketContext,
  holdings: Holdings,
  from: Account,
  asset: Asset,
  amount: bigint,
): Promise<bigint> {
  const balance = await holdings.balance(from, asset.id);
  const operator = await getParticipant(ctx, from.operatorMspId);
  refuseUnless(
    checkSender(from, operator, asset, amount, balance, await holdings.frozen(from, asset.id), ctx.ledger.now),
  );
  return balance;
}

export { checkTransfer, ComplianceCode };
