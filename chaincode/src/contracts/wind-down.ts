import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  ErrorCode,
  leftoverQuerySchema,
  MarketError,
  nameSuccessorSchema,
  operatorCollection,
  RECORD_VERSION,
  sweepSchema,
  windDownBatchSchema,
  windDownRefSchema,
  type WindDown,
  type WindDownPhase,
} from '@ecf/common';
import { requireRegulator, resolveCaller, type Caller } from '../auth/caller';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { parseJsonArg, transientPayload } from '../input';
import { getParticipant, listAssets } from '../registry/records';
import {
  accountsOf,
  cancelOrders,
  moveAccount,
  OPERATOR_RECORD_TYPES,
  openOrdersOf,
  pledgesOf,
  refundPledges,
  sweep,
} from '../wind-down/book';
import { getWindDown, putWindDown } from '../wind-down/record';
import { BaseContract, json } from './base';

/**
 * The orderly exit of an operator (decision 37). The regulator names a successor of the same trustee for
 * an operator it has suspended or revoked; the custodian trustee then, in bounded batches that a rerun
 * continues: releases the book (cancels open orders, refunds pledges in open campaigns), moves every
 * account with its records to the successor, sweeps what is left of the collection (history and supply
 * records move, the rest is purged), and completes (the collection's secret is purged last).
 */
@Info({ title: 'WindDown', description: "An exiting operator's customers move to a successor of the same trustee" })
export class WindDownContract extends BaseContract {
  constructor() {
    super('WindDown');
  }

  /** Regulator: names the successor. The exiting operator must already be suspended or revoked. */
  @Transaction()
  @Returns('string')
  public async NameSuccessor(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = parseJsonArg(nameSuccessorSchema, input);
    if (req.exitingMspId === req.successorMspId)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'successorMspId: an operator cannot succeed itself');
    const [exiting, successor] = await Promise.all([
      getParticipant(ctx, req.exitingMspId),
      getParticipant(ctx, req.successorMspId),
    ]);
    if (exiting.kind !== 'operator' || successor.kind !== 'operator')
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'both the exiting operator and its successor are operators');
    if (exiting.status === 'ACTIVE') {
      throw new MarketError(
        ErrorCode.CONFLICT,
        `${exiting.mspId} is active: suspend or revoke it first, so it cannot onboard or trade during its wind-down`,
      );
    }
    if (successor.status !== 'ACTIVE')
      throw new MarketError(ErrorCode.CONFLICT, `successor ${successor.mspId} is ${successor.status.toLowerCase()}`);
    if (exiting.trusteeMspId !== successor.trusteeMspId || !exiting.trusteeMspId) {
      throw new MarketError(
        ErrorCode.CONFLICT,
        `${successor.mspId} is not served by ${exiting.mspId}'s trustee: customers' assets cannot change custodian here`,
      );
    }
    if (await getWindDown(ctx, exiting.mspId))
      throw new MarketError(ErrorCode.CONFLICT, `a successor for ${exiting.mspId} is already named`);
    const now = ctx.ledger.now;
    const record: WindDown = {
      v: RECORD_VERSION,
      exitingMspId: exiting.mspId,
      successorMspId: successor.mspId,
      trusteeMspId: exiting.trusteeMspId,
      phase: 'RELEASING',
      reason: req.reason,
      ordersCancelled: 0,
      pledgesRefunded: 0,
      accountsMoved: 0,
      recordsSwept: 0,
      namedAt: now,
      updatedAt: now,
    };
    await putWindDown(ctx, record);
    // A supervisory action: the audit relay files it (SUPERVISORY_ACTION, both operators as parties).
    ctx.ledger.emit('SupervisoryAction', {
      action: 'WIND_DOWN',
      target: `${exiting.mspId}>${successor.mspId}`,
      reason: req.reason,
      operatorMspId: successor.mspId,
      counterpartyOperatorMspId: exiting.mspId,
    });
    return json(record);
  }

  @Transaction(false)
  @Returns('string')
  public async Get(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    const { exitingMspId } = parseJsonArg(windDownRefSchema, input);
    return json(await this.get(ctx, exitingMspId));
  }

  /** Trustee: cancels up to `max` open orders, then refunds up to `max` pledges; then MOVING. */
  @Transaction()
  @Returns('string')
  public async Release(ctx: MarketContext, input: string): Promise<string> {
    const req = parseJsonArg(windDownBatchSchema, input);
    const record = await this.forTrustee(ctx, req.exitingMspId, 'RELEASING');
    const orders = await openOrdersOf(ctx, record.exitingMspId, req.max);
    await cancelOrders(ctx, orders);
    const pledges = orders.length < req.max ? await pledgesOf(ctx, record.exitingMspId, req.max - orders.length) : [];
    await refundPledges(ctx, pledges);
    const done = orders.length + pledges.length < req.max;
    return this.save(ctx, record, {
      phase: done ? 'MOVING' : 'RELEASING',
      ordersCancelled: record.ordersCancelled + orders.length,
      pledgesRefunded: record.pledgesRefunded + pledges.length,
    });
  }

  /** Trustee: moves up to `max` accounts to the successor; then SWEEPING. */
  @Transaction()
  @Returns('string')
  public async MoveAccounts(ctx: MarketContext, input: string): Promise<string> {
    const req = parseJsonArg(windDownBatchSchema, input);
    const record = await this.forTrustee(ctx, req.exitingMspId, 'MOVING');
    const accounts = await accountsOf(ctx, record.exitingMspId, req.max);
    const assets = await listAssets(ctx);
    for (const account of accounts) await moveAccount(ctx, account, record.successorMspId, assets);
    return this.save(ctx, record, {
      phase: accounts.length < req.max ? 'SWEEPING' : 'MOVING',
      accountsMoved: record.accountsMoved + accounts.length,
      cursor: accounts.at(-1)?.id ?? record.cursor,
    });
  }

  /**
   * Trustee or regulator: stored keys of live records left in the exiting collection. Evaluate only (a
   * range read over private data); empty once only purged history is left.
   */
  @Transaction(false)
  @Returns('string')
  public async ListLeftovers(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(leftoverQuerySchema, input);
    const record = await this.get(ctx, req.exitingMspId);
    this.requireTrusteeOrRegulator(caller, record);
    const collection = operatorCollection(record.exitingMspId);
    const found: string[] = [];
    if (record.phase !== 'DONE') {
      for (const type of OPERATOR_RECORD_TYPES) {
        if (found.length >= req.limit) break;
        for (const { key } of await ctx.ledger.listPrivate(collection, type, [])) {
          if (found.length >= req.limit) break;
          found.push(key);
        }
      }
    }
    return json({ exitingMspId: record.exitingMspId, collection, keys: found });
  }

  /** Trustee: moves or purges the listed records (transient `payload` {exitingMspId, keys}). */
  @Transaction()
  @Returns('string')
  public async Sweep(ctx: MarketContext): Promise<string> {
    const req = transientPayload(ctx, sweepSchema);
    const record = await this.forTrustee(ctx, req.exitingMspId, 'SWEEPING');
    const swept = await sweep(ctx, record.exitingMspId, record.successorMspId, req.keys, await listAssets(ctx));
    ctx.ledger.emit('PrivateMovement', { kind: 'wind-down', collection: operatorCollection(record.exitingMspId) });
    return this.save(ctx, record, { recordsSwept: record.recordsSwept + swept });
  }

  /**
   * Trustee: ends the wind-down once no account names the exiting operator. Purges the collection's
   * secret, the last record in it; `CheckSupply` no longer reads the collection. The trustee's client
   * lists leftovers first: records left unswept would stay unreadable.
   */
  @Transaction()
  @Returns('string')
  public async Complete(ctx: MarketContext, input: string): Promise<string> {
    const req = parseJsonArg(windDownRefSchema, input);
    const record = await this.forTrustee(ctx, req.exitingMspId, 'SWEEPING');
    if ((await accountsOf(ctx, record.exitingMspId, 1)).length > 0)
      throw new MarketError(ErrorCode.CONFLICT, `${record.exitingMspId} still has accounts`);
    await ctx.ledger.purgeSeal(operatorCollection(record.exitingMspId));
    ctx.ledger.emit('SupervisoryAction', {
      action: 'WIND_DOWN_COMPLETED',
      target: `${record.exitingMspId}>${record.successorMspId}`,
      reason: `${record.accountsMoved} accounts moved, ${record.ordersCancelled} orders cancelled, ${record.pledgesRefunded} pledges refunded`,
      operatorMspId: record.successorMspId,
      counterpartyOperatorMspId: record.exitingMspId,
    });
    return this.save(ctx, record, { phase: 'DONE', completedAt: ctx.ledger.now });
  }

  private async get(ctx: MarketContext, exitingMspId: string): Promise<WindDown> {
    const record = await getWindDown(ctx, exitingMspId);
    if (!record) throw new MarketError(ErrorCode.NOT_FOUND, `no wind-down of ${exitingMspId}`);
    return record;
  }

  /** The wind-down, for its custodian trustee, in the phase the step belongs to. */
  private async forTrustee(ctx: MarketContext, exitingMspId: string, phase: WindDownPhase): Promise<WindDown> {
    const caller = await resolveCaller(ctx);
    const record = await this.get(ctx, exitingMspId);
    if (caller.kind !== 'trustee' || caller.mspId !== record.trusteeMspId || caller.participant.status !== 'ACTIVE')
      throw new MarketError(ErrorCode.FORBIDDEN, `only ${record.trusteeMspId} moves ${exitingMspId}'s book`);
    if (record.phase !== phase)
      throw new MarketError(ErrorCode.CONFLICT, `the wind-down of ${exitingMspId} is ${record.phase}, not ${phase}`);
    return record;
  }

  private requireTrusteeOrRegulator(caller: Caller, record: WindDown): void {
    if (caller.kind === 'regulator' || (caller.kind === 'trustee' && caller.mspId === record.trusteeMspId)) return;
    throw new MarketError(ErrorCode.FORBIDDEN, `only ${record.trusteeMspId} or the regulator may list leftovers`);
  }

  private async save(ctx: MarketContext, record: WindDown, change: Partial<WindDown>): Promise<string> {
    const updated: WindDown = { ...record, ...change, updatedAt: ctx.ledger.now };
    await putWindDown(ctx, updated);
    return json(updated);
  }
}
