import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  createMoneyTokenSchema,
  ErrorCode,
  MarketError,
  moneyMovementSchema,
  RECORD_VERSION,
  type Asset,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { burn, mint } from '../assets/supply';
import { checkCredit, refuseUnless } from '../assets/movements';
import { checkSender } from '../compliance/check-transfer';
import { requireTrustee, resolveCaller } from '../auth/caller';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { keys } from '../ledger/keys';
import { parseJsonArg, transientPayload } from '../input';
import { getAccount, getAsset, getParticipant } from '../registry/records';
import { BaseContract, json } from './base';

/** Money tokens: one per trustee and currency, minted on a real deposit and burned on a withdrawal. */
@Info({ title: 'Money', description: 'Money tokens backed by trust-account balances' })
export class MoneyContract extends BaseContract {
  constructor() {
    super('Money');
  }

  /** Trustee: defines its token for a currency, id `<trusteeMspId>.<CUR>`. */
  @Transaction()
  @Returns('string')
  public async CreateToken(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = parseJsonArg(createMoneyTokenSchema, input);
    const id = `${caller.mspId}.${req.currency}`;
    if (await ctx.ledger.get<Asset>(keys.asset(ctx.stub, id)))
      throw new MarketError(ErrorCode.CONFLICT, `token ${id} exists`);
    const asset: Asset = {
      v: RECORD_VERSION,
      id,
      kind: 'money',
      trusteeMspId: caller.mspId,
      currency: req.currency,
      decimals: req.decimals,
      halted: false,
      haltReason: '',
      createdAt: ctx.ledger.now,
    };
    await ctx.ledger.put(keys.asset(ctx.stub, id), asset);
    ctx.ledger.emit('AssetCreated', { assetId: id, kind: 'money', trusteeMspId: caller.mspId });
    return json(asset);
  }

  /** Trustee: mints when the deposit has arrived in the trust account. Transient `payload`. */
  @Transaction()
  public async Deposit(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = transientPayload(ctx, moneyMovementSchema);
    const [account, token] = await Promise.all([getAccount(ctx, req.accountId), getAsset(ctx, req.tokenId)]);
    this.requireOwnToken(caller.mspId, token);
    const amount = BigInt(req.amount);
    const holdings = new Holdings(ctx);
    refuseUnless(await checkCredit(ctx, holdings, account, token, amount));
    await mint(ctx, holdings, account, token, amount, 'deposit', req.bankReference);
  }

  /** Trustee: burns when the money leaves the trust account for the customer's bank. Transient `payload`. */
  @Transaction()
  public async Withdraw(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = transientPayload(ctx, moneyMovementSchema);
    const [account, token] = await Promise.all([getAccount(ctx, req.accountId), getAsset(ctx, req.tokenId)]);
    this.requireOwnToken(caller.mspId, token);
    const amount = BigInt(req.amount);
    const holdings = new Holdings(ctx);
    const operator = await getParticipant(ctx, account.operatorMspId);
    const balance = await holdings.balance(account, token.id);
    // A suspended or offboarding customer may still take its money out; a frozen one may not.
    const active = account.status === 'ACTIVE' ? account : { ...account, status: 'ACTIVE' as const };
    refuseUnless(
      checkSender(active, operator, token, amount, balance, await holdings.frozen(account, token.id), ctx.ledger.now),
    );
    await burn(ctx, holdings, account, token, balance, amount, 'withdrawal', req.bankReference);
  }

  private requireOwnToken(trusteeMspId: string, token: Asset): void {
    if (token.kind !== 'money' || token.trusteeMspId !== trusteeMspId) {
      throw new MarketError(ErrorCode.FORBIDDEN, `${token.id} is not a money token of ${trusteeMspId}`);
    }
  }
}
