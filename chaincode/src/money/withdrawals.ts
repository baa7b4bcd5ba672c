import {
  ComplianceCode,
  defaultWithdrawalThreshold,
  ErrorCode,
  MarketError,
  RECORD_VERSION,
  WITHDRAWAL_REVIEW_DEFAULTS,
  type Account,
  type Asset,
  type WithdrawalPolicy,
  type WithdrawalPolicyView,
  type WithdrawalRecord,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { requireWithinLimit } from '../assets/limits';
import type { MarketContext } from '../context';
import { keys, KeyType, privateKeys } from '../ledger/keys';

/** The total a token's pending withdrawals hold in one account (`whold`/account/token). */
interface HoldRecord {
  v: number;
  accountId: string;
  assetId: string;
  amount: string;
}

/** The policy in force for a money token: the regulator's record, or the defaults (decision 40). */
export function policyInForce(token: Asset, stored: WithdrawalPolicy | undefined): WithdrawalPolicyView {
  if (stored) {
    const { v: _v, ...view } = stored;
    return { ...view, isDefault: false };
  }
  return {
    tokenId: token.id,
    threshold: defaultWithdrawalThreshold(token.decimals).toString(),
    reviewSeconds: WITHDRAWAL_REVIEW_DEFAULTS.reviewSeconds,
    isDefault: true,
  };
}

/** Strictly above the threshold: a withdrawal of exactly the threshold is paid out at once. */
export function needsReview(amount: bigint, policy: Pick<WithdrawalPolicyView, 'threshold'>): boolean {
  return amount > BigInt(policy.threshold);
}

/** Only a pending withdrawal can be executed or cancelled; a decided one is a conflict, not unknown. */
export function requirePending(w: WithdrawalRecord): void {
  if (w.status !== 'PENDING') {
    throw new MarketError(
      ErrorCode.CONFLICT,
      `withdrawal ${w.id} is already ${w.status.toLowerCase()}; there is nothing left to decide`,
    );
  }
}

/** The review window is measured by transaction time: executing earlier is refused with its own code. */
export function requireWindowPassed(w: WithdrawalRecord, now: number): void {
  if (now < w.executableFrom) {
    throw new MarketError(
      ErrorCode.COMPLIANCE,
      `withdrawal ${w.id} is under review until ${w.executableFrom} (epoch seconds); it is ${now} now`,
      ComplianceCode.REVIEW_WINDOW_OPEN,
    );
  }
}

/**
 * Held withdrawals of accounts, in each account's operator collection beside its balance. A request moves
 * the amount out of the balance into the withdrawal record (as an instruction moves it into transit), so
 * no path that spends a balance (transfer, instruction, order escrow, pledge, another withdrawal, a forced
 * transfer) can reach it. The hold total per token is kept as well, so offboarding can see it with a point
 * read: a transaction that writes may not range-read private data.
 */
export class Withdrawals {
  constructor(
    private readonly ctx: MarketContext,
    private readonly holdings: Holdings,
  ) {}

  async policy(token: Asset): Promise<WithdrawalPolicyView> {
    return policyInForce(
      token,
      await this.ctx.ledger.get<WithdrawalPolicy>(keys.withdrawalPolicy(this.ctx.stub, token.id)),
    );
  }

  async setPolicy(policy: Omit<WithdrawalPolicy, 'v'>): Promise<WithdrawalPolicy> {
    const record: WithdrawalPolicy = { v: RECORD_VERSION, ...policy };
    await this.ctx.ledger.put(keys.withdrawalPolicy(this.ctx.stub, policy.tokenId), record);
    return record;
  }

  async get(account: Account, withdrawalId: string): Promise<WithdrawalRecord> {
    const w = await this.ctx.ledger.getPrivate<WithdrawalRecord>(
      Holdings.collectionOf(account),
      privateKeys.withdrawal(account.id, withdrawalId),
    );
    if (!w) throw new MarketError(ErrorCode.NOT_FOUND, `withdrawal ${withdrawalId} of account ${account.id} not found`);
    return w;
  }

  /** Every held withdrawal of an account, oldest first (a read-only range over its prefix). */
  async list(account: Account): Promise<WithdrawalRecord[]> {
    const found = await this.ctx.ledger.listPrivate<WithdrawalRecord>(
      Holdings.collectionOf(account),
      KeyType.WITHDRAWAL,
      [account.id],
    );
    return found.map((f) => f.value).sort((a, b) => a.requestedAt - b.requestedAt || a.id.localeCompare(b.id));
  }

  async held(account: Account, tokenId: string): Promise<bigint> {
    const r = await this.ctx.ledger.getPrivate<HoldRecord>(
      Holdings.collectionOf(account),
      privateKeys.withdrawalHold(account.id, tokenId),
    );
    return r ? BigInt(r.amount) : 0n;
  }

  /** Moves the amount from the balance (read and checked by the caller) into a pending withdrawal. */
  async request(
    account: Account,
    token: Asset,
    balance: bigint,
    amount: bigint,
    bankReference: string,
    policy: WithdrawalPolicyView,
  ): Promise<WithdrawalRecord> {
    const { ledger } = this.ctx;
    // Checked before the first write, so a refusal writes nothing.
    requireWithinLimit((await this.held(account, token.id)) + amount, `the withdrawals held in account ${account.id}`);
    const w: WithdrawalRecord = {
      v: RECORD_VERSION,
      id: ledger.txId,
      accountId: account.id,
      tokenId: token.id,
      amount: amount.toString(),
      bankReference,
      status: 'PENDING',
      requestedAt: ledger.now,
      executableFrom: ledger.now + policy.reviewSeconds,
    };
    await this.holdings.apply(account, token.id, balance, -amount, { kind: 'withdrawal', reference: bankReference });
    await this.save(account, w);
    await this.addHold(account, token.id, amount);
    return w;
  }

  /** Records the outcome; the hold total drops either way (the caller burns or refunds the amount). */
  async decide(
    account: Account,
    w: WithdrawalRecord,
    outcome: 'EXECUTED' | 'CANCELLED',
    by: string,
    reason?: string,
  ): Promise<WithdrawalRecord> {
    const decided: WithdrawalRecord = {
      ...w,
      status: outcome,
      decidedAt: this.ctx.ledger.now,
      decidedBy: by,
      ...(reason === undefined ? {} : { reason }),
    };
    await this.save(account, decided);
    await this.addHold(account, w.tokenId, -BigInt(w.amount));
    return decided;
  }

  private async save(account: Account, w: WithdrawalRecord): Promise<void> {
    await this.ctx.ledger.putPrivate(Holdings.collectionOf(account), privateKeys.withdrawal(account.id, w.id), w);
  }

  private async addHold(account: Account, tokenId: string, delta: bigint): Promise<void> {
    const collection = Holdings.collectionOf(account);
    const key = privateKeys.withdrawalHold(account.id, tokenId);
    const after = (await this.held(account, tokenId)) + delta;
    if (after < 0n) throw new MarketError(ErrorCode.INTERNAL, `withdrawal hold of ${account.id} would go negative`);
    if (after === 0n) await this.ctx.ledger.deletePrivate(collection, key);
    else {
      const record: HoldRecord = {
        v: RECORD_VERSION,
        accountId: account.id,
        assetId: tokenId,
        amount: after.toString(),
      };
      await this.ctx.ledger.putPrivate(collection, key, record);
    }
  }
}
