import { ErrorCode, MarketError, operatorCollection, RECORD_VERSION, type Account, type Movement } from '@ecf/common';
import type { MarketContext } from '../context';
import { privateKeys } from '../ledger/keys';

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

  /** Writes a new balance (given the one read before) and the movement that explains it. */
  async apply(
    account: Account,
    assetId: string,
    before: bigint,
    delta: bigint,
    movement: Pick<Movement, 'kind'> & Partial<Pick<Movement, 'counterparty' | 'reference'>>,
  ): Promise<void> {
    const after = before + delta;
    if (after < 0n) throw new MarketError(ErrorCode.INTERNAL, `balance of ${account.id} would go negative`);
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
    };
    await ledger.putPrivate(collection, privateKeys.movement(account.id, ledger.txId, this.seq++), mv);
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
