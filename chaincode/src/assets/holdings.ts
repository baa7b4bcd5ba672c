import { ErrorCode, MarketError, operatorCollection, RECORD_VERSION, type Account, type Movement } from '@ecf/common';
import type { MarketContext } from '../context';
import { privateKeys } from '../ledger/keys';
import { keepRecordTimeHolding } from '../distributions/snapshot';
import { requireWithinLimit } from './limits';

interface BalanceRecord {
  v: number;
  accountId: string;
  assetId: string;
  amount: string;
}

interface AmountRecord {
  v: number;
  amount: string;
}

interface MovementSeqRecord {
  v: number;
  accountId: string;
  /** The position of the account's last movement. */
  seq: number;
}

/**
 * Balances, partial freezes and movements of accounts, kept in each account's operator collection:
 * only that operator, its trustee and the regulator ever hold them. One key per (asset, account), so
 * movements between disjoint accounts never touch the same key.
 */
export class Holdings {
  private seq = 0;

  constructor(private readonly ctx: MarketContext) {}

  static collectionOf(account: Account): string {
    return operatorCollection(account.operatorMspId);
  }

  async balance(account: Account, assetId: string): Promise<bigint> {
    const r = await this.ctx.ledger.getPrivate<BalanceRecord>(
      Holdings.collectionOf(account),
      privateKeys.balance(assetId, account.id),
    );
    return r ? BigInt(r.amount) : 0n;
  }

  /**
   * Reads the balances of one asset of many accounts in one peer call per collection, for a batch that reads
   * each of them next (`Ledger.prefetchPrivate`).
   */
  async prefetchBalances(accounts: readonly Account[], assetId: string): Promise<void> {
    await this.ctx.ledger.prefetchPrivate(
      accounts.map((a) => ({ collection: Holdings.collectionOf(a), key: privateKeys.balance(assetId, a.id) })),
    );
  }

  /** Likewise the movement counters that `apply` reads, for accounts a batch moves. */
  async prefetchMovementSeqs(accounts: readonly Account[]): Promise<void> {
    await this.ctx.ledger.prefetchPrivate(
      accounts.map((a) => ({ collection: Holdings.collectionOf(a), key: privateKeys.movementSeq(a.id) })),
    );
  }

  async frozen(account: Account, assetId: string): Promise<bigint> {
    const r = await this.ctx.ledger.getPrivate<AmountRecord>(
      Holdings.collectionOf(account),
      privateKeys.partialFreeze(account.id, assetId),
    );
    return r ? BigInt(r.amount) : 0n;
  }

  async capUsed(account: Account, classId: string, year: number): Promise<bigint> {
    const r = await this.ctx.ledger.getPrivate<AmountRecord>(
      Holdings.collectionOf(account),
      privateKeys.capUsage(account.id, classId, year),
    );
    return r ? BigInt(r.amount) : 0n;
  }

  /**
   * Refuses a credit that would take a balance above 2^63-1. `apply` checks it too; callers that write
   * anything else first (cap usage, the sender's side of a transfer) call this before those writes.
   */
  static requireFits(account: Account, assetId: string, before: bigint, delta: bigint): void {
    requireWithinLimit(before + delta, `the balance of ${assetId} in account ${account.id}`);
  }

  /**
   * Writes a new balance (given the one read before) and the movement that explains it. Every balance
   * change of every transaction passes here, so this is where the range of a balance is enforced: the
   * checks come before the first write.
   */
  async apply(
    account: Account,
    assetId: string,
    before: bigint,
    delta: bigint,
    movement: Pick<Movement, 'kind'> & Partial<Pick<Movement, 'counterparty' | 'reference'>>,
  ): Promise<void> {
    const after = before + delta;
    if (after < 0n) throw new MarketError(ErrorCode.INTERNAL, `balance of ${account.id} would go negative`);
    Holdings.requireFits(account, assetId, before, delta);
    // The holding at a distribution's record time is kept before the first change after it (decision 51).
    await keepRecordTimeHolding(this.ctx, account, assetId, before);
    const collection = Holdings.collectionOf(account);
    const { ledger } = this.ctx;
    const record: BalanceRecord = { v: RECORD_VERSION, accountId: account.id, assetId, amount: after.toString() };
    await ledger.putPrivate(collection, privateKeys.balance(assetId, account.id), record);
    const mv: Movement = {
      v: RECORD_VERSION,
      txId: ledger.txId,
      accountId: account.id,
      assetId,
      delta: delta.toString(),
      kind: movement.kind,
      counterparty: movement.counterparty,
      reference: movement.reference,
      at: ledger.now,
      seq: await this.nextSeq(account),
    };
    await ledger.putPrivate(collection, privateKeys.movement(account.id, ledger.txId, this.seq++), mv);
  }

  /**
   * The next position in the account's history. Sealed keys are HMACs, so key order says nothing, and the
   * chaincode cannot see block numbers: a counter beside the balance, written in the same transaction as
   * the balance, gives the ledger order. Reads see this transaction's own writes (ledger.ts), so several
   * movements of one account in one transaction get consecutive positions.
   */
  private async nextSeq(account: Account): Promise<number> {
    const collection = Holdings.collectionOf(account);
    const key = privateKeys.movementSeq(account.id);
    const last = (await this.ctx.ledger.getPrivate<MovementSeqRecord>(collection, key))?.seq ?? 0;
    const record: MovementSeqRecord = { v: RECORD_VERSION, accountId: account.id, seq: last + 1 };
    await this.ctx.ledger.putPrivate(collection, key, record);
    return record.seq;
  }

  async setFrozen(account: Account, assetId: string, amount: bigint): Promise<void> {
    const key = privateKeys.partialFreeze(account.id, assetId);
    const collection = Holdings.collectionOf(account);
    if (amount === 0n) await this.ctx.ledger.deletePrivate(collection, key);
    else await this.ctx.ledger.putPrivate(collection, key, { v: RECORD_VERSION, amount: amount.toString() });
  }

  async addCapUsage(account: Account, classId: string, year: number, used: bigint, amount: bigint): Promise<void> {
    await this.ctx.ledger.putPrivate(Holdings.collectionOf(account), privateKeys.capUsage(account.id, classId, year), {
      v: RECORD_VERSION,
      amount: (used + amount).toString(),
    });
  }
}
