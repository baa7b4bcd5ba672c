import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  accountQuerySchema,
  cancelWithdrawalSchema,
  createMoneyTokenSchema,
  depositBatchSchema,
  ErrorCode,
  MarketError,
  moneyMovementSchema,
  RECORD_VERSION,
  tokenQuerySchema,
  withdrawalPolicySchema,
  withdrawalRefSchema,
  type Account,
  type Asset,
  type WithdrawalDecision,
  type WithdrawalResult,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { burn, burnHeld, mint, mintEach } from '../assets/supply';
import { checkCredit, refuseUnless } from '../assets/movements';
import { checkSender } from '../compliance/check-transfer';
import { requireRead, requireRegulator, requireTrustee, resolveCaller, type Caller } from '../auth/caller';
import { needsReview, requirePending, requireWindowPassed, Withdrawals } from '../money/withdrawals';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { keys } from '../ledger/keys';
import { parseJsonArg, transientPayload } from '../input';
import { getAccount, getAsset, getParticipant, operatorOf } from '../registry/records';
import { BaseContract, json } from './base';

/** Money tokens: one per trustee and currency, minted on a real deposit and burned on a withdrawal. */
@Info({ title: 'Money', description: 'Money tokens backed by trust-account balances' })
export class MoneyContract extends BaseContract {
  constructor() {
    super('Money');
  }

  /** Trustee: defines its token for a currency, id `<trusteeMspId>.<CUR>`. */
  @Transaction()
  @Returns('string')
  public async CreateToken(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = parseJsonArg(createMoneyTokenSchema, input);
    const id = `${caller.mspId}.${req.currency}`;
    if (await ctx.ledger.get<Asset>(keys.asset(ctx.stub, id)))
      throw new MarketError(ErrorCode.CONFLICT, `token ${id} exists`);
    const asset: Asset = {
      v: RECORD_VERSION,
      id,
      kind: 'money',
      trusteeMspId: caller.mspId,
      currency: req.currency,
      decimals: req.decimals,
      halted: false,
      haltReason: '',
      createdAt: ctx.ledger.now,
    };
    await ctx.ledger.put(keys.asset(ctx.stub, id), asset);
    ctx.ledger.emit('AssetCreated', { assetId: id, kind: 'money', trusteeMspId: caller.mspId });
    return json(asset);
  }

  /** Trustee: mints when the deposit has arrived in the trust account. Transient `payload`. */
  @Transaction()
  public async Deposit(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = transientPayload(ctx, moneyMovementSchema);
    const [account, token] = await Promise.all([getAccount(ctx, req.accountId), getAsset(ctx, req.tokenId)]);
    this.requireOwnToken(caller.mspId, token);
    const amount = BigInt(req.amount);
    const holdings = new Holdings(ctx);
    refuseUnless(await checkCredit(ctx, holdings, account, token, amount));
    await mint(ctx, holdings, account, token, amount, 'deposit', req.bankReference);
  }

  /**
   * Trustee: mints up to 200 deposits of its token at once (decision 62), each under exactly the checks of
   * `Deposit`. Transient `payload`: { tokenId, deposits: [{ accountId, amount, bankReference }] }, each
   * account once. Every deposit is checked before the first write, so one refused deposit refuses the
   * batch and mints nothing. One supply record per collection holds the sum of its accounts' deposits.
   */
  @Transaction()
  public async DepositBatch(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = transientPayload(ctx, depositBatchSchema);
    const token = await getAsset(ctx, req.tokenId);
    this.requireOwnToken(caller.mspId, token);
    const holdings = new Holdings(ctx);
    const credits: Array<{ account: Account; amount: bigint; reference: string }> = [];
    for (const d of req.deposits) {
      const account = await getAccount(ctx, d.accountId);
      const amount = BigInt(d.amount);
      refuseUnless(await checkCredit(ctx, holdings, account, token, amount));
      credits.push({ account, amount, reference: d.bankReference });
    }
    await mintEach(ctx, holdings, token, credits, 'deposit');
  }

  /**
   * Trustee: burns when the money leaves the trust account for the customer's bank. Transient `payload`.
   * Above the token's threshold the withdrawal is only requested: the amount is held (out of the balance)
   * until the trustee executes it after the review window, or the trustee or the regulator cancels it.
   */
  @Transaction()
  @Returns('string')
  public async Withdraw(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = transientPayload(ctx, moneyMovementSchema);
    const [account, token] = await Promise.all([getAccount(ctx, req.accountId), getAsset(ctx, req.tokenId)]);
    this.requireOwnToken(caller.mspId, token);
    const amount = BigInt(req.amount);
    const holdings = new Holdings(ctx);
    const balance = await holdings.balance(account, token.id);
    refuseUnless(
      await this.checkPayout(ctx, account, token, amount, balance, await holdings.frozen(account, token.id)),
    );
    const withdrawals = new Withdrawals(ctx, holdings);
    const policy = await withdrawals.policy(token);
    if (!needsReview(amount, policy)) {
      await burn(ctx, holdings, account, token, balance, amount, 'withdrawal', req.bankReference);
      return json({ withdrawalId: ctx.ledger.txId, status: 'EXECUTED' } satisfies WithdrawalResult);
    }
    const w = await withdrawals.request(account, token, balance, amount, req.bankReference, policy);
    ctx.ledger.emit('WithdrawalRequested', {
      withdrawalId: w.id,
      collection: Holdings.collectionOf(account),
      custodianMspId: token.trusteeMspId,
      executableFrom: w.executableFrom,
    });
    const result: WithdrawalResult = { withdrawalId: w.id, status: 'PENDING', executableFrom: w.executableFrom };
    return json(result);
  }

  /**
   * Trustee of the token: pays out a held withdrawal once its review window has passed (transaction time).
   * The rules of a withdrawal apply again at this time, except the balance, which the hold already covers.
   * Transient `payload` `{accountId, withdrawalId}`.
   */
  @Transaction()
  @Returns('string')
  public async ExecuteWithdrawal(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = transientPayload(ctx, withdrawalRefSchema);
    const account = await getAccount(ctx, req.accountId);
    const withdrawals = new Withdrawals(ctx, new Holdings(ctx));
    const w = await withdrawals.get(account, req.withdrawalId);
    const token = await getAsset(ctx, w.tokenId);
    this.requireOwnToken(caller.mspId, token);
    requirePending(w);
    requireWindowPassed(w, ctx.ledger.now);
    const amount = BigInt(w.amount);
    refuseUnless(await this.checkPayout(ctx, account, token, amount, amount, 0n));
    const decided = await withdrawals.decide(account, w, 'EXECUTED', caller.mspId);
    await burnHeld(ctx, account, token, amount);
    ctx.ledger.emit('WithdrawalExecuted', { withdrawalId: w.id, collection: Holdings.collectionOf(account) });
    return json(decision(decided.id, 'EXECUTED', ctx, caller.mspId));
  }

  /**
   * The token's trustee or the regulator: cancels a held withdrawal, with a reason, and returns the hold to
   * the balance. Possible until it is executed: an account frozen during the review would otherwise keep
   * its money stuck in the hold. Transient `payload` `{accountId, withdrawalId, reason}` (the reason may
   * concern the customer, so it stays out of the block's public arguments).
   */
  @Transaction()
  @Returns('string')
  public async CancelWithdrawal(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    if (caller.kind !== 'regulator') requireTrustee(caller);
    const req = transientPayload(ctx, cancelWithdrawalSchema);
    const account = await getAccount(ctx, req.accountId);
    const holdings = new Holdings(ctx);
    const withdrawals = new Withdrawals(ctx, holdings);
    const w = await withdrawals.get(account, req.withdrawalId);
    const token = await getAsset(ctx, w.tokenId);
    if (caller.kind !== 'regulator') this.requireOwnToken(caller.mspId, token);
    requirePending(w);
    const amount = BigInt(w.amount);
    const before = await holdings.balance(account, token.id);
    // Before the first write: a refund that cannot fit refuses the whole cancellation.
    Holdings.requireFits(account, token.id, before, amount);
    const decided = await withdrawals.decide(account, w, 'CANCELLED', caller.mspId, req.reason);
    await holdings.apply(account, token.id, before, amount, { kind: 'refund', reference: w.id });
    ctx.ledger.emit('WithdrawalCancelled', {
      withdrawalId: w.id,
      collection: Holdings.collectionOf(account),
      byMspId: caller.mspId,
    });
    return json(decision(decided.id, 'CANCELLED', ctx, caller.mspId));
  }

  /** The account's readers: one held withdrawal, pending or decided. */
  @Transaction(false)
  @Returns('string')
  public async GetWithdrawal(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(withdrawalRefSchema, input);
    const account = await this.readable(ctx, caller, req.accountId);
    return json(await new Withdrawals(ctx, new Holdings(ctx)).get(account, req.withdrawalId));
  }

  /** The account's readers: every held withdrawal of the account, oldest first. */
  @Transaction(false)
  @Returns('string')
  public async ListWithdrawals(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(accountQuerySchema, input);
    const account = await this.readable(ctx, caller, req.accountId);
    const withdrawals = await new Withdrawals(ctx, new Holdings(ctx)).list(account);
    return json({ accountId: account.id, withdrawals });
  }

  /** Regulator: sets a money token's threshold and review window for large withdrawals (public). */
  @Transaction()
  @Returns('string')
  public async SetWithdrawalPolicy(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = parseJsonArg(withdrawalPolicySchema, input);
    const token = await getAsset(ctx, req.tokenId);
    if (token.kind !== 'money') throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${token.id} is not a money token`);
    const withdrawals = new Withdrawals(ctx, new Holdings(ctx));
    const stored = await withdrawals.setPolicy({ ...req, setBy: caller.mspId, setAt: ctx.ledger.now });
    ctx.ledger.emit('WithdrawalPolicySet', {
      tokenId: token.id,
      threshold: stored.threshold,
      reviewSeconds: stored.reviewSeconds,
    });
    return json(await withdrawals.policy(token));
  }

  /** Any member: the policy in force for a money token (the defaults until the regulator sets one). */
  @Transaction(false)
  @Returns('string')
  public async GetWithdrawalPolicy(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    const req = parseJsonArg(tokenQuerySchema, input);
    const token = await getAsset(ctx, req.tokenId);
    if (token.kind !== 'money') throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${token.id} is not a money token`);
    return json(await new Withdrawals(ctx, new Holdings(ctx)).policy(token));
  }

  /**
   * The sender's rules of a payout to the bank. A suspended or offboarding customer may still take its
   * money out; a frozen one may not.
   */
  private async checkPayout(
    ctx: MarketContext,
    account: Account,
    token: Asset,
    amount: bigint,
    balance: bigint,
    frozen: bigint,
  ) {
    const operator = await getParticipant(ctx, account.operatorMspId);
    const active = account.status === 'ACTIVE' ? account : { ...account, status: 'ACTIVE' as const };
    return checkSender(active, operator, token, amount, balance, frozen, ctx.ledger.now);
  }

  private async readable(ctx: MarketContext, caller: Caller, accountId: string): Promise<Account> {
    const account = await getAccount(ctx, accountId);
    requireRead(caller, account, (await operatorOf(ctx, account)).trusteeMspId);
    return account;
  }

  private requireOwnToken(trusteeMspId: string, token: Asset): void {
    if (token.kind !== 'money' || token.trusteeMspId !== trusteeMspId) {
      throw new MarketError(ErrorCode.FORBIDDEN, `${token.id} is not a money token of ${trusteeMspId}`);
    }
  }
}

/** The answer to a decision. The block records it, so it carries nothing of the sealed record but the outcome. */
function decision(
  withdrawalId: string,
  status: WithdrawalDecision['status'],
  ctx: MarketContext,
  by: string,
): WithdrawalDecision {
  return { withdrawalId, status, decidedAt: ctx.ledger.now, decidedBy: by };
}
