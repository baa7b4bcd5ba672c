import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  actionRefSchema,
  advanceActionSchema,
  announceDelistingSchema,
  announceSplitSchema,
  announceTenderSchema,
  buybackPolicySchema,
  buybackQuerySchema,
  ComplianceCode,
  ErrorCode,
  idSchema,
  KeyType,
  MarketError,
  operatorCollection,
  RECORD_VERSION,
  tenderSchema,
  type Account,
  type Asset,
  type BuybackPolicy,
  type CorporateAction,
  type TenderRef,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { requireWithinLimit } from '../assets/limits';
import { checkDebit } from '../assets/movements';
import { requireActFor, requireRegulator, resolveCaller, type Caller } from '../auth/caller';
import { isHalted } from '../compliance/check-transfer';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import {
  accountsAfter,
  blockerOf,
  cancelOrders,
  openOrdersOfClass,
  rescalePrices,
  SupplyDeltas,
} from '../corporate/batches';
import { buybackAllowance } from '../corporate/buyback';
import { getEscrow, ISSUER_OFFER, putEscrow } from '../corporate/escrow';
import { splitHolding, splitResidual, tenderAccepted } from '../corporate/rules';
import { keys, privateKeys } from '../ledger/keys';
import { parse, parseJsonArg, transientPayload } from '../input';
import { getAccount, getAsset } from '../registry/records';
import { BaseContract, json } from './base';

/** The running private state of an action, in the issuer's collection: sums that would reveal holdings. */
interface ActionState {
  v: number;
  /** SPLIT: Σ (h·N mod M) over the holdings scaled so far. */
  remainder?: string;
  /** TENDER: units tendered in total (TALLY), and the running total of tenders allocated (ALLOCATE). */
  tendered?: string;
  allocated?: string;
}

const MOVE = { kind: 'corporate-action' } as const;

/**
 * Corporate actions after an offering (decisions 52–54): splits and consolidations, tender offers,
 * delisting with an optional final redemption, and the regulator's open-market buyback limit. The issuer
 * announces, itself or through its operator; the class's custodian trustee, a member of every collection
 * the class is held in, executes in bounded batches (`Advance`) that resume from the public record.
 */
@Info({ title: 'CorporateActions', description: 'Splits, tender offers, delisting, buyback limits' })
export class CorporateActionsContract extends BaseContract {
  constructor() {
    super('CorporateActions');
  }

  /** The issuer or its operator announces a split or consolidation N:M of its class. */
  @Transaction()
  @Returns('string')
  public async AnnounceSplit(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(announceSplitSchema, input);
    if (req.numerator === req.denominator)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'numerator: N:M must change the holdings');
    const { shareClass } = await this.announcer(ctx, caller, req.actionId, req.classId);
    return this.announce(ctx, caller, shareClass, {
      id: req.actionId,
      kind: 'SPLIT',
      reason: req.reason,
      numerator: req.numerator,
      denominator: req.denominator,
    });
  }

  /** The issuer or its operator offers to buy up to `maxUnits` at `price`; the money is escrowed now. */
  @Transaction()
  @Returns('string')
  public async AnnounceTender(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(announceTenderSchema, input);
    const { shareClass, issuer } = await this.announcer(ctx, caller, req.actionId, req.classId);
    const token = await this.settlementToken(ctx, req.tokenId, shareClass);
    if (req.closesAt <= ctx.ledger.now)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'closesAt is not in the future');
    const amount = BigInt(req.price) * BigInt(req.maxUnits);
    requireWithinLimit(amount, `the money offered by ${req.actionId}`);
    const holdings = new Holdings(ctx);
    const balance = await checkDebit(ctx, holdings, issuer, token, amount);
    const record = await this.announce(ctx, caller, shareClass, {
      id: req.actionId,
      kind: 'TENDER',
      reason: req.reason,
      tokenId: token.id,
      price: req.price,
      maxUnits: req.maxUnits,
      closesAt: req.closesAt,
    });
    await holdings.apply(issuer, token.id, balance, -amount, { ...MOVE, reference: req.actionId });
    await putEscrow(ctx, Holdings.collectionOf(issuer), {
      actionId: req.actionId,
      escrowId: ISSUER_OFFER,
      accountId: issuer.id,
      assetId: token.id,
      amount: amount.toString(),
    });
    return record;
  }

  /** The issuer or its operator announces a delisting, with an optional final redemption. */
  @Transaction()
  @Returns('string')
  public async AnnounceDelisting(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(announceDelistingSchema, input);
    const { shareClass } = await this.announcer(ctx, caller, req.actionId, req.classId);
    if (req.redemption) await this.settlementToken(ctx, req.redemption.tokenId, shareClass);
    return this.announce(ctx, caller, shareClass, {
      id: req.actionId,
      kind: 'DELISTING',
      reason: req.reason,
      tokenId: req.redemption?.tokenId,
      price: req.redemption?.price,
    });
  }

  /** An investor (own account) or its operator tenders units; they are escrowed until settlement. Transient `payload`. */
  @Transaction()
  @Returns('string')
  public async Tender(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, tenderSchema);
    const [account, action] = await Promise.all([getAccount(ctx, req.accountId), this.action(ctx, req.actionId)]);
    requireActFor(caller, account);
    if (action.kind !== 'TENDER')
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${action.id} is not a tender offer`);
    if (action.phase !== 'ANNOUNCED' || ctx.ledger.now >= (action.closesAt ?? 0))
      throw new MarketError(ErrorCode.CONFLICT, `tender offer ${action.id} is closed`);
    if (account.id === action.issuerAccountId)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'the issuer does not tender to its own offer');
    const shareClass = await getAsset(ctx, action.classId);
    const units = BigInt(req.units);
    const holdings = new Holdings(ctx);
    const balance = await checkDebit(ctx, holdings, account, shareClass, units);
    const tenderId = ctx.ledger.txId;
    await holdings.apply(account, shareClass.id, balance, -units, { ...MOVE, reference: action.id });
    await putEscrow(ctx, Holdings.collectionOf(account), {
      actionId: action.id,
      escrowId: tenderId,
      accountId: account.id,
      assetId: shareClass.id,
      amount: units.toString(),
    });
    const ref: TenderRef = { v: RECORD_VERSION, actionId: action.id, tenderId, operatorMspId: account.operatorMspId };
    await ctx.ledger.put(keys.tenderRef(ctx.stub, action.id, tenderId), ref);
    ctx.ledger.emit('Tendered', { actionId: action.id, tenderId, operatorMspId: account.operatorMspId });
    return tenderId;
  }

  /** The class's custodian trustee runs the next batch of an action; call again until its phase is DONE. */
  @Transaction()
  @Returns('string')
  public async Advance(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(advanceActionSchema, input);
    const action = await this.action(ctx, req.actionId);
    const shareClass = await getAsset(ctx, action.classId);
    if (caller.kind !== 'trustee' || caller.mspId !== action.trusteeMspId || caller.participant.status !== 'ACTIVE')
      throw new MarketError(ErrorCode.FORBIDDEN, `only ${action.trusteeMspId} executes ${action.id}`);
    if (action.phase === 'DONE') throw new MarketError(ErrorCode.CONFLICT, `${action.id} is done`);
    const next: CorporateAction = { ...action };
    if (action.kind === 'TENDER') await this.advanceTender(ctx, next, req.max);
    else await this.advanceLocked(ctx, next, shareClass, req.max);
    next.updatedAt = ctx.ledger.now;
    if (next.phase === 'DONE') {
      next.completedAt = ctx.ledger.now;
      await this.emitAction(ctx, next, 'COMPLETED');
    }
    await ctx.ledger.put(keys.corporateAction(ctx.stub, next.id), next);
    return json(next);
  }

  @Transaction(false)
  @Returns('string')
  public async Get(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    return json(await this.action(ctx, parseJsonArg(actionRefSchema, input).actionId));
  }

  @Transaction(false)
  @Returns('string')
  public async ListForClass(ctx: MarketContext, classId: string): Promise<string> {
    await resolveCaller(ctx);
    const id = parse(idSchema, classId);
    return json(
      (await ctx.ledger.list<CorporateAction>(KeyType.CORPORATE_ACTION, []))
        .map((e) => e.value)
        .filter((a) => a.classId === id),
    );
  }

  /** Regulator: the issuer's daily maximum of buy orders of its class, as a share of average daily volume. */
  @Transaction()
  public async SetBuybackPolicy(ctx: MarketContext, input: string): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = parseJsonArg(buybackPolicySchema, input);
    const shareClass = await getAsset(ctx, req.classId);
    if (shareClass.kind !== 'equity')
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${shareClass.id} is not a share class`);
    const policy: BuybackPolicy = { v: RECORD_VERSION, ...req, setBy: caller.mspId, at: ctx.ledger.now };
    await ctx.ledger.put(keys.buybackPolicy(ctx.stub, shareClass.id), policy);
    ctx.ledger.emit('BuybackPolicySet', {
      classId: shareClass.id,
      maxBps: req.maxBps,
      windowDays: req.windowDays,
      reason: req.reason,
    });
  }

  /**
   * Today's buyback allowance of the class's issuer. The limit and volume are public (trades are); the units
   * used are the issuer's, so only its readers see them: the issuer, its operator, the trustee, the regulator.
   */
  @Transaction(false)
  @Returns('string')
  public async GetBuybackAllowance(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(buybackQuerySchema, input);
    const shareClass = await getAsset(ctx, req.classId);
    if (shareClass.kind !== 'equity' || !shareClass.issuerAccountId)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${shareClass.id} is not a share class`);
    const issuer = await getAccount(ctx, shareClass.issuerAccountId);
    const reads =
      caller.kind === 'regulator' ||
      (caller.kind === 'trustee' && caller.mspId === shareClass.trusteeMspId) ||
      (caller.kind === 'operator' && caller.mspId === issuer.operatorMspId) ||
      (caller.kind === 'enduser' && caller.accountId === issuer.id);
    if (!reads) throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} may not read ${issuer.id}'s buybacks`);
    const allowance = await buybackAllowance(ctx, issuer, shareClass);
    if (!allowance) throw new MarketError(ErrorCode.NOT_FOUND, `no buyback limit is set for ${shareClass.id}`);
    return json(allowance);
  }

  /** Split and delisting: lock the class, cancel its open orders, then scale or redeem account by account. */
  private async advanceLocked(ctx: MarketContext, a: CorporateAction, shareClass: Asset, max: number): Promise<void> {
    const budget = max;
    if (a.phase === 'ANNOUNCED') {
      if (shareClass.delistedAt !== undefined)
        throw new MarketError(ErrorCode.CONFLICT, `${shareClass.id} is delisted`);
      if (shareClass.lockedBy !== undefined && shareClass.lockedBy !== a.id)
        throw new MarketError(ErrorCode.CONFLICT, `${shareClass.id} is locked by ${shareClass.lockedBy}`);
      const blocker = await blockerOf(ctx, a);
      if (blocker) throw new MarketError(ErrorCode.CONFLICT, blocker);
      const locked: Asset =
        a.kind === 'DELISTING' ? { ...shareClass, delistedAt: ctx.ledger.now } : { ...shareClass, lockedBy: a.id };
      await ctx.ledger.put(keys.asset(ctx.stub, shareClass.id), locked);
      a.phase = 'RELEASING';
    }
    if (a.phase === 'RELEASING') {
      const orders = await openOrdersOfClass(ctx, a.classId, budget);
      await cancelOrders(ctx, orders);
      a.ordersCancelled += orders.length;
      // The next phase starts with the next call, so that a batch refused there (a redemption the issuer
      // cannot pay) is refused before it writes anything.
      if (orders.length < budget) a.phase = a.kind === 'SPLIT' || a.price !== undefined ? 'APPLYING' : 'DONE';
      return;
    }
    const accounts = await accountsAfter(ctx, a.trusteeMspId, a.cursor, budget);
    if (a.kind === 'SPLIT') await this.scale(ctx, a, shareClass, accounts);
    else await this.redeem(ctx, a, shareClass, accounts);
    if (accounts.length < budget) {
      if (a.kind === 'SPLIT') await this.finishSplit(ctx, a, await getAsset(ctx, a.classId));
      a.phase = 'DONE';
    }
  }

  /** Every holding h becomes floor(h·N/M); partial freezes of the class scale the same way (decision 52). */
  private async scale(ctx: MarketContext, a: CorporateAction, shareClass: Asset, accounts: Account[]): Promise<void> {
    const n = BigInt(a.numerator ?? 1);
    const m = BigInt(a.denominator ?? 1);
    const holdings = new Holdings(ctx);
    const supply = new SupplyDeltas();
    let remainder = 0n;
    for (const account of accounts) {
      a.cursor = account.id;
      const before = await holdings.balance(account, shareClass.id);
      if (before === 0n) continue;
      const { after, remainder: r } = splitHolding(before, n, m);
      remainder += r;
      if (after !== before) {
        await holdings.apply(account, shareClass.id, before, after - before, { ...MOVE, reference: a.id });
        supply.add(account, after - before);
      }
      const frozen = await holdings.frozen(account, shareClass.id);
      if (frozen > 0n) await holdings.setFrozen(account, shareClass.id, splitHolding(frozen, n, m).after);
      a.accountsProcessed += 1;
    }
    await supply.write(ctx, shareClass.id);
    if (remainder > 0n) {
      const issuer = await getAccount(ctx, a.issuerAccountId);
      const state = await this.state(ctx, issuer, a.id);
      await this.putState(ctx, issuer, a.id, {
        ...state,
        remainder: (BigInt(state.remainder ?? '0') + remainder).toString(),
      });
    }
  }

  /** The fractions' whole units go to the issuer; prices follow the ratio; the class trades again. */
  private async finishSplit(ctx: MarketContext, a: CorporateAction, shareClass: Asset): Promise<void> {
    const n = BigInt(a.numerator ?? 1);
    const m = BigInt(a.denominator ?? 1);
    const issuer = await getAccount(ctx, a.issuerAccountId);
    const state = await this.state(ctx, issuer, a.id);
    const residual = splitResidual(BigInt(state.remainder ?? '0'), m);
    if (residual > 0n) {
      const holdings = new Holdings(ctx);
      const before = await holdings.balance(issuer, shareClass.id);
      await holdings.apply(issuer, shareClass.id, before, residual, { ...MOVE, reference: a.id });
      const supply = new SupplyDeltas();
      supply.add(issuer, residual);
      await supply.write(ctx, shareClass.id);
    }
    a.residualUnits = residual.toString();
    await rescalePrices(ctx, shareClass, n, m);
    const { lockedBy: _unlocked, ...rest } = shareClass;
    await ctx.ledger.put(keys.asset(ctx.stub, shareClass.id), rest);
  }

  /**
   * The final redemption: each holder is paid the price per unit from the issuer's balance and its units are
   * burned. The issuer's own units are burned unpaid. A frozen holding (account frozen, or a partial freeze
   * of the class) stays on the register, counted as skipped, for the regulator to decide (decision 54).
   */
  private async redeem(ctx: MarketContext, a: CorporateAction, shareClass: Asset, accounts: Account[]): Promise<void> {
    const price = BigInt(a.price ?? '0');
    const token = await getAsset(ctx, a.tokenId ?? '');
    const issuer = await getAccount(ctx, a.issuerAccountId);
    const holdings = new Holdings(ctx);
    const supply = new SupplyDeltas();
    // Reads and checks first: a batch the issuer cannot pay is refused before anything is written.
    const plan: Array<{ account: Account; units: bigint; skip: boolean }> = [];
    let due = 0n;
    for (const account of accounts) {
      const units = await holdings.balance(account, shareClass.id);
      const skip = account.id !== issuer.id && (account.frozen || (await holdings.frozen(account, shareClass.id)) > 0n);
      if (units > 0n && !skip && account.id !== issuer.id) due += units * price;
      plan.push({ account, units, skip });
    }
    if ((await holdings.balance(issuer, token.id)) < due) {
      throw new MarketError(
        ErrorCode.COMPLIANCE,
        `the issuer's balance of ${token.id} does not cover this batch of the redemption`,
        ComplianceCode.INSUFFICIENT_BALANCE,
      );
    }
    for (const { account, units, skip } of plan) {
      a.cursor = account.id;
      if (units === 0n) continue;
      if (skip) {
        a.accountsSkipped += 1;
        continue;
      }
      if (account.id !== issuer.id) {
        const pay = units * price;
        const issuerMoney = await holdings.balance(issuer, token.id);
        const received = await holdings.balance(account, token.id);
        Holdings.requireFits(account, token.id, received, pay);
        await holdings.apply(issuer, token.id, issuerMoney, -pay, {
          ...MOVE,
          counterparty: account.id,
          reference: a.id,
        });
        await holdings.apply(account, token.id, received, pay, { ...MOVE, counterparty: issuer.id, reference: a.id });
      }
      await holdings.apply(account, shareClass.id, units, -units, { ...MOVE, reference: a.id });
      supply.add(account, -units);
      a.accountsProcessed += 1;
    }
    await supply.write(ctx, shareClass.id);
  }

  /** Tender offer settlement: count every tender (TALLY), then buy pro rata (ALLOCATE), then refund the rest. */
  private async advanceTender(ctx: MarketContext, a: CorporateAction, max: number): Promise<void> {
    if (a.phase === 'ANNOUNCED') {
      if (ctx.ledger.now < (a.closesAt ?? 0))
        throw new MarketError(ErrorCode.CONFLICT, `tender offer ${a.id} is open until ${a.closesAt}`);
      a.phase = 'TALLY';
    }
    const issuer = await getAccount(ctx, a.issuerAccountId);
    const state = await this.state(ctx, issuer, a.id);
    const refs = await this.tendersAfter(ctx, a, max);
    if (a.phase === 'TALLY') {
      let tendered = BigInt(state.tendered ?? '0');
      for (const ref of refs) {
        const escrow = await getEscrow(ctx, operatorCollection(ref.operatorMspId), a.id, ref.tenderId);
        tendered += BigInt(escrow?.amount ?? '0');
        a.cursor = ref.tenderId;
        a.tendersProcessed += 1;
      }
      if (refs.length < max) {
        const maxUnits = BigInt(a.maxUnits ?? '0');
        a.unitsTendered = tendered.toString();
        a.unitsBought = (tendered < maxUnits ? tendered : maxUnits).toString();
        a.phase = 'ALLOCATE';
        a.cursor = undefined;
        a.tendersProcessed = 0;
      }
      await this.putState(ctx, issuer, a.id, { ...state, tendered: tendered.toString() });
      return;
    }
    await this.allocate(ctx, a, issuer, state, refs);
    if (refs.length < max) {
      const collection = Holdings.collectionOf(issuer);
      const offer = await getEscrow(ctx, collection, a.id, ISSUER_OFFER);
      const left = BigInt(offer?.amount ?? '0');
      if (left > 0n) {
        const holdings = new Holdings(ctx);
        const before = await holdings.balance(issuer, a.tokenId ?? '');
        await holdings.apply(issuer, a.tokenId ?? '', before, left, { kind: 'refund', reference: a.id });
        await putEscrow(ctx, collection, { ...(offer as NonNullable<typeof offer>), amount: '0' });
      }
      a.phase = 'DONE';
    }
  }

  /** Each tender: the bought units are burned and paid from the issuer's escrow; the rest go back. */
  private async allocate(
    ctx: MarketContext,
    a: CorporateAction,
    issuer: Account,
    state: ActionState,
    refs: TenderRef[],
  ): Promise<void> {
    const tendered = BigInt(state.tendered ?? '0');
    const maxUnits = BigInt(a.maxUnits ?? '0');
    const price = BigInt(a.price ?? '0');
    const holdings = new Holdings(ctx);
    const supply = new SupplyDeltas();
    const offerCollection = Holdings.collectionOf(issuer);
    let allocated = BigInt(state.allocated ?? '0');
    let paid = 0n;
    for (const ref of refs) {
      a.cursor = ref.tenderId;
      a.tendersProcessed += 1;
      const collection = operatorCollection(ref.operatorMspId);
      const escrow = await getEscrow(ctx, collection, a.id, ref.tenderId);
      if (!escrow) continue;
      const units = BigInt(escrow.amount);
      const bought = tenderAccepted(allocated, units, tendered, maxUnits);
      allocated += units;
      const account = await getAccount(ctx, escrow.accountId);
      await putEscrow(ctx, collection, { ...escrow, amount: '0' });
      if (units > bought) {
        const before = await holdings.balance(account, a.classId);
        await holdings.apply(account, a.classId, before, units - bought, { kind: 'refund', reference: a.id });
      }
      if (bought > 0n) {
        supply.add(account, -bought);
        const money = await holdings.balance(account, a.tokenId ?? '');
        await holdings.apply(account, a.tokenId ?? '', money, bought * price, {
          ...MOVE,
          counterparty: issuer.id,
          reference: a.id,
        });
        paid += bought * price;
      }
    }
    await supply.write(ctx, a.classId);
    if (paid > 0n) {
      const offer = await getEscrow(ctx, offerCollection, a.id, ISSUER_OFFER);
      const left = BigInt(offer?.amount ?? '0') - paid;
      if (!offer || left < 0n) throw new MarketError(ErrorCode.INTERNAL, `the escrow of ${a.id} would go negative`);
      await putEscrow(ctx, offerCollection, { ...offer, amount: left.toString() });
    }
    await this.putState(ctx, issuer, a.id, { ...state, allocated: allocated.toString() });
  }

  private async tendersAfter(ctx: MarketContext, a: CorporateAction, max: number): Promise<TenderRef[]> {
    return (await ctx.ledger.list<TenderRef>(KeyType.TENDER_REF, [a.id]))
      .map((e) => e.value)
      .filter((r) => a.cursor === undefined || r.tenderId > a.cursor)
      .slice(0, max);
  }

  /** The class, its issuer, and the caller's right to announce for it: the issuer itself or its operator. */
  private async announcer(
    ctx: MarketContext,
    caller: Caller,
    actionId: string,
    classId: string,
  ): Promise<{ shareClass: Asset; issuer: Account }> {
    const shareClass = await getAsset(ctx, classId);
    if (shareClass.kind !== 'equity' || !shareClass.issuerAccountId)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${classId} is not a share class`);
    const issuer = await getAccount(ctx, shareClass.issuerAccountId);
    requireActFor(caller, issuer);
    if (await ctx.ledger.get(keys.corporateAction(ctx.stub, actionId)))
      throw new MarketError(ErrorCode.CONFLICT, `corporate action ${actionId} exists`);
    if (shareClass.delistedAt !== undefined) throw new MarketError(ErrorCode.CONFLICT, `${classId} is delisted`);
    return { shareClass, issuer };
  }

  private async settlementToken(ctx: MarketContext, tokenId: string, shareClass: Asset): Promise<Asset> {
    const token = await getAsset(ctx, tokenId);
    if (token.kind !== 'money' || token.trusteeMspId !== shareClass.trusteeMspId)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${tokenId} does not settle ${shareClass.id}`);
    if (isHalted(token, ctx.ledger.now)) throw new MarketError(ErrorCode.CONFLICT, `${tokenId} is halted`);
    return token;
  }

  private async announce(
    ctx: MarketContext,
    caller: Caller,
    shareClass: Asset,
    terms: Pick<CorporateAction, 'id' | 'kind' | 'reason'> & Partial<CorporateAction>,
  ): Promise<string> {
    const record: CorporateAction = {
      v: RECORD_VERSION,
      classId: shareClass.id,
      issuerAccountId: shareClass.issuerAccountId ?? '',
      trusteeMspId: shareClass.trusteeMspId,
      phase: 'ANNOUNCED',
      announcedBy: caller.mspId,
      announcedAt: ctx.ledger.now,
      ordersCancelled: 0,
      accountsProcessed: 0,
      tendersProcessed: 0,
      accountsSkipped: 0,
      updatedAt: ctx.ledger.now,
      ...terms,
    };
    await ctx.ledger.put(keys.corporateAction(ctx.stub, record.id), record);
    await this.emitAction(ctx, record, 'ANNOUNCED');
    return json(record);
  }

  /** One event per announcement and completion: the audit relay files each as a CORPORATE_ACTION record. */
  private async emitAction(ctx: MarketContext, a: CorporateAction, stage: 'ANNOUNCED' | 'COMPLETED'): Promise<void> {
    const issuer = await getAccount(ctx, a.issuerAccountId);
    ctx.ledger.emit('CorporateAction', {
      actionId: a.id,
      kind: a.kind,
      stage,
      classId: a.classId,
      operatorMspId: issuer.operatorMspId,
      trusteeMspId: a.trusteeMspId,
      reason: a.reason,
      ...(a.numerator !== undefined ? { ratio: `${a.numerator}:${a.denominator}` } : {}),
      ...(a.price !== undefined ? { price: a.price, tokenId: a.tokenId } : {}),
      ...(a.maxUnits !== undefined ? { maxUnits: a.maxUnits } : {}),
      ...(a.unitsTendered !== undefined ? { unitsTendered: a.unitsTendered, unitsBought: a.unitsBought } : {}),
      ...(a.residualUnits !== undefined ? { residualUnits: a.residualUnits } : {}),
      ordersCancelled: a.ordersCancelled,
      accountsProcessed: a.accountsProcessed,
      accountsSkipped: a.accountsSkipped,
    });
  }

  private async action(ctx: MarketContext, id: string): Promise<CorporateAction> {
    const a = await ctx.ledger.get<CorporateAction>(keys.corporateAction(ctx.stub, id));
    if (!a) throw new MarketError(ErrorCode.NOT_FOUND, `corporate action ${id} not found`);
    return a;
  }

  private async state(ctx: MarketContext, issuer: Account, actionId: string): Promise<ActionState> {
    return (
      (await ctx.ledger.getPrivate<ActionState>(
        Holdings.collectionOf(issuer),
        privateKeys.corporateState(actionId),
      )) ?? {
        v: RECORD_VERSION,
      }
    );
  }

  private async putState(ctx: MarketContext, issuer: Account, actionId: string, state: ActionState): Promise<void> {
    await ctx.ledger.putPrivate(Holdings.collectionOf(issuer), privateKeys.corporateState(actionId), state);
  }
}
