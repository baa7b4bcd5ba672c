import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  allowanceListQuerySchema,
  allowanceRefSchema,
  approveAllowanceSchema,
  ErrorCode,
  KeyType,
  MarketError,
  RECORD_VERSION,
  spendAllowanceSchema,
  type Account,
  type AllowanceRecord,
  type AllowanceSpendResult,
} from '@ecf/common';
import { checkAllowance } from '../allowances/rules';
import { Holdings } from '../assets/holdings';
import { refuseUnless, transferFacts } from '../assets/movements';
import { writeInstruction, writeTransfer } from '../assets/transfer';
import { canRead, resolveCaller, type Caller } from '../auth/caller';
import { checkMovement } from '../compliance/check-transfer';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { privateKeys } from '../ledger/keys';
import { parseJsonArg, transientPayload } from '../input';
import { getAccount, getAsset, getParticipant, operatorOf } from '../registry/records';
import { BaseContract, json } from './base';

/**
 * Custodial allowances (decision 48). The holder approves with its own credential (its operator cannot
 * approve for it: the allowance is the holder's consent); the spender, an org, moves within it without the
 * holder's signature. The allowance sits in the account's operator collection beside the balance, sealed,
 * so only the parties that already hold the balance ever hold it.
 */
@Info({ title: 'Allowances', description: 'Custodial allowances: approve, revoke, and move within them' })
export class AllowancesContract extends BaseContract {
  constructor() {
    super('Allowances');
  }

  /** The account's holder: allows a party to move up to an amount until an expiry. Transient `payload`. */
  @Transaction()
  public async Approve(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, approveAllowanceSchema);
    const account = await getAccount(ctx, req.accountId);
    requireHolder(caller, account);
    await getAsset(ctx, req.assetId);
    const now = ctx.ledger.now;
    if (req.expiresAt <= now) throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'expiresAt is not in the future');
    await requireEligibleSpender(ctx, account, req.spenderMspId);
    const record: AllowanceRecord = {
      v: RECORD_VERSION,
      accountId: account.id,
      spenderMspId: req.spenderMspId,
      assetId: req.assetId,
      limit: req.amount,
      remaining: req.amount,
      expiresAt: req.expiresAt,
      status: 'ACTIVE',
      approvedAt: now,
      updatedAt: now,
    };
    const collection = Holdings.collectionOf(account);
    await ctx.ledger.putPrivate(collection, privateKeys.allowance(account.id, req.spenderMspId, req.assetId), record);
    ctx.ledger.emit('PrivateMovement', { kind: 'allowance', collection });
  }

  /** The account's holder: withdraws an allowance at once; later moves under it are refused. */
  @Transaction()
  public async Revoke(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, allowanceRefSchema);
    const account = await getAccount(ctx, req.accountId);
    requireHolder(caller, account);
    const collection = Holdings.collectionOf(account);
    const key = privateKeys.allowance(account.id, req.spenderMspId, req.assetId);
    const current = await ctx.ledger.getPrivate<AllowanceRecord>(collection, key);
    if (!current) throw new MarketError(ErrorCode.NOT_FOUND, 'no allowance for this spender and asset');
    if (current.status === 'REVOKED') throw new MarketError(ErrorCode.CONFLICT, 'the allowance is already revoked');
    const revoked: AllowanceRecord = { ...current, status: 'REVOKED', remaining: '0', updatedAt: ctx.ledger.now };
    await ctx.ledger.putPrivate(collection, key, revoked);
    ctx.ledger.emit('PrivateMovement', { kind: 'allowance', collection });
  }

  /**
   * The spender's staff (operator or trustee role of the allowed org): moves out of the account within the
   * allowance. The allowance's rules first, then the same rule set and writes as the holder's own transfer
   * (within one operator) or instruction (across operators). Transient `payload`.
   */
  @Transaction()
  @Returns('string')
  public async Spend(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    if (caller.kind !== 'operator' && caller.kind !== 'trustee') {
      throw new MarketError(ErrorCode.FORBIDDEN, 'only the staff of an allowed org move under an allowance');
    }
    if (caller.participant.status !== 'ACTIVE') {
      throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} is ${caller.participant.status.toLowerCase()}`);
    }
    const req = transientPayload(ctx, spendAllowanceSchema);
    const holdings = new Holdings(ctx);
    const facts = await transferFacts(ctx, holdings, req.from, req.to, req.assetId, BigInt(req.amount));
    const collection = Holdings.collectionOf(facts.from);
    const key = privateKeys.allowance(facts.from.id, caller.mspId, facts.asset.id);
    const allowance = await ctx.ledger.getPrivate<AllowanceRecord>(collection, key);
    // No allowance at all: the caller has no authority over the account (FORBIDDEN). One that lapsed,
    // was revoked or is used up is a reason code, like any refused movement.
    if (!allowance) {
      throw new MarketError(
        ErrorCode.FORBIDDEN,
        `${caller.mspId} has no allowance on ${facts.from.id} for ${facts.asset.id}`,
      );
    }
    refuseUnless(checkAllowance(allowance, facts.amount, facts.now));
    const route = facts.from.operatorMspId === facts.to.operatorMspId ? 'transfer' : 'instruction';
    refuseUnless(checkMovement(facts, route));
    const remaining = BigInt(allowance.remaining) - facts.amount;
    await ctx.ledger.putPrivate(collection, key, {
      ...allowance,
      remaining: remaining.toString(),
      updatedAt: facts.now,
    });
    // The block records the answer for every member: nothing of the allowance or the amount goes in it.
    const result: AllowanceSpendResult = {};
    if (route === 'transfer') await writeTransfer(ctx, holdings, facts);
    else result.instructionId = await writeInstruction(ctx, holdings, facts);
    return json(result);
  }

  /** The account's readers, and the spender's staff: one allowance. */
  @Transaction(false)
  @Returns('string')
  public async Get(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(allowanceRefSchema, input);
    const account = await getAccount(ctx, req.accountId);
    const trustee = (await operatorOf(ctx, account)).trusteeMspId;
    if (!canRead(caller, account, trustee) && !(caller.kind !== 'enduser' && caller.mspId === req.spenderMspId)) {
      throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} may not read this allowance`);
    }
    const found = await ctx.ledger.getPrivate<AllowanceRecord>(
      Holdings.collectionOf(account),
      privateKeys.allowance(account.id, req.spenderMspId, req.assetId),
    );
    if (!found) throw new MarketError(ErrorCode.NOT_FOUND, 'no allowance for this spender and asset');
    return json(found);
  }

  /** The account's readers: every allowance the account's holder gave. */
  @Transaction(false)
  @Returns('string')
  public async List(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(allowanceListQuerySchema, input);
    const account = await getAccount(ctx, req.accountId);
    if (!canRead(caller, account, (await operatorOf(ctx, account)).trusteeMspId)) {
      throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} may not read account ${account.id}`);
    }
    const found = await ctx.ledger.listPrivate<AllowanceRecord>(Holdings.collectionOf(account), KeyType.ALLOWANCE, [
      account.id,
    ]);
    return json({ accountId: account.id, allowances: found.map((f) => f.value) });
  }
}

/** Only the holder, with its own credential: an operator's signature is not the holder's consent. */
function requireHolder(caller: Caller, account: Account): void {
  if (caller.kind !== 'enduser' || caller.accountId !== account.id) {
    throw new MarketError(ErrorCode.FORBIDDEN, `only the holder of account ${account.id} may approve or revoke`);
  }
}

/**
 * The spender must be able to act on the account's collection: the account's operator or that operator's
 * trustee. Any other org is refused by the peers themselves on every read of the collection (member-only),
 * so an allowance to it could never be used.
 */
async function requireEligibleSpender(ctx: MarketContext, account: Account, spenderMspId: string): Promise<void> {
  const operator = await operatorOf(ctx, account);
  if (spenderMspId !== account.operatorMspId && spenderMspId !== operator.trusteeMspId) {
    throw new MarketError(
      ErrorCode.INVALID_ARGUMENT,
      `spenderMspId: ${spenderMspId} cannot act on ${account.id}'s collection; allow its operator (${account.operatorMspId}) or its trustee (${operator.trusteeMspId ?? 'none'})`,
    );
  }
  const spender = await getParticipant(ctx, spenderMspId);
  if (spender.status !== 'ACTIVE') {
    throw new MarketError(
      ErrorCode.INVALID_ARGUMENT,
      `spenderMspId: ${spenderMspId} is ${spender.status.toLowerCase()}`,
    );
  }
}
