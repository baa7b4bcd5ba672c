import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  ballotRefSchema,
  castBallotSchema,
  countBatchQuerySchema,
  countBatchSchema,
  delegateVoteSchema,
  ErrorCode,
  MarketError,
  operatorCollection,
  proposeResolutionSchema,
  RECORD_VERSION,
  resolutionRefSchema,
  revokeDelegationSchema,
  type Account,
  type Asset,
  type CountProgress,
  type HoldingEvidence,
  type Movement,
  type Resolution,
  type VoteChoice,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { requireActFor, requireRead, resolveCaller, requireTrustee, type Caller } from '../auth/caller';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { parseJsonArg, transientPayload } from '../input';
import { keys, KeyType, privateKeys } from '../ledger/keys';
import { getAccount, getAsset, getParticipant, listParticipants } from '../registry/records';
import { splitAtRecordTime, unitsAtRecordTime } from '../votes/record-time';
import { addHolder, EMPTY_SUBTOTAL, publish, receiptOf, type Subtotal } from '../votes/tally';
import { BaseContract, json } from './base';

interface BallotRecord {
  v: number;
  resolutionId: string;
  accountId: string;
  choice: VoteChoice;
  receipt: string;
  at: number;
}

interface DelegationRecord {
  v: number;
  resolutionId: string;
  accountId: string;
  proxyAccountId: string;
  at: number;
}

interface MovementSeqRecord {
  seq: number;
}

/**
 * Shareholder votes (decision 55). The issuer announces a resolution through its operator; holders cast
 * ballots or delegate to a proxy in their own operator's collection; after the close the class's custodian
 * trustee, the one org that reads every collection, counts each operator's holders at the record time in
 * bounded batches and publishes the tally with a receipt hash per counted ballot.
 */
@Info({ title: 'Votes', description: 'Shareholder resolutions, private ballots, delegation, public tallies' })
export class VotesContract extends BaseContract {
  constructor() {
    super('Votes');
  }

  /** The class's issuer, or its operator for it: announces a resolution. Public argument. */
  @Transaction()
  public async Propose(ctx: MarketContext, input: string): Promise<void> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(proposeResolutionSchema, input);
    const shareClass = await this.shareClass(ctx, req.classId);
    if (!shareClass.issuerAccountId)
      throw new MarketError(ErrorCode.CONFLICT, `${shareClass.id} names no issuer to propose`);
    const issuer = await getAccount(ctx, shareClass.issuerAccountId);
    requireActFor(caller, issuer);
    const now = ctx.ledger.now;
    // A record time already past would let the proposer pick it knowing who held what.
    if (req.recordTime <= now) throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'recordTime is not in the future');
    const key = keys.resolution(ctx.stub, req.resolutionId);
    if (await ctx.ledger.get(key))
      throw new MarketError(ErrorCode.CONFLICT, `resolution ${req.resolutionId} already exists`);
    const resolution: Resolution = {
      v: RECORD_VERSION,
      id: req.resolutionId,
      classId: shareClass.id,
      title: req.title,
      recordTime: req.recordTime,
      opensAt: req.opensAt,
      closesAt: req.closesAt,
      quorumBps: req.quorumBps,
      majorityBps: req.majorityBps,
      operatorMspId: issuer.operatorMspId,
      status: 'PROPOSED',
      proposedAt: now,
    };
    await ctx.ledger.put(key, resolution);
    ctx.ledger.emit('ResolutionProposed', {
      resolutionId: resolution.id,
      classId: resolution.classId,
      operatorMspId: resolution.operatorMspId,
      recordTime: resolution.recordTime,
      closesAt: resolution.closesAt,
    });
  }

  /** A holder (own account) or its operator casts its ballot while voting is open. Transient `payload`. */
  @Transaction()
  public async Cast(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, castBallotSchema);
    const account = await this.voter(ctx, caller, req.accountId);
    const resolution = await this.resolution(ctx, req.resolutionId);
    const now = ctx.ledger.now;
    if (now < resolution.opensAt || now >= resolution.closesAt)
      throw new MarketError(ErrorCode.CONFLICT, `voting on ${resolution.id} is not open`);
    const collection = Holdings.collectionOf(account);
    await this.requireNoBallot(ctx, collection, resolution.id, account.id);
    if (await ctx.ledger.getPrivate(collection, privateKeys.delegation(resolution.id, account.id)))
      throw new MarketError(ErrorCode.CONFLICT, `${account.id} has delegated its votes; revoke first to vote`);
    const ballot: BallotRecord = {
      v: RECORD_VERSION,
      resolutionId: resolution.id,
      accountId: account.id,
      choice: req.choice,
      receipt: receiptOf(resolution.id, account.id, req.choice, req.nonce),
      at: now,
    };
    await ctx.ledger.putPrivate(collection, privateKeys.ballot(resolution.id, account.id), ballot);
    // The kind and the collection only: the choice stays in the collection.
    ctx.ledger.emit('BallotCast', { resolutionId: resolution.id, collection });
  }

  /** A holder (or its operator) names a proxy, at either operator, until voting closes. Transient `payload`. */
  @Transaction()
  public async Delegate(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, delegateVoteSchema);
    const account = await this.voter(ctx, caller, req.accountId);
    const resolution = await this.resolution(ctx, req.resolutionId);
    if (ctx.ledger.now >= resolution.closesAt)
      throw new MarketError(ErrorCode.CONFLICT, `voting on ${resolution.id} has closed`);
    if (req.proxyAccountId === account.id)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'an account cannot be its own proxy');
    // The proxy's public record is not read here: the read would name the proxy in the block for every
    // member. A proxy that does not exist or casts no ballot simply votes nothing (checked at the count).
    const collection = Holdings.collectionOf(account);
    await this.requireNoBallot(ctx, collection, resolution.id, account.id);
    const key = privateKeys.delegation(resolution.id, account.id);
    if (await ctx.ledger.getPrivate(collection, key))
      throw new MarketError(ErrorCode.CONFLICT, `${account.id} has already delegated; revoke first`);
    const record: DelegationRecord = {
      v: RECORD_VERSION,
      resolutionId: resolution.id,
      accountId: account.id,
      proxyAccountId: req.proxyAccountId,
      at: ctx.ledger.now,
    };
    await ctx.ledger.putPrivate(collection, key, record);
    ctx.ledger.emit('VoteDelegated', { resolutionId: resolution.id, collection });
  }

  /** The principal (or its operator) takes its votes back before the close. Transient `payload`. */
  @Transaction()
  public async RevokeDelegation(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, revokeDelegationSchema);
    const account = await this.voter(ctx, caller, req.accountId);
    const resolution = await this.resolution(ctx, req.resolutionId);
    if (ctx.ledger.now >= resolution.closesAt)
      throw new MarketError(ErrorCode.CONFLICT, `voting on ${resolution.id} has closed`);
    const collection = Holdings.collectionOf(account);
    const key = privateKeys.delegation(resolution.id, account.id);
    if (!(await ctx.ledger.getPrivate(collection, key)))
      throw new MarketError(ErrorCode.NOT_FOUND, `${account.id} has no delegation on ${resolution.id}`);
    await ctx.ledger.deletePrivate(collection, key);
    ctx.ledger.emit('DelegationRevoked', { resolutionId: resolution.id, collection });
  }

  /**
   * The custodian trustee, after the close: which movements of each account in the next batch came after
   * the record time. An evaluation, because listing an account's movements is a private range read, and a
   * transaction that does one may not write (decision 17); `Count` checks the answer with point reads.
   */
  @Transaction(false)
  @Returns('string')
  public async CountEvidence(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(countBatchQuerySchema, input);
    const { resolution, batch, collection } = await this.batch(ctx, caller, req);
    const evidence: HoldingEvidence[] = [];
    for (const account of batch) {
      const movements = await ctx.ledger.listPrivate<Movement>(collection, KeyType.MOVEMENT, [account.id]);
      const numbered = movements.filter((m) => m.value.seq !== undefined).sort((a, b) => a.value.seq! - b.value.seq!);
      if (numbered.length === 0) continue;
      const { after, boundary } = splitAtRecordTime(numbered, resolution.recordTime);
      evidence.push({ accountId: account.id, after: after.map((m) => m.key), boundary: boundary?.key });
    }
    return json({ resolutionId: resolution.id, operatorMspId: req.operatorMspId, evidence });
  }

  /**
   * The custodian trustee, after the close: counts the next `max` accounts of one operator, in key order
   * from where the last batch stopped. Each account's units at the record time are rebuilt from its
   * balance and the evidence, checked by point reads; they are voted by the proxy's ballot if a delegation
   * stands, else by the account's own. Transient `payload` (the evidence names accounts).
   */
  @Transaction()
  @Returns('string')
  public async Count(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, countBatchSchema);
    const { resolution, batch, collection, progressKey, progress, remaining } = await this.batch(ctx, caller, req);
    const byAccount = new Map(req.evidence.map((e) => [e.accountId, e]));
    const holdings = new Holdings(ctx);
    const subtotalKey = privateKeys.voteSubtotal(resolution.id);
    let subtotal = (await ctx.ledger.getPrivate<Subtotal>(collection, subtotalKey)) ?? EMPTY_SUBTOTAL;
    for (const account of batch) {
      const units = await this.unitsAtRecordTime(
        ctx,
        holdings,
        collection,
        resolution,
        account,
        byAccount.get(account.id),
      );
      if (units === 0n) continue;
      subtotal = addHolder(subtotal, units, await this.effectiveBallot(ctx, collection, resolution.id, account.id));
    }
    const last = batch[batch.length - 1];
    const next: CountProgress = {
      v: RECORD_VERSION,
      resolutionId: resolution.id,
      operatorMspId: req.operatorMspId,
      cursor: last?.id ?? progress?.cursor,
      accounts: (progress?.accounts ?? 0) + batch.length,
      done: remaining <= batch.length,
    };
    await ctx.ledger.putPrivate(collection, subtotalKey, { v: RECORD_VERSION, ...subtotal });
    await ctx.ledger.put(progressKey, next);
    ctx.ledger.emit('VotesCounted', {
      resolutionId: resolution.id,
      operatorMspId: req.operatorMspId,
      accounts: batch.length,
      done: next.done,
    });
    const { v: _v, ...view } = next;
    return json(view);
  }

  /**
   * The custodian trustee, once every operator it serves is counted: sums the operators' subtotals and
   * publishes the tally and the receipts. Public argument.
   */
  @Transaction()
  @Returns('string')
  public async Publish(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(resolutionRefSchema, input);
    const resolution = await this.resolution(ctx, req.resolutionId);
    const shareClass = await this.shareClass(ctx, resolution.classId);
    this.requireCustodian(caller, shareClass);
    if (resolution.status === 'CLOSED')
      throw new MarketError(ErrorCode.CONFLICT, `resolution ${resolution.id} is already published`);
    const subtotals: Subtotal[] = [];
    for (const operator of await this.operatorsOf(ctx, shareClass.trusteeMspId)) {
      const progress = await ctx.ledger.get<CountProgress>(keys.voteCount(ctx.stub, resolution.id, operator));
      if (!progress?.done) throw new MarketError(ErrorCode.CONFLICT, `the holders at ${operator} are not counted yet`);
      subtotals.push(
        (await ctx.ledger.getPrivate<Subtotal>(
          operatorCollection(operator),
          privateKeys.voteSubtotal(resolution.id),
        )) ?? EMPTY_SUBTOTAL,
      );
    }
    const closed: Resolution = {
      ...resolution,
      status: 'CLOSED',
      closedAt: ctx.ledger.now,
      tally: publish(subtotals, resolution.quorumBps, resolution.majorityBps),
    };
    await ctx.ledger.put(keys.resolution(ctx.stub, resolution.id), closed);
    ctx.ledger.emit('ResolutionClosed', {
      resolutionId: resolution.id,
      classId: resolution.classId,
      operatorMspId: resolution.operatorMspId,
      passed: closed.tally?.passed,
      quorumMet: closed.tally?.quorumMet,
    });
    return json(closed);
  }

  @Transaction(false)
  @Returns('string')
  public async GetResolution(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    return json(await this.resolution(ctx, parseJsonArg(resolutionRefSchema, input).resolutionId));
  }

  /** The account's own ballot or delegation: its user, its operator, that operator's trustee, the regulator. */
  @Transaction(false)
  @Returns('string')
  public async GetBallot(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(ballotRefSchema, input);
    const account = await getAccount(ctx, req.accountId);
    const operator = await getParticipant(ctx, account.operatorMspId);
    requireRead(caller, account, operator.trusteeMspId);
    const resolution = await this.resolution(ctx, req.resolutionId);
    const collection = Holdings.collectionOf(account);
    const ballot = await ctx.ledger.getPrivate<BallotRecord>(collection, privateKeys.ballot(resolution.id, account.id));
    const delegation = await ctx.ledger.getPrivate<DelegationRecord>(
      collection,
      privateKeys.delegation(resolution.id, account.id),
    );
    return json({
      resolutionId: resolution.id,
      accountId: account.id,
      choice: ballot?.choice,
      receipt: ballot?.receipt,
      castAt: ballot?.at,
      proxyAccountId: delegation?.proxyAccountId,
      counted: ballot && resolution.tally ? resolution.tally.receipts.includes(ballot.receipt) : undefined,
    });
  }

  /** What a count batch works on: the resolution after its close, the operator's next accounts. */
  private async batch(
    ctx: MarketContext,
    caller: Caller,
    req: { resolutionId: string; operatorMspId: string; max: number },
  ) {
    const resolution = await this.resolution(ctx, req.resolutionId);
    const shareClass = await this.shareClass(ctx, resolution.classId);
    this.requireCustodian(caller, shareClass);
    if (!(await this.operatorsOf(ctx, shareClass.trusteeMspId)).includes(req.operatorMspId))
      throw new MarketError(
        ErrorCode.NOT_FOUND,
        `${req.operatorMspId} is not an operator of ${shareClass.trusteeMspId}`,
      );
    if (ctx.ledger.now < resolution.closesAt)
      throw new MarketError(ErrorCode.CONFLICT, `voting on ${resolution.id} has not closed yet`);
    if (resolution.status === 'CLOSED')
      throw new MarketError(ErrorCode.CONFLICT, `resolution ${resolution.id} is already published`);
    const progressKey = keys.voteCount(ctx.stub, resolution.id, req.operatorMspId);
    const progress = await ctx.ledger.get<CountProgress>(progressKey);
    if (progress?.done)
      throw new MarketError(ErrorCode.CONFLICT, `the holders at ${req.operatorMspId} are already counted`);
    // A public range read over the accounts (allowed before writes, unlike a private one): which accounts
    // are left is read from the records, so a rerun after any interruption continues where it stopped.
    const left = (await ctx.ledger.list<Account>(KeyType.ACCOUNT, []))
      .map((e) => e.value)
      .filter(
        (a) => a.operatorMspId === req.operatorMspId && (progress?.cursor === undefined || a.id > progress.cursor),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      resolution,
      batch: left.slice(0, req.max),
      remaining: left.length,
      collection: operatorCollection(req.operatorMspId),
      progressKey,
      progress,
    };
  }

  private async unitsAtRecordTime(
    ctx: MarketContext,
    holdings: Holdings,
    collection: string,
    resolution: Resolution,
    account: Account,
    evidence: HoldingEvidence | undefined,
  ): Promise<bigint> {
    const balance = await holdings.balance(account, resolution.classId);
    const lastSeq =
      (await ctx.ledger.getPrivate<MovementSeqRecord>(collection, privateKeys.movementSeq(account.id)))?.seq ?? 0;
    const prefix = await ctx.ledger.sealedPrefix(collection, KeyType.MOVEMENT, [account.id]);
    const read = async (key: string): Promise<Movement> => {
      // Only a movement of this account can sit under its prefix; anything else is not evidence.
      const m = key.startsWith(prefix) ? await ctx.ledger.getRaw<Movement>(collection, key) : undefined;
      if (!m) throw new MarketError(ErrorCode.INVALID_ARGUMENT, `evidence for account ${account.id}: unknown key`);
      return m;
    };
    const after = await Promise.all((evidence?.after ?? []).map(read));
    const boundary = evidence?.boundary === undefined ? undefined : await read(evidence.boundary);
    return unitsAtRecordTime({
      accountId: account.id,
      classId: resolution.classId,
      recordTime: resolution.recordTime,
      balance,
      lastSeq,
      after,
      boundary,
    });
  }

  /** The ballot that votes a holder's units: its proxy's while a delegation stands, else its own. */
  private async effectiveBallot(
    ctx: MarketContext,
    collection: string,
    resolutionId: string,
    accountId: string,
  ): Promise<BallotRecord | undefined> {
    const delegation = await ctx.ledger.getPrivate<DelegationRecord>(
      collection,
      privateKeys.delegation(resolutionId, accountId),
    );
    if (!delegation)
      return ctx.ledger.getPrivate<BallotRecord>(collection, privateKeys.ballot(resolutionId, accountId));
    // The trustee is a member of every collection it serves: the proxy may be another operator's customer.
    const proxy = await ctx.ledger.get<Account>(keys.account(ctx.stub, delegation.proxyAccountId));
    if (!proxy) return undefined;
    return ctx.ledger.getPrivate<BallotRecord>(
      Holdings.collectionOf(proxy),
      privateKeys.ballot(resolutionId, delegation.proxyAccountId),
    );
  }

  private async voter(ctx: MarketContext, caller: Caller, accountId: string): Promise<Account> {
    const account = await getAccount(ctx, accountId);
    requireActFor(caller, account);
    if (account.status !== 'ACTIVE') throw new MarketError(ErrorCode.CONFLICT, `account ${account.id} is not active`);
    return account;
  }

  private async requireNoBallot(ctx: MarketContext, collection: string, resolutionId: string, accountId: string) {
    if (await ctx.ledger.getPrivate(collection, privateKeys.ballot(resolutionId, accountId)))
      throw new MarketError(ErrorCode.CONFLICT, `${accountId} has already voted on ${resolutionId}`);
  }

  /** The operators whose customers can hold the trustee's classes (a revoked one has no live accounts). */
  private async operatorsOf(ctx: MarketContext, trusteeMspId: string): Promise<string[]> {
    return (await listParticipants(ctx))
      .filter((p) => p.kind === 'operator' && p.trusteeMspId === trusteeMspId && p.status !== 'REVOKED')
      .map((p) => p.mspId);
  }

  private async resolution(ctx: MarketContext, id: string): Promise<Resolution> {
    const r = await ctx.ledger.get<Resolution>(keys.resolution(ctx.stub, id));
    if (!r) throw new MarketError(ErrorCode.NOT_FOUND, `resolution ${id} not found`);
    return r;
  }

  private async shareClass(ctx: MarketContext, id: string): Promise<Asset> {
    const a = await getAsset(ctx, id);
    if (a.kind !== 'equity') throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${a.id} is not a share class`);
    return a;
  }

  private requireCustodian(caller: Caller, asset: Asset): void {
    requireTrustee(caller);
    if (caller.mspId !== asset.trusteeMspId)
      throw new MarketError(ErrorCode.FORBIDDEN, `only ${asset.trusteeMspId} may count votes on ${asset.id}`);
  }
}
