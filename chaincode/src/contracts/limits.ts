import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  ErrorCode,
  limitCheckQuerySchema,
  limitDecideSchema,
  limitPolicyQuerySchema,
  limitPolicySchema,
  limitReviewSchema,
  limitUsageQuerySchema,
  MarketError,
  operatorCollection,
  RECORD_VERSION,
  type LimitPolicy,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { requireRead, requireRegulator, resolveCaller, type Caller } from '../auth/caller';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { keys } from '../ledger/keys';
import { parseJsonArg, transientPayload } from '../input';
import { checkOf, decideClaim, personUsage, reviewPending } from '../limits/claims';
import { applyDecision } from '../limits/decisions';
import { getAccount, getAsset, getParticipant, operatorOf } from '../registry/records';
import { BaseContract, json } from './base';

/**
 * Investor limits across platforms (decision 49): the regulator's yearly caps per retail investor, as a
 * person, counted over every operator. A capped pledge or buy opens a claim (`Campaigns`, `Market`); the
 * custodian trustee reviews pending claims on its own peer (`Review`, a query) and records its decisions
 * (`Decide`), each touching only the decided investment's keys.
 */
@Info({ title: 'Limits', description: 'Cross-platform investment caps for retail investors' })
export class LimitsContract extends BaseContract {
  constructor() {
    super('Limits');
  }

  /** Regulator: the caps of a money token, from now on (usage before the first policy is not counted). */
  @Transaction()
  @Returns('string')
  public async SetPolicy(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = parseJsonArg(limitPolicySchema, input);
    const token = await getAsset(ctx, req.tokenId);
    if (token.kind !== 'money') throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${token.id} is not a money token`);
    if (BigInt(req.perIssuerPerYear) > BigInt(req.totalPerYear)) {
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'perIssuerPerYear cannot be above totalPerYear');
    }
    const policy: LimitPolicy = {
      v: RECORD_VERSION,
      tokenId: token.id,
      totalPerYear: req.totalPerYear,
      perIssuerPerYear: req.perIssuerPerYear,
      reason: req.reason,
      setBy: caller.mspId,
      setAt: ctx.ledger.now,
    };
    await ctx.ledger.put(keys.limitPolicy(ctx.stub, token.id), policy);
    ctx.ledger.emit('LimitPolicySet', {
      tokenId: token.id,
      totalPerYear: policy.totalPerYear,
      perIssuerPerYear: policy.perIssuerPerYear,
    });
    return json(policy);
  }

  /** Any member: the caps of a money token (public by design: every investor may know them). */
  @Transaction(false)
  @Returns('string')
  public async GetPolicy(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    const req = parseJsonArg(limitPolicyQuerySchema, input);
    const policy = await ctx.ledger.get<LimitPolicy>(keys.limitPolicy(ctx.stub, req.tokenId));
    if (!policy) throw new MarketError(ErrorCode.NOT_FOUND, `no investor limits for ${req.tokenId}`);
    return json(policy);
  }

  /**
   * The regulator, or the trustee of the account's operator: a person's usage this year, across every
   * operator. Never an operator: the figure includes what the person did at its competitors.
   */
  @Transaction(false)
  @Returns('string')
  public async GetUsage(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(limitUsageQuerySchema, input);
    const account = await getAccount(ctx, req.accountId);
    const trustee = (await operatorOf(ctx, account)).trusteeMspId;
    if (!(caller.kind === 'regulator' || (caller.kind === 'trustee' && caller.mspId === trustee))) {
      throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} may not read investor-limit usage`);
    }
    await getAsset(ctx, req.tokenId);
    return json(await personUsage(ctx, account, req.tokenId, req.issuerAccountId));
  }

  /**
   * A trustee, as a query on its own peer: its decisions on the pending claims in the tokens it keeps, oldest
   * first, against each person's confirmed claims at every operator it serves. Submitting them is `Decide`.
   */
  @Transaction(false)
  @Returns('string')
  public async Review(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    this.requireActiveTrustee(caller);
    if (ctx.ledger.peerMspId !== caller.mspId) {
      throw new MarketError(
        ErrorCode.FORBIDDEN,
        `review on ${caller.mspId}'s own peer, which holds its operators' data`,
      );
    }
    const req = parseJsonArg(limitReviewSchema, input || '{}');
    return json({ decisions: await reviewPending(ctx, caller.mspId, req.max) });
  }

  /**
   * The custodian trustee records its decisions on pending claims of one operator's customers (transient
   * `payload`): a confirmed pledge counts at settlement and a confirmed buy joins the book; a refused one is
   * refunded or cancelled. A claim no longer pending (withdrawn meanwhile, or decided already) is skipped.
   * The answer is a count: the block's readers are every member.
   */
  @Transaction()
  @Returns('string')
  public async Decide(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    this.requireActiveTrustee(caller);
    const req = transientPayload(ctx, limitDecideSchema);
    const operatorMspId = req.decisions[0]?.operatorMspId ?? '';
    if (req.decisions.some((d) => d.operatorMspId !== operatorMspId)) {
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, "one Decide carries one operator's claims");
    }
    const operator = await getParticipant(ctx, operatorMspId);
    if (operator.kind !== 'operator' || operator.trusteeMspId !== caller.mspId) {
      throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} does not serve ${operatorMspId}`);
    }
    const holdings = new Holdings(ctx);
    let decided = 0;
    for (const d of req.decisions) {
      const claim = await decideClaim(ctx, caller.mspId, d);
      if (!claim) continue;
      await applyDecision(ctx, holdings, operatorMspId, claim);
      decided += 1;
    }
    ctx.ledger.emit('PrivateMovement', { kind: 'limit-checked', collection: operatorCollection(operatorMspId) });
    return json({ decided });
  }

  /** The investor, its operator, the operator's trustee or the regulator: where one investment's check stands. */
  @Transaction(false)
  @Returns('string')
  public async GetCheck(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, limitCheckQuerySchema);
    const account = await getAccount(ctx, req.accountId);
    requireRead(caller, account, (await operatorOf(ctx, account)).trusteeMspId);
    return json(await checkOf(ctx, account, req.investmentId));
  }

  private requireActiveTrustee(caller: Caller): void {
    if (caller.kind !== 'trustee' || caller.participant.status !== 'ACTIVE') {
      throw new MarketError(ErrorCode.FORBIDDEN, 'only an active trustee checks investor limits');
    }
  }
}
