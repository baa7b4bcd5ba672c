import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  ErrorCode,
  limitPolicyQuerySchema,
  limitPolicySchema,
  limitUsageQuerySchema,
  MarketError,
  RECORD_VERSION,
  type LimitPolicy,
} from '@ecf/common';
import { requireRegulator, resolveCaller } from '../auth/caller';
import { yearOf } from '../compliance/check-transfer';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { keys } from '../ledger/keys';
import { parseJsonArg } from '../input';
import { personUsage } from '../limits/usage';
import { getAccount, getAsset, operatorOf } from '../registry/records';
import { BaseContract, json } from './base';

/**
 * Investor limits across platforms (decision 49): the regulator's yearly caps per retail investor, as a
 * person, counted over every operator. Pledges check and count them (`Campaigns`); this contract sets the
 * caps and lets the supervisors read a person's usage.
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
    return json(await personUsage(ctx, account, req.tokenId, req.issuerAccountId, yearOf(ctx.ledger.now)));
  }
}
