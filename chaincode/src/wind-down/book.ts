import {
  ErrorCode,
  KeyType,
  MarketError,
  operatorCollection,
  RECORD_VERSION,
  type Account,
  type Asset,
  type Campaign,
  type DistributionEscrow,
  type DistributionSnapshot,
  type Movement,
  type WithdrawalRecord,
  type Order,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import type { PledgeRecord } from '../contracts/campaigns';
import { escrowRemaining } from '../distributions/payment';
import { yearOf } from '../compliance/check-transfer';
import type { MarketContext } from '../context';
import { keys, privateKeys, type PrivateKey } from '../ledger/keys';
import { refundPledge } from '../offering/refund';
import { releaseOrder } from '../market/release';
import { getAccount } from '../registry/records';

interface PledgeRef {
  campaignId: string;
  pledgeId: string;
  operatorMspId: string;
}

interface TransitRecord {
  id: string;
  fromOperatorMspId: string;
}

/**
 * The object types of an operator collection that the wind-down moves, purges or refuses to leave behind,
 * the seal aside. Every type the chaincode writes there is either here or in LEFT_WITH_THE_EXITING (a unit
 * test checks both lists against every type the unit suites wrote), so a new record type cannot be
 * forgotten silently.
 */
export const OPERATOR_RECORD_TYPES: readonly string[] = [
  KeyType.BALANCE,
  KeyType.PERSONAL,
  KeyType.MOVEMENT,
  KeyType.MOVEMENT_SEQ,
  KeyType.DONE,
  KeyType.PARTIAL_FREEZE,
  KeyType.CAP_USAGE,
  KeyType.TRANSIT,
  KeyType.PLEDGE,
  KeyType.PLEDGE_TOTAL,
  KeyType.ORDER_ESCROW,
  KeyType.SUPPLY,
  KeyType.WITHDRAWAL,
  KeyType.WITHDRAWAL_HOLD,
  KeyType.CA_ESCROW,
  KeyType.DISTRIBUTION_ESCROW,
  KeyType.DISTRIBUTION_SNAPSHOT,
];

/**
 * Types that stay in the exiting collection after the wind-down, as history its remaining members (the
 * trustee and the regulator) still read: they hold no value, and nothing reads them through the account's
 * current operator. An allowance names the exiting operator or its trustee, and lapses with the move (the
 * holder approves again at the successor); ballots, delegations and a resolution's subtotal belong to a
 * count that ran, or will run, per operator (decision 55); a corporate action's private state and an
 * issuer's daily buyback usage are the issuer's history (decisions 52–53). Investor-limit claims keep
 * counting the person's year where they are: the trustee's review reads every collection it still holds
 * (decision 49), and the wind-down's refunds close the pending ones.
 */
export const LEFT_WITH_THE_EXITING: readonly string[] = [
  KeyType.LIMIT_CLAIM,
  KeyType.LIMIT_OWNER,
  KeyType.LIMIT_PENDING,
  KeyType.ALLOWANCE,
  KeyType.BALLOT,
  KeyType.DELEGATION,
  KeyType.VOTE_SUBTOTAL,
  KeyType.CA_STATE,
  KeyType.BUYBACK_USAGE,
];

/** Open orders of the exiting operator's customers, at most `max`, in key order. */
export async function openOrdersOf(ctx: MarketContext, operatorMspId: string, max: number): Promise<Order[]> {
  return (await ctx.ledger.list<Order>(KeyType.ORDER, []))
    .map((e) => e.value)
    .filter((o) => o.status === 'OPEN' && o.operatorMspId === operatorMspId)
    .slice(0, max);
}

/** Cancels the orders: each one's escrow goes back to its owner's balance, still in the exiting collection. */
export async function cancelOrders(ctx: MarketContext, orders: readonly Order[]): Promise<void> {
  const holdings = new Holdings(ctx);
  for (const order of orders) await releaseOrder(ctx, holdings, order, 'CANCELLED');
}

/** Pledge index entries of the exiting operator, at most `max`. */
export async function pledgesOf(ctx: MarketContext, operatorMspId: string, max: number): Promise<PledgeRef[]> {
  return (await ctx.ledger.list<PledgeRef>(KeyType.PLEDGE_REF, []))
    .map((e) => e.value)
    .filter((p) => p.operatorMspId === operatorMspId)
    .slice(0, max);
}

/**
 * Refunds pledges in open campaigns (decision 37: refunded, not carried over). A campaign whose
 * settlement has begun is settled first: its tally runs over the pledges as they were.
 */
export async function refundPledges(ctx: MarketContext, refs: readonly PledgeRef[]): Promise<void> {
  const holdings = new Holdings(ctx);
  for (const ref of refs) {
    const campaign = await ctx.ledger.get<Campaign>(keys.campaign(ctx.stub, ref.campaignId));
    if (campaign?.status === 'SETTLING') {
      throw new MarketError(
        ErrorCode.CONFLICT,
        `campaign ${ref.campaignId} is settling; settle it before the wind-down refunds its pledges`,
      );
    }
    const collection = operatorCollection(ref.operatorMspId);
    const pledgeKey = privateKeys.pledge(ref.campaignId, ref.pledgeId);
    const pledge = await ctx.ledger.getPrivate<PledgeRecord>(collection, pledgeKey);
    if (pledge) await refundPledge(ctx, holdings, collection, await getAccount(ctx, pledge.accountId), pledge);
    else await ctx.ledger.delete(keys.pledgeRef(ctx.stub, ref.campaignId, ref.pledgeId));
  }
}

/** The exiting operator's accounts, at most `max`, in key order; moved ones no longer count. */
export async function accountsOf(ctx: MarketContext, operatorMspId: string, max: number): Promise<Account[]> {
  return (await ctx.ledger.list<Account>(KeyType.ACCOUNT, []))
    .map((e) => e.value)
    .filter((a) => a.operatorMspId === operatorMspId)
    .slice(0, max);
}

/**
 * The private records that belong to one account and are found by point reads: its person, its movement
 * counter, and per asset its balance, partial freeze, (for money) what its withdrawals under review hold,
 * and (for share classes) the cap usage of every year since it opened. Movements and withdrawals are keyed
 * by transaction, so the sweep carries them.
 */
function accountKeys(account: Account, assets: readonly Asset[], now: number): PrivateKey[] {
  const out: PrivateKey[] = [privateKeys.personal(account.id), privateKeys.movementSeq(account.id)];
  for (const asset of assets) {
    out.push(privateKeys.balance(asset.id, account.id), privateKeys.partialFreeze(account.id, asset.id));
    if (asset.kind !== 'equity') {
      out.push(privateKeys.withdrawalHold(account.id, asset.id));
      continue;
    }
    for (let year = yearOf(account.createdAt); year <= yearOf(now); year += 1)
      out.push(privateKeys.capUsage(account.id, asset.id, year));
  }
  return out;
}

/**
 * Moves one account to the successor: each private record is written in the successor's collection
 * (sealed with its secret) and purged from the exiting one, and the public record names the successor.
 * Balances move as they are, so no supply changes; the customer's credential follows the public record
 * (`resolveCaller` binds an end user's certificate to the account's operator).
 */
export async function moveAccount(
  ctx: MarketContext,
  account: Account,
  successorMspId: string,
  assets: readonly Asset[],
): Promise<Account> {
  const from = operatorCollection(account.operatorMspId);
  const to = operatorCollection(successorMspId);
  const { ledger } = ctx;
  for (const key of accountKeys(account, assets, ledger.now)) {
    const value = await ledger.getPrivate<object>(from, key);
    if (!value) continue;
    await ledger.putPrivate(to, key, value);
    await ledger.purgePrivate(from, key);
  }
  const moved: Account = { ...account, operatorMspId: successorMspId, updatedAt: ledger.now };
  await ledger.put(keys.account(ctx.stub, account.id), moved);
  ledger.emit('AccountMoved', {
    accountId: account.id,
    operatorMspId: successorMspId,
    counterpartyOperatorMspId: account.operatorMspId,
  });
  return moved;
}

/**
 * Moves or purges records left in the exiting collection once every account has moved, by their stored
 * keys (listed by an evaluation: a transaction that range-reads private data may not write). Movements
 * and in-transit instructions (with their outcome markers) move to the successor; the customers' supply
 * deltas move as one sum per asset, so `CheckSupply` stays exact; everything else is purged. A record
 * that still holds value (a balance, a pledge, an escrow) means an earlier phase missed it: refused.
 */
export async function sweep(
  ctx: MarketContext,
  exitingMspId: string,
  successorMspId: string,
  storedKeys: readonly string[],
  assets: readonly Asset[],
): Promise<number> {
  const from = operatorCollection(exitingMspId);
  const to = operatorCollection(successorMspId);
  const { ledger } = ctx;
  const supplyPrefixes = await Promise.all(
    assets.map(async (a) => ({ assetId: a.id, prefix: await ledger.sealedPrefix(from, KeyType.SUPPLY, [a.id]) })),
  );
  const supply = new Map<string, bigint>();
  let swept = 0;
  for (const key of new Set(storedKeys)) {
    const { objectType: type } = ctx.stub.splitCompositeKey(key);
    if (!OPERATOR_RECORD_TYPES.includes(type))
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'keys: not the key of a customer record');
    const value = await ledger.getRaw<Record<string, unknown>>(from, key);
    if (!value) continue; // swept by an earlier call
    switch (type) {
      case KeyType.SUPPLY: {
        const assetId = supplyPrefixes.find((p) => key.startsWith(p.prefix))?.assetId;
        if (!assetId) throw new MarketError(ErrorCode.INTERNAL, 'a supply record of an unknown asset');
        supply.set(assetId, (supply.get(assetId) ?? 0n) + BigInt(String(value.delta)));
        break;
      }
      case KeyType.MOVEMENT: {
        const mv = value as unknown as Movement;
        const account = await getAccount(ctx, mv.accountId);
        if (account.operatorMspId !== successorMspId)
          throw new MarketError(ErrorCode.CONFLICT, `account ${mv.accountId} has not moved yet`);
        await ledger.putPrivate(to, privateKeys.movement(mv.accountId, mv.txId, mv.seq ?? 0), mv);
        break;
      }
      case KeyType.WITHDRAWAL: {
        // A withdrawal under review (or its outcome) follows its account: the trustee decides it there.
        const w = value as unknown as WithdrawalRecord;
        const account = await getAccount(ctx, w.accountId);
        if (account.operatorMspId !== successorMspId)
          throw new MarketError(ErrorCode.CONFLICT, `account ${w.accountId} has not moved yet`);
        await ledger.putPrivate(to, privateKeys.withdrawal(w.accountId, w.id), w);
        break;
      }
      case KeyType.WITHDRAWAL_HOLD:
        throw new MarketError(
          ErrorCode.CONFLICT,
          `the withdrawal hold of account ${String(value.accountId)} was not moved`,
        );
      case KeyType.TRANSIT: {
        const transit = value as unknown as TransitRecord;
        await ledger.putPrivate(to, privateKeys.transit(transit.id), { ...transit, fromOperatorMspId: successorMspId });
        break;
      }
      case KeyType.DONE:
        // An instruction's outcome names its instruction and moves with it; a withdrawn pledge's marker
        // names neither campaign nor pledge, and its campaign is over for this operator anyway.
        if (typeof value.id === 'string' && typeof value.outcome === 'string')
          await ledger.putPrivate(to, privateKeys.instructionDone(value.id), value);
        // An imported register line moves too, or a rerun of the import would issue it again (decision 47).
        if (typeof value.registerId === 'string' && typeof value.line === 'number')
          await ledger.putPrivate(to, privateKeys.registerLine(value.registerId, value.line), value);
        break;
      case KeyType.BALANCE:
        if (BigInt(String(value.amount)) !== 0n)
          throw new MarketError(ErrorCode.CONFLICT, `a balance of account ${String(value.accountId)} was not moved`);
        break;
      case KeyType.PLEDGE:
      case KeyType.ORDER_ESCROW:
        throw new MarketError(ErrorCode.CONFLICT, 'a pledge or an order escrow is still open: release the book first');
      case KeyType.DISTRIBUTION_SNAPSHOT: {
        // A holding at a record time follows its account: the trustee pays it from the successor.
        const snap = value as unknown as DistributionSnapshot;
        await ledger.putPrivate(to, privateKeys.distributionSnapshot(snap.distributionId, snap.accountId), snap);
        break;
      }
      case KeyType.DISTRIBUTION_ESCROW: {
        const escrow = value as unknown as DistributionEscrow;
        if (escrowRemaining(escrow) !== 0n)
          throw new MarketError(
            ErrorCode.CONFLICT,
            `distribution ${escrow.distributionId} still holds the issuer's money: the trustee pays it first`,
          );
        await ledger.putPrivate(to, privateKeys.distributionEscrow(escrow.distributionId), escrow);
        break;
      }
      case KeyType.CA_ESCROW:
        // Tendered units or an issuer's offered money: the action settles them from this collection.
        throw new MarketError(
          ErrorCode.CONFLICT,
          'a corporate action still holds escrow at the exiting operator: the trustee completes it first',
        );
      default:
        break;
    }
    await ledger.purgeRaw(from, key);
    swept += 1;
  }
  for (const [assetId, delta] of supply) {
    if (delta === 0n) continue;
    await ledger.putPrivate(to, privateKeys.supply(assetId, ledger.txId), {
      v: RECORD_VERSION,
      delta: delta.toString(),
    });
  }
  return swept;
}
