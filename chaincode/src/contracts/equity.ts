import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  createShareClassSchema,
  ErrorCode,
  importRegisterSchema,
  MarketError,
  RECORD_VERSION,
  unitsMovementSchema,
  type Asset,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { burn, mint } from '../assets/supply';
import { checkCredit, refuseUnless } from '../assets/movements';
import { importRegister } from '../equity/register-import';
import { requireTrustee, resolveCaller } from '../auth/caller';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { keys } from '../ledger/keys';
import { parseJsonArg, transientPayload } from '../input';
import { getAccount, getAsset, getParticipant } from '../registry/records';
import { BaseContract, json } from './base';

/** Share classes of issuers, registered and minted by the trustee that keeps the register. */
@Info({ title: 'Equity', description: 'Share classes per issuer; issue, redeem and buy back units' })
export class EquityContract extends BaseContract {
  constructor() {
    super('Equity');
  }

  /** Trustee: creates a share class for an issuer customer of one of the operators it serves. */
  @Transaction()
  @Returns('string')
  public async CreateShareClass(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = parseJsonArg(createShareClassSchema, input);
    if (await ctx.ledger.get<Asset>(keys.asset(ctx.stub, req.classId))) {
      throw new MarketError(ErrorCode.CONFLICT, `asset ${req.classId} exists`);
    }
    const issuer = await getAccount(ctx, req.issuerAccountId);
    if (issuer.type !== 'issuer')
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${issuer.id} is not an issuer account`);
    const operator = await getParticipant(ctx, issuer.operatorMspId);
    if (operator.trusteeMspId !== caller.mspId) {
      throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} does not serve ${issuer.operatorMspId}`);
    }
    const asset: Asset = {
      v: RECORD_VERSION,
      id: req.classId,
      kind: 'equity',
      trusteeMspId: caller.mspId,
      issuerAccountId: issuer.id,
      shareKind: req.kind,
      decimals: req.decimals,
      lockupUntil: req.lockupUntil,
      allowedInvestorClasses: req.allowedInvestorClasses,
      retailCapPerYear: req.retailCapPerYear,
      halted: false,
      haltReason: '',
      createdAt: ctx.ledger.now,
    };
    await ctx.ledger.put(keys.asset(ctx.stub, asset.id), asset);
    ctx.ledger.emit('AssetCreated', {
      assetId: asset.id,
      kind: 'equity',
      trusteeMspId: caller.mspId,
      issuerAccountId: issuer.id,
    });
    return json(asset);
  }

  /** Trustee: mints units to an account (an offering's allocation, a correction). Transient `payload`. */
  @Transaction()
  public async Issue(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = transientPayload(ctx, unitsMovementSchema);
    const [account, shareClass] = await Promise.all([getAccount(ctx, req.accountId), getAsset(ctx, req.classId)]);
    this.requireOwnClass(caller.mspId, shareClass);
    const amount = BigInt(req.amount);
    const holdings = new Holdings(ctx);
    refuseUnless(await checkCredit(ctx, holdings, account, shareClass, amount));
    await mint(ctx, holdings, account, shareClass, amount, 'issue', req.purpose);
  }

  /** Trustee: burns units on redemption or buyback. Transient `payload`. */
  @Transaction()
  public async Burn(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = transientPayload(ctx, unitsMovementSchema);
    const [account, shareClass] = await Promise.all([getAccount(ctx, req.accountId), getAsset(ctx, req.classId)]);
    this.requireOwnClass(caller.mspId, shareClass);
    const amount = BigInt(req.amount);
    const holdings = new Holdings(ctx);
    const balance = await holdings.balance(account, shareClass.id);
    if (balance < amount)
      throw new MarketError(ErrorCode.COMPLIANCE, `balance ${balance} is below ${amount}`, 'INSUFFICIENT_BALANCE');
    await burn(ctx, holdings, account, shareClass, balance, amount, 'burn', req.purpose);
  }

  /**
   * Trustee: issues a batch of a legacy register of members as the class's opening issuance (decision 47).
   * Idempotent by register and line: lines already imported with the same content are left as they are.
   * Transient `payload` (holders and units are private).
   */
  @Transaction()
  @Returns('string')
  public async ImportRegister(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireTrustee(caller);
    const req = transientPayload(ctx, importRegisterSchema);
    const shareClass = await getAsset(ctx, req.classId);
    this.requireOwnClass(caller.mspId, shareClass);
    return json(await importRegister(ctx, shareClass, req));
  }

  private requireOwnClass(trusteeMspId: string, asset: Asset): void {
    if (asset.kind !== 'equity' || asset.trusteeMspId !== trusteeMspId) {
      throw new MarketError(ErrorCode.FORBIDDEN, `${asset.id} is not a share class registered by ${trusteeMspId}`);
    }
  }
}
