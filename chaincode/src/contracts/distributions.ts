import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  declareDistributionSchema,
  distributionRefSchema,
  ErrorCode,
  escrowFor,
  KeyType,
  MarketError,
  operatorCollection,
  payDistributionSchema,
  RECORD_VERSION,
  topUpDistributionSchema,
  type Account,
  type Distribution,
  type DistributionEscrow,
  type DistributionSchedule,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { requireWithinLimit } from '../assets/limits';
import { refuseUnless } from '../assets/movements';
import { requireTrustee, resolveCaller, type Caller } from '../auth/caller';
import { checkSender } from '../compliance/check-transfer';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { payBatch } from '../distributions/payment';
import { keys, privateKeys } from '../ledger/keys';
import { parseJsonArg } from '../input';
import { getAccount, getAsset, getParticipant } from '../registry/records';
import { BaseContract, json } from './base';

/**
 * Distributions (dividends) paid at a record time (decision 51). The issuer declares through its operator,
 * whose transaction escrows the issuer's money in the issuer's own collection; holdings at the record time
 * are kept by copy on write (`distributions/snapshot.ts`); the class's trustee, a member of every operator
 * collection it serves, pays in bounded batches and returns the residual to the issuer.
 */
@Info({
  title: 'Distributions',
  description: 'Dividends: declaration with escrow, record-time entitlement, batched payment',
})
export class DistributionsContract extends BaseContract {
  constructor() {
    super('Distributions');
  }

  /** The issuer's operator declares a distribution; the issuer's money for it is escrowed now. */
  @Transaction()
  @Returns('string')
  public async Declare(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(declareDistributionSchema, input);
    const shareClass = await getAsset(ctx, req.classId);
    if (shareClass.kind !== 'equity' || !shareClass.issuerAccountId) {
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${req.classId} is not a share class`);
    }
    const issuer = await getAccount(ctx, shareClass.issuerAccountId);
    this.requireIssuersOperator(caller, issuer);
    const token = await getAsset(ctx, req.tokenId);
    if (token.kind !== 'money' || token.trusteeMspId !== shareClass.trusteeMspId) {
      throw new MarketError(
        ErrorCode.INVALID_ARGUMENT,
        `${req.tokenId} is not a money token of ${shareClass.trusteeMspId}`,
      );
    }
    const now = ctx.ledger.now;
    if (req.recordAt <= now) throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'recordAt is not in the future');
    if (req.payAt < req.recordAt) throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'payAt is before recordAt');
    const key = keys.distribution(ctx.stub, req.distributionId);
    if (await ctx.ledger.get<Distribution>(key)) {
      throw new MarketError(ErrorCode.CONFLICT, `distribution ${req.distributionId} exists`);
    }
    const amount = escrowFor(BigInt(req.declaredUnits), req.amountPerUnit);
    requireWithinLimit(amount, `the escrow of distribution ${req.distributionId}`);
    await this.escrowFromIssuer(ctx, issuer, token.id, amount, req.distributionId);
    const escrow: DistributionEscrow = {
      v: RECORD_VERSION,
      distributionId: req.distributionId,
      tokenId: token.id,
      issuerAccountId: issuer.id,
      escrowed: amount.toString(),
      paid: '0',
      accountsPaid: 0,
      withheld: '0',
      done: false,
    };
    await ctx.ledger.putPrivate(
      operatorCollection(issuer.operatorMspId),
      privateKeys.distributionEscrow(req.distributionId),
      escrow,
    );
    const d: Distribution = {
      v: RECORD_VERSION,
      id: req.distributionId,
      classId: shareClass.id,
      tokenId: token.id,
      issuerAccountId: issuer.id,
      operatorMspId: issuer.operatorMspId,
      trusteeMspId: shareClass.trusteeMspId,
      amountPerUnit: req.amountPerUnit,
      declaredUnits: req.declaredUnits,
      escrowed: amount.toString(),
      recordAt: req.recordAt,
      payAt: req.payAt,
      status: 'DECLARED',
      accountsWalked: 0,
      declaredAt: now,
    };
    await ctx.ledger.put(key, d);
    const scheduleKey = keys.distributionSchedule(ctx.stub, shareClass.id);
    const schedule = (await ctx.ledger.get<DistributionSchedule>(scheduleKey)) ?? {
      v: RECORD_VERSION,
      classId: shareClass.id,
      pending: [],
    };
    await ctx.ledger.put(scheduleKey, {
      ...schedule,
      pending: [...schedule.pending, { distributionId: d.id, recordAt: d.recordAt }],
    });
    ctx.ledger.emit('DistributionDeclared', this.eventOf(d));
    return json(d);
  }

  /** The issuer's operator adds money to the escrow (the holdings exceeded the declared units). */
  @Transaction()
  @Returns('string')
  public async TopUp(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(topUpDistributionSchema, input);
    const d = await this.get(ctx, req.distributionId);
    const issuer = await getAccount(ctx, d.issuerAccountId);
    this.requireIssuersOperator(caller, issuer);
    if (d.status === 'PAID') throw new MarketError(ErrorCode.CONFLICT, `distribution ${d.id} is paid`);
    const amount = BigInt(req.amount);
    const total = BigInt(d.escrowed) + amount;
    requireWithinLimit(total, `the escrow of distribution ${d.id}`);
    const escrow = await this.escrow(ctx, d);
    await this.escrowFromIssuer(ctx, issuer, d.tokenId, amount, d.id);
    await ctx.ledger.putPrivate(operatorCollection(issuer.operatorMspId), privateKeys.distributionEscrow(d.id), {
      ...escrow,
      escrowed: (BigInt(escrow.escrowed) + amount).toString(),
    });
    const updated: Distribution = { ...d, escrowed: total.toString() };
    await ctx.ledger.put(keys.distribution(ctx.stub, d.id), updated);
    ctx.ledger.emit('DistributionToppedUp', this.eventOf(d));
    return json(updated);
  }

  /** The class's trustee pays one batch of accounts, from payAt on; the last batch returns the residual. */
  @Transaction()
  @Returns('string')
  public async Pay(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = parseJsonArg(payDistributionSchema, input);
    const d = await this.get(ctx, req.distributionId);
    if (caller.mspId !== d.trusteeMspId)
      throw new MarketError(ErrorCode.FORBIDDEN, `only ${d.trusteeMspId} may pay distribution ${d.id}`);
    if (d.status === 'PAID') throw new MarketError(ErrorCode.CONFLICT, `distribution ${d.id} is paid`);
    const now = ctx.ledger.now;
    if (now < d.payAt) throw new MarketError(ErrorCode.CONFLICT, `distribution ${d.id} is payable from ${d.payAt}`);
    const issuer = await getAccount(ctx, d.issuerAccountId);
    // A batch writes three keys per account paid: sent to the peer together at the end (decision 60).
    ctx.ledger.deferWrites();
    const { escrow, walked, last } = await payBatch(ctx, d, await this.escrow(ctx, d), req.max);
    let final = escrow;
    if (last) {
      const residual = BigInt(escrow.escrowed) - BigInt(escrow.paid);
      if (residual > 0n) {
        const holdings = new Holdings(ctx);
        const balance = await holdings.balance(issuer, d.tokenId);
        await holdings.apply(issuer, d.tokenId, balance, residual, { kind: 'distribution', reference: d.id });
      }
      final = { ...escrow, residual: residual.toString(), done: true };
      await this.unschedule(ctx, d);
    }
    await ctx.ledger.putPrivate(operatorCollection(issuer.operatorMspId), privateKeys.distributionEscrow(d.id), final);
    const updated: Distribution = {
      ...d,
      status: last ? 'PAID' : 'PAYING',
      cursor: walked.at(-1)?.id ?? d.cursor,
      accountsWalked: d.accountsWalked + walked.length,
      ...(last ? { paidAt: now } : {}),
    };
    await ctx.ledger.put(keys.distribution(ctx.stub, d.id), updated);
    ctx.ledger.emit(last ? 'DistributionPaid' : 'DistributionBatchPaid', {
      ...this.eventOf(d),
      accountsWalked: updated.accountsWalked,
    });
    return json(updated);
  }

  @Transaction(false)
  @Returns('string')
  public async Get(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    return json(await this.get(ctx, parseJsonArg(distributionRefSchema, input).distributionId));
  }

  @Transaction(false)
  @Returns('string')
  public async List(ctx: MarketContext): Promise<string> {
    await resolveCaller(ctx);
    return json((await ctx.ledger.list<Distribution>(KeyType.DISTRIBUTION, [])).map((e) => e.value));
  }

  private requireIssuersOperator(caller: Caller, issuer: Account): void {
    if (caller.kind !== 'operator' || caller.mspId !== issuer.operatorMspId || caller.participant.status !== 'ACTIVE') {
      throw new MarketError(ErrorCode.FORBIDDEN, `only ${issuer.operatorMspId} declares for issuer ${issuer.id}`);
    }
  }

  /** Moves the issuer's money into the escrow, under the rules of any payment out of its account. */
  private async escrowFromIssuer(
    ctx: MarketContext,
    issuer: Account,
    tokenId: string,
    amount: bigint,
    distributionId: string,
  ): Promise<void> {
    const holdings = new Holdings(ctx);
    const [token, operator] = await Promise.all([getAsset(ctx, tokenId), getParticipant(ctx, issuer.operatorMspId)]);
    const balance = await holdings.balance(issuer, tokenId);
    refuseUnless(
      checkSender(issuer, operator, token, amount, balance, await holdings.frozen(issuer, tokenId), ctx.ledger.now),
    );
    await holdings.apply(issuer, tokenId, balance, -amount, { kind: 'distribution', reference: distributionId });
  }

  private async get(ctx: MarketContext, id: string): Promise<Distribution> {
    const d = await ctx.ledger.get<Distribution>(keys.distribution(ctx.stub, id));
    if (!d) throw new MarketError(ErrorCode.NOT_FOUND, `distribution ${id} not found`);
    return d;
  }

  private async escrow(ctx: MarketContext, d: Distribution): Promise<DistributionEscrow> {
    const e = await ctx.ledger.getPrivate<DistributionEscrow>(
      operatorCollection(d.operatorMspId),
      privateKeys.distributionEscrow(d.id),
    );
    if (!e) throw new MarketError(ErrorCode.INTERNAL, `the escrow of ${d.id} is missing`);
    return e;
  }

  /** The last batch takes the distribution off its class's schedule: movements stop keeping snapshots for it. */
  private async unschedule(ctx: MarketContext, d: Distribution): Promise<void> {
    const key = keys.distributionSchedule(ctx.stub, d.classId);
    const schedule = await ctx.ledger.get<DistributionSchedule>(key);
    const pending = (schedule?.pending ?? []).filter((p) => p.distributionId !== d.id);
    if (pending.length === 0) await ctx.ledger.delete(key);
    else await ctx.ledger.put(key, { ...schedule, pending });
  }

  /** Event fields: ids only, and the operator so its feed carries it (decision 25). */
  private eventOf(d: Distribution): Record<string, unknown> {
    return {
      distributionId: d.id,
      classId: d.classId,
      tokenId: d.tokenId,
      operatorMspId: d.operatorMspId,
      trusteeMspId: d.trusteeMspId,
    };
  }
}
