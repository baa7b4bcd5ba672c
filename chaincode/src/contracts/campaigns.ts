import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  campaignRefSchema,
  closeCampaignEarlySchema,
  ErrorCode,
  MarketError,
  operatorCollection,
  pledgeSchema,
  proposeCampaignSchema,
  RECORD_VERSION,
  settleBatchSchema,
  withdrawPledgeSchema,
  type Account,
  type Campaign,
  type CampaignSettlement,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { requireWithinLimit, withinLimit } from '../assets/limits';
import { recordCampaignSupplyChange } from '../assets/supply';
import { capUsedFor, checkCredit, checkDebit, credit, refuseUnless } from '../assets/movements';
import { requireActFor, requireRead, resolveCaller, type Caller } from '../auth/caller';
import { checkReceiver } from '../compliance/check-transfer';
import { requireCurrentOffering } from '../documents/current';
import { openClaim, returnToClaim } from '../limits/claims';
import { refundPledge } from '../offering/refund';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { keys, KeyType, privateKeys, type PrivateKey } from '../ledger/keys';
import { parseJsonArg, transientPayload } from '../input';
import { allocate } from '../offering/allocation';
import { earlyCloseAt, reopened, reopensBelowMinimum } from '../offering/early-close';
import { campaignView } from '../offering/view';
import { getAccount, getAsset, getParticipant } from '../registry/records';
import { BaseContract, json } from './base';

/** A pledge: money escrowed from an investor's balance, in the investor's operator collection. */
export interface PledgeRecord {
  v: number;
  id: string;
  campaignId: string;
  accountId: string;
  tokenId: string;
  amount: string;
  units: string;
  at: number;
  /** The year whose cross-platform caps this pledge counts against (decision 49); absent when no cap applied. */
  limitYear?: number;
  /** With `limitYear`: PENDING until the custodian trustee has checked the caps, then CONFIRMED. */
  limitCheck?: 'PENDING' | 'CONFIRMED';
}

/** Public index entry of a pledge: which collection holds it, nothing about who or how much. */
export interface PledgeRef {
  v: number;
  campaignId: string;
  pledgeId: string;
  operatorMspId: string;
}

/**
 * All-or-nothing primary offerings. The issuer proposes, its operator approves, the trustee mints the
 * units on offer into the campaign's escrow; investors pledge money (escrowed in their own operator's
 * collection, one key per pledge) and may withdraw within the cooling-off period. After the close time the
 * custodian trustee or the regulator settles in bounded batches: a tally, then allocation (or refunds).
 */
@Info({ title: 'Campaigns', description: 'Equity crowdfunding campaigns: pledges, escrow, all-or-nothing settlement' })
export class CampaignsContract extends BaseContract {
  constructor() {
    super('Campaigns');
  }

  /** The issuer (its own account) or its operator proposes a campaign on one of the issuer's classes. */
  @Transaction()
  @Returns('string')
  public async Propose(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(proposeCampaignSchema, input);
    const shareClass = await getAsset(ctx, req.classId);
    if (shareClass.kind !== 'equity' || !shareClass.issuerAccountId) {
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${req.classId} is not a share class`);
    }
    const issuer = await getAccount(ctx, shareClass.issuerAccountId);
    requireActFor(caller, issuer);
    const token = await getAsset(ctx, req.tokenId);
    if (token.kind !== 'money' || token.trusteeMspId !== shareClass.trusteeMspId) {
      throw new MarketError(
        ErrorCode.INVALID_ARGUMENT,
        `${req.tokenId} is not a money token of ${shareClass.trusteeMspId}`,
      );
    }
    if (
      BigInt(req.minPledge) % BigInt(req.pricePerUnit) !== 0n ||
      BigInt(req.maxPledge) % BigInt(req.pricePerUnit) !== 0n
    ) {
      throw new MarketError(
        ErrorCode.INVALID_ARGUMENT,
        'minPledge and maxPledge must be whole multiples of pricePerUnit',
      );
    }
    if (req.closeAt <= ctx.ledger.now)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'closeAt is not in the future');
    // Settlement pays the issuer up to this much in one balance: refuse the terms now rather than leave a
    // closed campaign that cannot settle.
    requireWithinLimit(
      BigInt(req.maxUnits) * BigInt(req.pricePerUnit),
      `the most campaign ${req.campaignId} can raise (maxUnits × pricePerUnit)`,
    );
    const key = keys.campaign(ctx.stub, req.campaignId);
    if (await ctx.ledger.get<Campaign>(key))
      throw new MarketError(ErrorCode.CONFLICT, `campaign ${req.campaignId} exists`);
    const now = ctx.ledger.now;
    const campaign: Campaign = {
      v: RECORD_VERSION,
      id: req.campaignId,
      classId: shareClass.id,
      issuerAccountId: issuer.id,
      operatorMspId: issuer.operatorMspId,
      trusteeMspId: shareClass.trusteeMspId,
      tokenId: token.id,
      pricePerUnit: req.pricePerUnit,
      minUnits: req.minUnits,
      maxUnits: req.maxUnits,
      openAt: req.openAt,
      closeAt: req.closeAt,
      minPledge: req.minPledge,
      maxPledge: req.maxPledge,
      perInvestorCap: req.perInvestorCap,
      allowedInvestorClasses: req.allowedInvestorClasses,
      coolingOffSeconds: req.coolingOffSeconds,
      status: 'PROPOSED',
      escrowUnits: '0',
      createdAt: now,
      updatedAt: now,
    };
    await ctx.ledger.put(key, campaign);
    ctx.ledger.emit('CampaignProposed', {
      campaignId: campaign.id,
      classId: campaign.classId,
      operatorMspId: campaign.operatorMspId,
    });
    return json(campaignView(campaign));
  }

  /** The issuer's operator approves (or rejects) the proposal after its due diligence. */
  @Transaction()
  public async Approve(ctx: MarketContext, input: string): Promise<void> {
    await this.review(ctx, input, 'APPROVED');
  }

  @Transaction()
  public async Reject(ctx: MarketContext, input: string): Promise<void> {
    await this.review(ctx, input, 'REJECTED');
  }

  /** The class's trustee mints the units on offer into the campaign's escrow; pledging can start at openAt. */
  @Transaction()
  public async Fund(ctx: MarketContext, input: string): Promise<void> {
    const caller = await resolveCaller(ctx);
    const { campaignId } = parseJsonArg(campaignRefSchema, input);
    const campaign = await this.get(ctx, campaignId);
    if (caller.kind !== 'trustee' || caller.mspId !== campaign.trusteeMspId || caller.participant.status !== 'ACTIVE') {
      throw new MarketError(ErrorCode.FORBIDDEN, `only ${campaign.trusteeMspId} may fund campaign ${campaign.id}`);
    }
    if (campaign.status !== 'APPROVED')
      throw new MarketError(ErrorCode.CONFLICT, `campaign ${campaign.id} is ${campaign.status}`);
    await recordCampaignSupplyChange(ctx, campaign.classId, BigInt(campaign.maxUnits));
    await this.save(ctx, { ...campaign, status: 'FUNDED', escrowUnits: campaign.maxUnits });
    ctx.ledger.emit('CampaignFunded', { campaignId: campaign.id, units: campaign.maxUnits });
  }

  /** Investor (own account) or its operator: pledge money. Transient `payload` {campaignId, accountId, amount}. */
  @Transaction()
  @Returns('string')
  public async Pledge(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, pledgeSchema);
    const [campaign, account] = await Promise.all([this.get(ctx, req.campaignId), getAccount(ctx, req.accountId)]);
    requireActFor(caller, account);
    const now = ctx.ledger.now;
    if (campaign.status !== 'FUNDED' || now < campaign.openAt || now >= campaign.closeAt) {
      throw new MarketError(ErrorCode.CONFLICT, `campaign ${campaign.id} is not open for pledges`);
    }
    const amount = BigInt(req.amount);
    const price = BigInt(campaign.pricePerUnit);
    if (amount % price !== 0n)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `amount must be a whole multiple of ${price}`);
    if (amount < BigInt(campaign.minPledge) || amount > BigInt(campaign.maxPledge)) {
      throw new MarketError(
        ErrorCode.INVALID_ARGUMENT,
        `a pledge is between ${campaign.minPledge} and ${campaign.maxPledge}`,
      );
    }
    if (account.type !== 'investor' || !campaign.allowedInvestorClasses.includes(account.kyc.investorClass)) {
      throw new MarketError(
        ErrorCode.COMPLIANCE,
        `${account.kyc.investorClass} investors may not pledge`,
        'INVESTOR_CLASS_NOT_ALLOWED',
      );
    }
    const holdings = new Holdings(ctx);
    const collection = Holdings.collectionOf(account);
    // Only this investor's own running total is read: no pledge of anyone else touches it.
    const totalKey = privateKeys.pledgeTotal(campaign.id, account.id);
    const pledgedBefore = BigInt(
      (await ctx.ledger.getPrivate<{ amount: string }>(collection, totalKey))?.amount ?? '0',
    );
    if (campaign.perInvestorCap !== undefined && pledgedBefore + amount > BigInt(campaign.perInvestorCap)) {
      throw new MarketError(
        ErrorCode.COMPLIANCE,
        `pledges above ${campaign.perInvestorCap} per investor`,
        'INVESTMENT_CAP_EXCEEDED',
      );
    }
    const [shareClass, token, operator, custodian] = await Promise.all([
      getAsset(ctx, campaign.classId),
      getAsset(ctx, campaign.tokenId),
      getParticipant(ctx, account.operatorMspId),
      getParticipant(ctx, campaign.trusteeMspId),
    ]);
    const units = amount / price;
    const pledgedUnitsBefore = pledgedBefore / price;
    const capUsed = await capUsedFor(holdings, account, shareClass, now);
    refuseUnless(checkReceiver(account, operator, shareClass, custodian, units + pledgedUnitsBefore, capUsed, now));
    const balance = await checkDebit(ctx, holdings, account, token, amount);
    const claim = await openClaim(ctx, account, {
      kind: 'pledge',
      id: ctx.ledger.txId,
      tokenId: token.id,
      issuerAccountId: campaign.issuerAccountId,
      amount,
      campaignId: campaign.id,
    });
    const pledge: PledgeRecord = {
      v: RECORD_VERSION,
      id: ctx.ledger.txId,
      campaignId: campaign.id,
      accountId: account.id,
      tokenId: token.id,
      amount: amount.toString(),
      units: units.toString(),
      at: now,
      ...(claim ? { limitYear: claim.year, limitCheck: 'PENDING' as const } : {}),
    };
    await holdings.apply(account, token.id, balance, -amount, { kind: 'pledge', reference: campaign.id });
    await ctx.ledger.putPrivate(collection, privateKeys.pledge(campaign.id, pledge.id), pledge);
    await ctx.ledger.putPrivate(collection, totalKey, {
      v: RECORD_VERSION,
      amount: (pledgedBefore + amount).toString(),
    });
    const ref: PledgeRef = {
      v: RECORD_VERSION,
      campaignId: campaign.id,
      pledgeId: pledge.id,
      operatorMspId: account.operatorMspId,
    };
    await ctx.ledger.put(keys.pledgeRef(ctx.stub, campaign.id, pledge.id), ref);
    ctx.ledger.emit('PrivateMovement', { kind: 'pledge', collection });
    return pledge.id;
  }

  /** Investor or its operator: withdraw a pledge within the cooling-off period. Transient `payload`. */
  @Transaction()
  public async WithdrawPledge(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, withdrawPledgeSchema);
    const [campaign, account] = await Promise.all([this.get(ctx, req.campaignId), getAccount(ctx, req.accountId)]);
    requireActFor(caller, account);
    // The campaign's state first: settlement deletes the pledges it settles, and a pledge that was settled
    // is final (CONFLICT), not unknown.
    const now = ctx.ledger.now;
    if (campaign.status !== 'FUNDED' || now >= campaign.closeAt) {
      throw new MarketError(ErrorCode.CONFLICT, `campaign ${campaign.id} has closed; pledges are final`);
    }
    const collection = Holdings.collectionOf(account);
    const key = privateKeys.pledge(campaign.id, req.pledgeId);
    const pledge = await ctx.ledger.getPrivate<PledgeRecord>(collection, key);
    if (!pledge || pledge.accountId !== account.id) {
      const withdrawn = await ctx.ledger.getPrivate<{ accountId: string }>(
        collection,
        privateKeys.pledgeWithdrawn(campaign.id, req.pledgeId),
      );
      if (withdrawn?.accountId === account.id)
        throw new MarketError(ErrorCode.CONFLICT, `pledge ${req.pledgeId} is already withdrawn`);
      throw new MarketError(ErrorCode.NOT_FOUND, `pledge ${req.pledgeId} not found`);
    }
    if (now > pledge.at + campaign.coolingOffSeconds) {
      throw new MarketError(ErrorCode.CONFLICT, `the cooling-off period of pledge ${pledge.id} ended`);
    }
    await refundPledge(ctx, new Holdings(ctx), collection, account, pledge);
    await ctx.ledger.putPrivate(collection, privateKeys.pledgeWithdrawn(campaign.id, pledge.id), {
      v: RECORD_VERSION,
      accountId: account.id,
      at: now,
    });
    ctx.ledger.emit('PrivateMovement', { kind: 'pledge-withdrawn', collection });
  }

  /**
   * After the close time, the custodian trustee or the regulator (the only clients that may read every
   * collection holding pledges) settles the campaign, at most `batchSize` pledges per transaction.
   * Call it until the status is SUCCEEDED or FAILED (or FUNDED again: a campaign closed early below its minimum
   * reopens, decision 64); every call continues where the last one stopped.
   */
  @Transaction()
  @Returns('string')
  public async Settle(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(settleBatchSchema, input);
    let campaign = await this.get(ctx, req.campaignId);
    const custodian =
      caller.kind === 'trustee' && caller.mspId === campaign.trusteeMspId && caller.participant.status === 'ACTIVE';
    if (!custodian && caller.kind !== 'regulator') {
      throw new MarketError(ErrorCode.FORBIDDEN, `only ${campaign.trusteeMspId} or the regulator may settle`);
    }
    if (campaign.status === 'SUCCEEDED' || campaign.status === 'FAILED') return json(campaignView(campaign));
    if (campaign.status !== 'FUNDED' && campaign.status !== 'SETTLING') {
      throw new MarketError(ErrorCode.CONFLICT, `campaign ${campaign.id} is ${campaign.status}`);
    }
    if (ctx.ledger.now < campaign.closeAt)
      throw new MarketError(ErrorCode.CONFLICT, `campaign ${campaign.id} closes at ${campaign.closeAt}`);
    if (campaign.status === 'FUNDED') {
      campaign = {
        ...campaign,
        status: 'SETTLING',
        settlement: {
          phase: 'TALLY',
          lastKey: '',
          pledgesProcessed: 0,
          totalUnits: '0',
          cumulativeUnits: '0',
          unitsAllocated: '0',
          moneyToIssuer: '0',
        },
      };
    }
    // A batch writes some ten keys per pledge: sent to the peer together at the end (decision 59).
    ctx.ledger.deferWrites();
    const settled = await new Settlement(ctx, campaign).run(req.batchSize);
    await this.save(ctx, settled);
    if (settled.status === 'FUNDED') {
      ctx.ledger.emit('CampaignReopened', { campaignId: settled.id, closeAt: settled.closeAt });
      return json(campaignView(settled));
    }
    ctx.ledger.emit('CampaignSettlement', {
      campaignId: settled.id,
      status: settled.status,
      phase: settled.settlement?.phase,
      pledgesProcessed: settled.settlement?.pledgesProcessed,
    });
    return json(campaignView(settled));
  }

  /**
   * The issuer's operator closes an open campaign before its deadline (decision 64). It writes only the
   * campaign record, which every pledge reads but none writes: pledges still never conflict with each other.
   * Whether the minimum was reached is decided by the tally at the new close, which reopens the campaign
   * until its original deadline if not.
   */
  @Transaction()
  @Returns('string')
  public async CloseEarly(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(closeCampaignEarlySchema, input);
    const campaign = await this.get(ctx, req.campaignId);
    requireCampaignOperator(caller, campaign, `close campaign ${campaign.id} early`);
    const now = ctx.ledger.now;
    const closeAt = earlyCloseAt(campaign, await getAsset(ctx, campaign.classId), now, req.closeAt);
    const originalCloseAt = campaign.earlyClose?.originalCloseAt ?? campaign.closeAt;
    const closed: Campaign = { ...campaign, closeAt, earlyClose: { at: now, by: caller.mspId, originalCloseAt } };
    await this.save(ctx, closed);
    ctx.ledger.emit('CampaignClosedEarly', {
      campaignId: campaign.id,
      operatorMspId: caller.mspId,
      closeAt,
      originalCloseAt,
    });
    return json(campaignView({ ...closed, updatedAt: now }));
  }

  @Transaction(false)
  @Returns('string')
  public async Get(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    return json(campaignView(await this.get(ctx, parseJsonArg(campaignRefSchema, input).campaignId)));
  }

  /** Every campaign (campaigns are public: terms, status, settlement progress). */
  @Transaction(false)
  @Returns('string')
  public async List(ctx: MarketContext): Promise<string> {
    await resolveCaller(ctx);
    return json((await ctx.ledger.list<Campaign>(KeyType.CAMPAIGN, [])).map((c) => campaignView(c.value)));
  }

  /** An account's own pledges to a campaign (its readers only). */
  @Transaction(false)
  @Returns('string')
  public async ListPledges(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, pledgeSchema.pick({ campaignId: true, accountId: true }).strict());
    const account = await getAccount(ctx, req.accountId);
    const operator = await getParticipant(ctx, account.operatorMspId);
    requireRead(caller, account, operator.trusteeMspId);
    const pledges = await ctx.ledger.listPrivate<PledgeRecord>(Holdings.collectionOf(account), KeyType.PLEDGE, [
      req.campaignId,
    ]);
    return json(pledges.map((p) => p.value).filter((p) => p.accountId === account.id));
  }

  private async review(ctx: MarketContext, input: string, status: 'APPROVED' | 'REJECTED'): Promise<void> {
    const caller = await resolveCaller(ctx);
    const { campaignId } = parseJsonArg(campaignRefSchema, input);
    const campaign = await this.get(ctx, campaignId);
    requireCampaignOperator(caller, campaign, `review campaign ${campaign.id}`);
    if (campaign.status !== 'PROPOSED')
      throw new MarketError(ErrorCode.CONFLICT, `campaign ${campaign.id} is ${campaign.status}`);
    if (status === 'APPROVED') await requireCurrentOffering(ctx, campaign.classId);
    await this.save(ctx, { ...campaign, status });
    ctx.ledger.emit(status === 'APPROVED' ? 'CampaignApproved' : 'CampaignRejected', { campaignId: campaign.id });
  }

  private async get(ctx: MarketContext, id: string): Promise<Campaign> {
    const c = await ctx.ledger.get<Campaign>(keys.campaign(ctx.stub, id));
    if (!c) throw new MarketError(ErrorCode.NOT_FOUND, `campaign ${id} not found`);
    return c;
  }

  private async save(ctx: MarketContext, campaign: Campaign): Promise<void> {
    await ctx.ledger.put(keys.campaign(ctx.stub, campaign.id), { ...campaign, updatedAt: ctx.ledger.now });
  }
}

/** The campaign's own operator, active, or FORBIDDEN naming what `action` it may not take. */
function requireCampaignOperator(caller: Caller, campaign: Campaign, action: string): void {
  if (caller.kind !== 'operator' || caller.mspId !== campaign.operatorMspId || caller.participant.status !== 'ACTIVE')
    throw new MarketError(ErrorCode.FORBIDDEN, `only ${campaign.operatorMspId} may ${action}`);
}

/**
 * One settlement batch: walks the public pledge index in key order from the cursor, reading each pledge by
 * point. What a batch costs grows with its own pledges only: the index is read from the cursor up to the
 * batch's last pledge, and the issuer is paid once (decision 59).
 */
class Settlement {
  private readonly holdings: Holdings;
  private c: Campaign;
  private s: CampaignSettlement;
  /** Money allocated in this batch and not yet paid to the issuer. */
  private toIssuer = 0n;

  constructor(
    private readonly ctx: MarketContext,
    campaign: Campaign,
  ) {
    this.holdings = new Holdings(ctx);
    this.c = campaign;
    if (!campaign.settlement) throw new MarketError(ErrorCode.INTERNAL, 'settlement state missing');
    this.s = { ...campaign.settlement };
  }

  async run(budget: number): Promise<Campaign> {
    let left = budget;
    while (left > 0 && this.s.phase !== 'DONE' && this.c.status === 'SETTLING') {
      // The public pledge index, in key order from the cursor, and no further than this batch goes; private
      // data is only read by point (see KeyType.PLEDGE_REF).
      const pending = await this.ctx.ledger.listAfterKey<PledgeRef>(
        KeyType.PLEDGE_REF,
        [this.c.id],
        this.s.lastKey,
        left,
      );
      await this.prefetch(pending.map((e) => e.value));
      for (const { key, value } of pending) {
        const collection = operatorCollection(value.operatorMspId);
        const pledgeKey = privateKeys.pledge(this.c.id, value.pledgeId);
        const pledge = await this.ctx.ledger.getPrivate<PledgeRecord>(collection, pledgeKey);
        if (!pledge) throw new MarketError(ErrorCode.INTERNAL, `pledge ${value.pledgeId} missing from ${collection}`);
        await this.process(collection, pledgeKey, pledge, key);
        this.s = { ...this.s, lastKey: key, pledgesProcessed: this.s.pledgesProcessed + 1 };
      }
      // Fewer than asked for: the index has nothing after the cursor, so this pass is over (without
      // reading the range once more).
      if (pending.length < left) await this.endOfPass();
      left -= pending.length;
    }
    await this.payIssuer();
    // Reopened after an early close below the minimum: the tally is discarded (decision 64).
    if (this.c.status === 'FUNDED') return this.c;
    return { ...this.c, settlement: this.s };
  }

  /**
   * Reads what the batch's pledges need a collection at a time, one peer call each instead of one per record
   * (decision 59): the pledges; past the tally, their accounts, then the balances `process` will read (the
   * class where the allocation gives units, the money where it refunds) and the movement counters. The units
   * are those `process` computes, from the same cumulative total, so these are the records it reads.
   */
  private async prefetch(refs: PledgeRef[]): Promise<void> {
    const { ledger } = this.ctx;
    const located = refs.map((r) => ({
      collection: operatorCollection(r.operatorMspId),
      key: privateKeys.pledge(this.c.id, r.pledgeId),
    }));
    await ledger.prefetchPrivate(located);
    if (this.s.phase === 'TALLY') return;
    const pledges: PledgeRecord[] = [];
    for (const { collection, key } of located) {
      const pledge = await ledger.getPrivate<PledgeRecord>(collection, key);
      if (pledge) pledges.push(pledge);
    }
    await ledger.prefetch([...new Set(pledges.map((p) => keys.account(this.ctx.stub, p.accountId)))]);
    const accounts = new Map<string, Account>();
    for (const p of pledges)
      if (!accounts.has(p.accountId)) accounts.set(p.accountId, await getAccount(this.ctx, p.accountId));
    const price = BigInt(this.c.pricePerUnit);
    let cumulative = BigInt(this.s.cumulativeUnits);
    const units: Account[] = [];
    const money: Account[] = [];
    for (const p of pledges) {
      const account = accounts.get(p.accountId) as Account;
      let allocated = 0n;
      if (this.s.phase === 'ALLOCATE') {
        allocated = allocate(BigInt(p.units), cumulative, BigInt(this.s.totalUnits), BigInt(this.c.maxUnits));
        cumulative += BigInt(p.units);
      }
      if (allocated > 0n) units.push(account);
      if (BigInt(p.amount) > allocated * price) money.push(account);
    }
    await this.holdings.prefetchBalances(units, this.c.classId);
    await this.holdings.prefetchBalances(money, this.c.tokenId);
    await this.holdings.prefetchMovementSeqs([...accounts.values()]);
  }

  private async process(collection: string, key: PrivateKey, pledge: PledgeRecord, refKey: string): Promise<void> {
    if (this.s.phase === 'TALLY') {
      // Counting a pledge the caps may still refuse would skew every allocation; the trustee's check runs
      // within seconds of a pledge, so the settler tries again.
      if (pledge.limitCheck === 'PENDING') {
        throw new MarketError(
          ErrorCode.CONFLICT,
          `pledge ${pledge.id} awaits the investor-limit check of ${this.c.trusteeMspId}; settle again once it is decided`,
        );
      }
      this.s.totalUnits = (BigInt(this.s.totalUnits) + BigInt(pledge.units)).toString();
      return;
    }
    const account = await getAccount(this.ctx, pledge.accountId);
    const amount = BigInt(pledge.amount);
    let units = 0n;
    if (this.s.phase === 'ALLOCATE') {
      const cumulative = BigInt(this.s.cumulativeUnits);
      units = allocate(BigInt(pledge.units), cumulative, BigInt(this.s.totalUnits), BigInt(this.c.maxUnits));
      this.s.cumulativeUnits = (cumulative + BigInt(pledge.units)).toString();
      const shareClass = await getAsset(this.ctx, this.c.classId);
      // An investor who became ineligible since pledging gets the money back; the units stay unsold.
      if (units > 0n && !(await checkCredit(this.ctx, this.holdings, account, shareClass, units)).allowed) units = 0n;
      // Likewise one whose holding of the class could not take the units (2^63-1): failing the batch
      // instead would leave the campaign unable to settle.
      if (units > 0n && !withinLimit((await this.holdings.balance(account, shareClass.id)) + units)) units = 0n;
      if (units > 0n) {
        await credit(
          this.ctx,
          this.holdings,
          account,
          shareClass,
          units,
          'settlement',
          this.c.issuerAccountId,
          this.c.id,
        );
        this.c.escrowUnits = (BigInt(this.c.escrowUnits) - units).toString();
        this.s.unitsAllocated = (BigInt(this.s.unitsAllocated) + units).toString();
        this.toIssuer += units * BigInt(this.c.pricePerUnit);
      }
    }
    const refund = amount - units * BigInt(this.c.pricePerUnit);
    if (refund > 0n) {
      const before = await this.holdings.balance(account, pledge.tokenId);
      await this.holdings.apply(account, pledge.tokenId, before, refund, { kind: 'refund', reference: this.c.id });
      if (pledge.limitYear !== undefined) await returnToClaim(this.ctx, collection, pledge.id, refund);
    }
    await this.ctx.ledger.deletePrivate(collection, key);
    await this.ctx.ledger.delete(refKey);
  }

  /**
   * The issuer is paid once per batch, the sum of the batch's allocations: one balance write and one
   * movement instead of one per pledge, in the same transaction that deletes the pledges, so the money
   * never leaves the supply's view (pledge escrow in, issuer balance out).
   */
  private async payIssuer(): Promise<void> {
    if (this.toIssuer === 0n) return;
    const amount = this.toIssuer;
    this.toIssuer = 0n;
    const issuer: Account = await getAccount(this.ctx, this.c.issuerAccountId);
    const before = await this.holdings.balance(issuer, this.c.tokenId);
    await this.holdings.apply(issuer, this.c.tokenId, before, amount, { kind: 'settlement', reference: this.c.id });
    this.s.moneyToIssuer = (BigInt(this.s.moneyToIssuer) + amount).toString();
  }

  /** Every collection walked: after the tally decide the outcome; after allocation or refunds, finish. */
  private async endOfPass(): Promise<void> {
    if (this.s.phase === 'TALLY') {
      const reached = BigInt(this.s.totalUnits) >= BigInt(this.c.minUnits) && BigInt(this.s.totalUnits) > 0n;
      if (!reached && reopensBelowMinimum(this.c, this.ctx.ledger.now)) {
        this.c = reopened(this.c, this.ctx.ledger.now);
        return;
      }
      this.s = {
        ...this.s,
        phase: reached ? 'ALLOCATE' : 'REFUND',
        lastKey: '',
        pledgesTotal: this.s.pledgesProcessed,
      };
      return;
    }
    const unsold = BigInt(this.c.escrowUnits);
    if (unsold > 0n) {
      await recordCampaignSupplyChange(this.ctx, this.c.classId, -unsold);
    }
    const outcome = this.s.phase === 'ALLOCATE' ? 'SUCCEEDED' : 'FAILED';
    this.c = { ...this.c, escrowUnits: '0', status: outcome };
    this.s = { ...this.s, phase: 'DONE', outcome };
  }
}
