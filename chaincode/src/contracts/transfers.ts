import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  accountQuerySchema,
  balanceQuerySchema,
  ErrorCode,
  MarketError,
  operatorCollection,
  RECORD_VERSION,
  settleTransferSchema,
  transferSchema,
  type TransferCheck,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { checkCredit, credit, refuseUnless, transferFacts } from '../assets/movements';
import { writeInstruction, writeTransfer } from '../assets/transfer';
import { requireActFor, requireRead, requireTrustee, resolveCaller } from '../auth/caller';
import { checkMovement } from '../compliance/check-transfer';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { privateKeys } from '../ledger/keys';
import { parseJsonArg, transientPayload } from '../input';
import { getAccount, getAsset, getParticipant, listAssets, operatorOf } from '../registry/records';
import { BaseContract, json } from './base';

/** A cross-operator transfer in flight: the amount has left the sender and waits for the custodian. */
export interface TransitRecord {
  v: number;
  id: string;
  from: string;
  to: string;
  fromOperatorMspId: string;
  toOperatorMspId: string;
  assetId: string;
  amount: string;
  at: number;
}

/**
 * What remains of an instruction once settled: enough to answer a second settlement with CONFLICT rather
 * than NOT_FOUND. The amount and accounts are not kept; the transit record is deleted.
 */
export interface TransitDoneRecord {
  v: number;
  id: string;
  outcome: 'SETTLED' | 'REFUNDED';
  at: number;
}

/**
 * Movements between accounts. Within one operator a transfer is one transaction on that operator's
 * collection. Across operators no single client may read both collections (member-only reads), so the
 * sender instructs (the amount moves into transit in its own collection) and the custodian trustee, a
 * member of both, settles (credits the receiver, or refunds the sender if the receiver became ineligible).
 */
@Info({ title: 'Transfers', description: 'Transfers, compliance pre-checks, balances and portfolios' })
export class TransfersContract extends BaseContract {
  constructor() {
    super('Transfers');
  }

  /** End user (own account) or its operator: same-operator transfer. Transient `payload`. */
  @Transaction()
  public async Transfer(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, transferSchema);
    const holdings = new Holdings(ctx);
    const facts = await transferFacts(ctx, holdings, req.from, req.to, req.assetId, BigInt(req.amount));
    requireActFor(caller, facts.from);
    refuseUnless(checkMovement(facts, 'transfer'));
    await writeTransfer(ctx, holdings, facts);
  }

  /**
   * Evaluate-only: would this transfer (within one operator) pass every rule now? Answers the reason code
   * without submitting, from the same rule set the transfer applies (CROSS_OPERATOR included).
   */
  @Transaction(false)
  @Returns('string')
  public async CanTransfer(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, transferSchema);
    const holdings = new Holdings(ctx);
    const facts = await transferFacts(ctx, holdings, req.from, req.to, req.assetId, BigInt(req.amount));
    requireRead(caller, facts.from, facts.fromOperator.trusteeMspId);
    const check: TransferCheck = checkMovement(facts, 'transfer');
    return json(check);
  }

  /** End user or its operator: starts a cross-operator transfer. Transient `payload`. Returns the instruction id. */
  @Transaction()
  @Returns('string')
  public async Instruct(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, transferSchema);
    const holdings = new Holdings(ctx);
    const facts = await transferFacts(ctx, holdings, req.from, req.to, req.assetId, BigInt(req.amount));
    requireActFor(caller, facts.from);
    refuseUnless(checkMovement(facts, 'instruction'));
    return writeInstruction(ctx, holdings, facts);
  }

  /** Custodian trustee: settles an instruction (credit the receiver, or refund the sender). */
  @Transaction()
  @Returns('string')
  public async Settle(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = parseJsonArg(settleTransferSchema, input);
    const fromOperator = await getParticipant(ctx, req.fromOperatorMspId);
    if (fromOperator.trusteeMspId !== caller.mspId) {
      throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} does not serve ${req.fromOperatorMspId}`);
    }
    const collection = operatorCollection(req.fromOperatorMspId);
    const transitKey = privateKeys.transit(req.instructionId);
    const transit = await ctx.ledger.getPrivate<TransitRecord>(collection, transitKey);
    if (!transit) {
      const done = await ctx.ledger.getPrivate<TransitDoneRecord>(
        collection,
        privateKeys.instructionDone(req.instructionId),
      );
      if (done) {
        throw new MarketError(
          ErrorCode.CONFLICT,
          `instruction ${req.instructionId} is already settled (${done.outcome.toLowerCase()}); there is nothing left to settle`,
        );
      }
      throw new MarketError(ErrorCode.NOT_FOUND, `instruction ${req.instructionId} not found`);
    }
    const [from, to, asset] = await Promise.all([
      getAccount(ctx, transit.from),
      getAccount(ctx, transit.to),
      getAsset(ctx, transit.assetId),
    ]);
    const amount = BigInt(transit.amount);
    const holdings = new Holdings(ctx);
    const check = await checkCredit(ctx, holdings, to, asset, amount);
    if (check.allowed) {
      await credit(ctx, holdings, to, asset, amount, 'settlement', from.id, transit.id);
    } else {
      const before = await holdings.balance(from, asset.id);
      await holdings.apply(from, asset.id, before, amount, {
        kind: 'refund',
        counterparty: to.id,
        reference: transit.id,
      });
    }
    await ctx.ledger.deletePrivate(collection, transitKey);
    const outcome = check.allowed ? 'SETTLED' : 'REFUNDED';
    const done: TransitDoneRecord = { v: RECORD_VERSION, id: transit.id, outcome, at: ctx.ledger.now };
    await ctx.ledger.putPrivate(collection, privateKeys.instructionDone(transit.id), done);
    ctx.ledger.emit('TransferSettled', {
      instructionId: transit.id,
      outcome,
      code: check.code,
      fromOperatorMspId: transit.fromOperatorMspId,
      toOperatorMspId: transit.toOperatorMspId,
    });
    return json({ instructionId: transit.id, outcome, code: check.code });
  }

  @Transaction(false)
  @Returns('string')
  public async GetBalance(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(balanceQuerySchema, input);
    const account = await getAccount(ctx, req.accountId);
    requireRead(caller, account, (await operatorOf(ctx, account)).trusteeMspId);
    await getAsset(ctx, req.assetId);
    const holdings = new Holdings(ctx);
    const [balance, frozen] = await Promise.all([
      holdings.balance(account, req.assetId),
      holdings.frozen(account, req.assetId),
    ]);
    return json({
      accountId: account.id,
      assetId: req.assetId,
      balance: balance.toString(),
      frozen: frozen.toString(),
    });
  }

  /** Every non-zero balance of an account. */
  @Transaction(false)
  @Returns('string')
  public async GetPortfolio(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(accountQuerySchema, input);
    const account = await getAccount(ctx, req.accountId);
    requireRead(caller, account, (await operatorOf(ctx, account)).trusteeMspId);
    const holdings = new Holdings(ctx);
    const positions = [];
    for (const asset of await listAssets(ctx)) {
      const balance = await holdings.balance(account, asset.id);
      if (balance !== 0n) positions.push({ assetId: asset.id, kind: asset.kind, balance: balance.toString() });
    }
    return json({ accountId: account.id, positions });
  }
}
