import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  accountFreezeSchema,
  assetQuerySchema,
  ErrorCode,
  forcedTransferSchema,
  haltSchema,
  MarketError,
  operatorCollection,
  partialFreezeSchema,
  RECORD_VERSION,
  type Account,
  type Asset,
  type Campaign,
  type DistributionEscrow,
  type OrderEscrow,
  type SupplyReport,
  type WithdrawalRecord,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { credit } from '../assets/movements';
import { isHalted } from '../compliance/check-transfer';
import { requireRegulator, resolveCaller, type Caller } from '../auth/caller';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { keys, KeyType } from '../ledger/keys';
import { parseJsonArg, transientPayload } from '../input';
import { getAccount, getAsset, getParticipant, listParticipants } from '../registry/records';
import type { PledgeRecord } from './campaigns';
import type { TransitRecord } from './transfers';
import { isWoundDown } from '../wind-down/record';
import { corporateEscrowed } from '../corporate/escrow';
import { escrowRemaining } from '../distributions/payment';
import { BaseContract, json } from './base';

/** A supervisory action, public so every member sees that (and why) the regulator intervened. */
export interface SupervisionRecord {
  v: number;
  txId: string;
  action: 'FREEZE' | 'UNFREEZE' | 'PARTIAL_FREEZE' | 'HALT' | 'RESUME' | 'FORCED_TRANSFER';
  target: string;
  reason: string;
  by: string;
  at: number;
}

/** The regulator's powers over accounts and instruments, and the market-wide invariant checks. */
@Info({ title: 'Supervision', description: 'Freezes, halts, forced transfers, supply invariant' })
export class SupervisionContract extends BaseContract {
  constructor() {
    super('Supervision');
  }

  @Transaction()
  public async FreezeAccount(ctx: MarketContext, input: string): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = parseJsonArg(accountFreezeSchema, input);
    const account = await getAccount(ctx, req.accountId);
    if (account.frozen === req.frozen)
      throw new MarketError(
        ErrorCode.CONFLICT,
        `account ${account.id} is already ${req.frozen ? 'frozen' : 'unfrozen'}`,
      );
    const updated: Account = { ...account, frozen: req.frozen, updatedAt: ctx.ledger.now };
    await ctx.ledger.put(keys.account(ctx.stub, account.id), updated);
    await this.record(ctx, caller, req.frozen ? 'FREEZE' : 'UNFREEZE', account.id, req.reason, [account]);
  }

  /** Freezes an amount of one asset in an account (0 lifts it). Transient `payload`: the amount is private. */
  @Transaction()
  public async SetPartialFreeze(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = transientPayload(ctx, partialFreezeSchema);
    const [account] = await Promise.all([getAccount(ctx, req.accountId), getAsset(ctx, req.assetId)]);
    await new Holdings(ctx).setFrozen(account, req.assetId, BigInt(req.amount));
    await this.record(ctx, caller, 'PARTIAL_FREEZE', account.id, req.reason, [account]);
  }

  @Transaction()
  public async HaltInstrument(ctx: MarketContext, input: string): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = parseJsonArg(haltSchema, input);
    const asset = await getAsset(ctx, req.assetId);
    if (isHalted(asset, ctx.ledger.now) === req.halted) {
      throw new MarketError(ErrorCode.CONFLICT, `${asset.id} is already ${req.halted ? 'halted' : 'trading'}`);
    }
    // A regulator's halt has no end time; resuming also ends any circuit-breaker halt.
    const updated: Asset = {
      ...asset,
      halted: req.halted,
      haltReason: req.halted ? req.reason : '',
      haltedUntil: undefined,
    };
    await ctx.ledger.put(keys.asset(ctx.stub, asset.id), updated);
    await this.record(ctx, caller, req.halted ? 'HALT' : 'RESUME', asset.id, req.reason);
  }

  /**
   * The one override of a holder's will (lost credentials, court order): moves units or money between
   * any two accounts regardless of freezes and holds, never below zero, with the reason on the public
   * record. Transient `payload`.
   */
  @Transaction()
  public async ForcedTransfer(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = transientPayload(ctx, forcedTransferSchema);
    const [from, to, asset] = await Promise.all([
      getAccount(ctx, req.from),
      getAccount(ctx, req.to),
      getAsset(ctx, req.assetId),
    ]);
    if (from.id === to.id)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'sender and receiver are the same account');
    // Even the regulator's override keeps assets in custody: the receiver's operator must bank with the
    // asset's trustee, or the trustee could no longer account for what it holds.
    if ((await getParticipant(ctx, to.operatorMspId)).trusteeMspId !== asset.trusteeMspId) {
      throw new MarketError(
        ErrorCode.COMPLIANCE,
        `${to.id} is not served by ${asset.trusteeMspId}`,
        'CUSTODY_MISMATCH',
      );
    }
    const amount = BigInt(req.amount);
    const holdings = new Holdings(ctx);
    const balance = await holdings.balance(from, asset.id);
    if (balance < amount)
      throw new MarketError(ErrorCode.COMPLIANCE, `balance ${balance} is below ${amount}`, 'INSUFFICIENT_BALANCE');
    // The credit first: it is the side that can be refused (LIMIT_EXCEEDED), and a refusal writes nothing.
    await credit(ctx, holdings, to, asset, amount, 'forced', from.id, ctx.ledger.txId);
    await holdings.apply(from, asset.id, balance, -amount, {
      kind: 'forced',
      counterparty: to.id,
      reference: ctx.ledger.txId,
    });
    await this.record(ctx, caller, 'FORCED_TRANSFER', `${from.id}>${to.id}`, req.reason, [from, to]);
  }

  /**
   * The conservation invariant for one asset: minted minus burned equals the sum of balances, plus what is
   * in transit between operators, plus what pledges, open orders and funded campaigns hold in escrow, plus
   * what large withdrawals under review hold. The regulator sees every collection; a trustee sees those of the operators it serves,
   * which are the only ones its assets can be held in.
   */
  @Transaction(false)
  @Returns('string')
  public async CheckSupply(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(assetQuerySchema, input);
    const asset = await getAsset(ctx, req.assetId);
    if (caller.kind !== 'regulator' && !(caller.kind === 'trustee' && caller.mspId === asset.trusteeMspId)) {
      throw new MarketError(ErrorCode.FORBIDDEN, "only the regulator or the asset's trustee may check its supply");
    }
    let supply = 0n;
    for (const { value } of await ctx.ledger.list<{ delta: string }>(KeyType.SUPPLY, [asset.id]))
      supply += BigInt(value.delta);
    const operators = (await listParticipants(ctx)).filter(
      (p) => p.kind === 'operator' && (caller.kind === 'regulator' || p.trusteeMspId === caller.mspId),
    );
    let held = 0n;
    let inTransit = 0n;
    let escrowed = 0n;
    let pendingWithdrawals = 0n;
    const collections: string[] = [];
    for (const op of operators) {
      // A wound-down operator's customers, records and supply deltas now live in its successor's collection.
      if (await isWoundDown(ctx, op.mspId)) continue;
      const collection = operatorCollection(op.mspId);
      collections.push(collection);
      for (const { value } of await ctx.ledger.listPrivate<{ amount: string }>(collection, KeyType.BALANCE, [
        asset.id,
      ])) {
        held += BigInt(value.amount);
      }
      for (const { value } of await ctx.ledger.listPrivate<{ delta: string }>(collection, KeyType.SUPPLY, [asset.id]))
        supply += BigInt(value.delta);
      for (const { value } of await ctx.ledger.listPrivate<TransitRecord>(collection, KeyType.TRANSIT, [])) {
        if (value.assetId === asset.id) inTransit += BigInt(value.amount);
      }
      // Money escrowed by pledges, and money or units escrowed by open orders.
      for (const { value } of await ctx.ledger.listPrivate<PledgeRecord>(collection, KeyType.PLEDGE, [])) {
        if (value.tokenId === asset.id) escrowed += BigInt(value.amount);
      }
      for (const { value } of await ctx.ledger.listPrivate<OrderEscrow>(collection, KeyType.ORDER_ESCROW, [])) {
        if (value.assetId === asset.id) escrowed += BigInt(value.amount);
      }
      // Tendered units and issuers' offered money held by corporate actions (decision 53).
      escrowed += await corporateEscrowed(ctx, collection, asset.id);
      // The issuers' money escrowed for distributions and not yet paid or returned (decision 51).
      for (const { value } of await ctx.ledger.listPrivate<DistributionEscrow>(
        collection,
        KeyType.DISTRIBUTION_ESCROW,
        [],
      )) {
        if (value.tokenId === asset.id) escrowed += escrowRemaining(value);
      }
      for (const { value } of await ctx.ledger.listPrivate<WithdrawalRecord>(collection, KeyType.WITHDRAWAL, [])) {
        if (value.tokenId === asset.id && value.status === 'PENDING') pendingWithdrawals += BigInt(value.amount);
      }
    }
    // Units minted into campaigns and not yet allocated or burned.
    for (const { value } of await ctx.ledger.list<Campaign>(KeyType.CAMPAIGN, [])) {
      if (value.classId === asset.id) escrowed += BigInt(value.escrowUnits);
    }
    const report: SupplyReport = {
      assetId: asset.id,
      supply: supply.toString(),
      held: held.toString(),
      inTransit: inTransit.toString(),
      escrowed: escrowed.toString(),
      pendingWithdrawals: pendingWithdrawals.toString(),
      consistent: supply === held + inTransit + escrowed + pendingWithdrawals && held >= 0n,
      collections,
    };
    return json(report);
  }

  /**
   * The instrument's public history: definition changes (halts) and the public supply changes (campaign
   * escrow). A customer's mints and burns are private to its operator's collection; CheckSupply sums them.
   */
  @Transaction(false)
  @Returns('string')
  public async GetInstrumentHistory(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    const req = parseJsonArg(assetQuerySchema, input);
    const asset = await getAsset(ctx, req.assetId);
    const changes = await ctx.ledger.history<Asset>(keys.asset(ctx.stub, asset.id));
    const supply = await ctx.ledger.list<{ delta: string }>(KeyType.SUPPLY, [asset.id]);
    return json({ assetId: asset.id, changes, supply: supply.map((s) => ({ key: s.key, delta: s.value.delta })) });
  }

  @Transaction(false)
  @Returns('string')
  public async ListActions(ctx: MarketContext): Promise<string> {
    await resolveCaller(ctx);
    return json((await ctx.ledger.list<SupervisionRecord>(KeyType.SUPERVISION, [])).map((e) => e.value));
  }

  private async record(
    ctx: MarketContext,
    caller: Caller,
    action: SupervisionRecord['action'],
    target: string,
    reason: string,
    /** Accounts the action touches: their operators are named in the event, so their feeds carry it. */
    accounts: readonly Account[] = [],
  ): Promise<void> {
    const record: SupervisionRecord = {
      v: RECORD_VERSION,
      txId: ctx.ledger.txId,
      action,
      target,
      reason,
      by: caller.mspId,
      at: ctx.ledger.now,
    };
    await ctx.ledger.put(keys.supervision(ctx.stub, ctx.ledger.txId), record);
    const operators = [...new Set(accounts.map((a) => a.operatorMspId))];
    ctx.ledger.emit('SupervisoryAction', {
      action,
      target,
      reason,
      ...(operators[0] ? { operatorMspId: operators[0] } : {}),
      ...(operators[1] ? { counterpartyOperatorMspId: operators[1] } : {}),
    });
  }
}
