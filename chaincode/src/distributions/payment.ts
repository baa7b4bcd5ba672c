import {
  entitlement,
  ErrorCode,
  KeyType,
  MarketError,
  type Account,
  type Distribution,
  type DistributionEscrow,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import type { MarketContext } from '../context';
import { privateKeys } from '../ledger/keys';
import { getParticipant } from '../registry/records';
import { recordTimeSnapshot } from './snapshot';

export interface BatchOutcome {
  escrow: DistributionEscrow;
  /** The accounts walked, in id order; the last one is the new cursor. */
  walked: Account[];
  /** Whether no account is left after this batch. */
  last: boolean;
}

/**
 * One payment batch: the next `max` public account records after the cursor, in id order, across every
 * operator the trustee serves. Walking public records (not a private range read) lets the same transaction
 * write the payments (decision 17), and the cursor makes a rerun after any interruption continue where the
 * last committed batch stopped: an account is never walked twice.
 *
 * Per account: units = the holding at the record time (snapshot, or the balance if it never moved since);
 * amount = entitlement (rounded down). A frozen or suspended account is paid: a freeze stops what leaves an
 * account, and the credit stays under it. An offboarded account is not paid: its amount is withheld and
 * returns to the issuer with the rounding residual at the end.
 */
export async function payBatch(
  ctx: MarketContext,
  d: Distribution,
  escrow: DistributionEscrow,
  max: number,
): Promise<BatchOutcome> {
  // Only the `max` records after the cursor are read: a batch costs the same at the first account and at the
  // ten-thousandth, at endorsement and when the peers validate its range read (decision 60).
  const { items, more } = await ctx.ledger.listAfter<Account>(KeyType.ACCOUNT, d.cursor, max);
  const walked = items.map((e) => e.value);
  const holdings = new Holdings(ctx);
  let paid = BigInt(escrow.paid);
  let withheld = BigInt(escrow.withheld);
  let accountsPaid = escrow.accountsPaid;
  const escrowed = BigInt(escrow.escrowed);
  // Another trustee's customers cannot hold this trustee's class, and their collection is not ours to read.
  const ours: Account[] = [];
  for (const account of walked)
    if ((await getParticipant(ctx, account.operatorMspId)).trusteeMspId === d.trusteeMspId) ours.push(account);
  // The records read below, fetched a collection at a time in one peer call each rather than one per account
  // (decision 60): the snapshots, then the balances of the class where there is none.
  const snapshotKey = (a: Account) => privateKeys.distributionSnapshot(d.id, a.id);
  await ctx.ledger.prefetchPrivate(ours.map((a) => ({ collection: Holdings.collectionOf(a), key: snapshotKey(a) })));
  const unmoved: Account[] = [];
  for (const account of ours) if ((await recordTimeSnapshot(ctx, account, d.id)) === undefined) unmoved.push(account);
  await holdings.prefetchBalances(unmoved, d.classId);
  // Every check before the first write: a short escrow refuses the whole batch and writes nothing.
  const payments: Array<{ account: Account; amount: bigint }> = [];
  for (const account of ours) {
    const units = await unitsAtRecordTime(ctx, holdings, account, d);
    const amount = entitlement(units, d.amountPerUnit);
    if (amount === 0n) continue;
    if (account.status === 'OFFBOARDED') {
      withheld += amount;
      continue;
    }
    if (escrowed - paid - withheld < amount) {
      throw new MarketError(
        ErrorCode.CONFLICT,
        `the escrow of ${d.id} is short: the holdings at the record time exceed the declared units; the issuer's operator tops it up`,
        'ESCROW_SHORT',
      );
    }
    payments.push({ account, amount });
    paid += amount;
    accountsPaid += 1;
  }
  const payees = payments.map((p) => p.account);
  await holdings.prefetchBalances(payees, d.tokenId);
  await holdings.prefetchMovementSeqs(payees);
  for (const { account, amount } of payments) {
    const balance = await holdings.balance(account, d.tokenId);
    await holdings.apply(account, d.tokenId, balance, amount, {
      kind: 'distribution',
      reference: d.id,
      counterparty: d.issuerAccountId,
    });
  }
  return {
    escrow: { ...escrow, paid: paid.toString(), withheld: withheld.toString(), accountsPaid },
    walked,
    last: !more,
  };
}

/**
 * The holding at the record time: the snapshot if the account moved since, else its balance now. The
 * snapshot is read first, so an account that moved costs one read, not two.
 */
async function unitsAtRecordTime(
  ctx: MarketContext,
  holdings: Holdings,
  account: Account,
  d: Distribution,
): Promise<bigint> {
  return (await recordTimeSnapshot(ctx, account, d.id)) ?? (await holdings.balance(account, d.classId));
}

/** What is still in the escrow: counted by `CheckSupply` as escrowed money. */
export function escrowRemaining(e: DistributionEscrow): bigint {
  return BigInt(e.escrowed) - BigInt(e.paid) - BigInt(e.residual ?? '0');
}
