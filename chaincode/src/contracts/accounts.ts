import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  accountStatusSchema,
  ErrorCode,
  idSchema,
  MarketError,
  onboardAccountSchema,
  onboardBatchSchema,
  RECORD_VERSION,
  updateKycSchema,
  type Account,
  type OnboardAccount,
  type Campaign,
  type Movement,
  type Order,
} from '@ecf/common';
import { personalDataHash, type PersonalRecord } from '../accounts/personal-data';
import { inLedgerOrder } from '../assets/history';
import { Holdings } from '../assets/holdings';
import { Withdrawals } from '../money/withdrawals';
import { requireOperator, requireRead, resolveCaller, type Caller } from '../auth/caller';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { keys, KeyType, privateKeys } from '../ledger/keys';
import { parse, parseJsonArg, transientPayload } from '../input';
import { getAccount, listAssets, operatorOf } from '../registry/records';
import { BaseContract, json } from './base';

/** Onboarding and lifecycle of issuers' and investors' accounts, by their operator. */
@Info({ title: 'Accounts', description: 'Issuer and investor accounts: KYC claims public, personal data private' })
export class AccountsContract extends BaseContract {
  constructor() {
    super('Accounts');
  }

  /**
   * Operator: opens an account after KYC. Transient `payload`: accountId, type, kyc, personal, salt.
   * Public state gets the opaque id, claims and the salted hash; the person's data goes to the
   * operator's collection only.
   */
  @Transaction()
  @Returns('string')
  public async Onboard(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireOperator(caller);
    const req = transientPayload(ctx, onboardAccountSchema);
    const account = await this.#newAccount(ctx, caller, req);
    await this.#open(ctx, account, req);
    return json(account);
  }

  /**
   * Operator: opens up to 200 accounts at once (decision 62), each under exactly the rules of `Onboard`.
   * Transient `payload`: { accounts: [Onboard's payload, …] }. Every account is checked before the first
   * write, so one refused account refuses the batch and writes nothing. Answers how many were opened.
   */
  @Transaction()
  @Returns('string')
  public async OnboardBatch(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireOperator(caller);
    const req = transientPayload(ctx, onboardBatchSchema);
    const accounts: Account[] = [];
    for (const one of req.accounts) accounts.push(await this.#newAccount(ctx, caller, one));
    for (const [i, account] of accounts.entries()) await this.#open(ctx, account, req.accounts[i] as OnboardAccount);
    return json({ opened: accounts.length });
  }

  /** The checks of an onboarding, and the public record it would write. */
  async #newAccount(ctx: MarketContext, caller: Caller, req: OnboardAccount): Promise<Account> {
    const key = keys.account(ctx.stub, req.accountId);
    if (await ctx.ledger.get<Account>(key))
      throw new MarketError(ErrorCode.CONFLICT, `account ${req.accountId} already exists`);
    const now = ctx.ledger.now;
    if (req.kyc.validUntil <= now)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'kyc.validUntil is not in the future');
    return {
      v: RECORD_VERSION,
      id: req.accountId,
      operatorMspId: caller.mspId,
      type: req.type,
      status: 'ACTIVE',
      frozen: false,
      kyc: req.kyc,
      personalDataHash: personalDataHash(req.personal, req.salt),
      createdAt: now,
      updatedAt: now,
    };
  }

  /** The writes of an onboarding whose checks passed: the person's data privately, the record publicly. */
  async #open(ctx: MarketContext, account: Account, req: OnboardAccount): Promise<void> {
    const record: PersonalRecord = {
      v: RECORD_VERSION,
      accountId: req.accountId,
      personal: req.personal,
      salt: req.salt,
      updatedAt: account.createdAt,
    };
    // The private write first: it is the one that can still be refused (a collection not sealed yet).
    await ctx.ledger.putPrivate(Holdings.collectionOf(account), privateKeys.personal(req.accountId), record);
    await ctx.ledger.put(keys.account(ctx.stub, req.accountId), account);
    ctx.ledger.emit('AccountOnboarded', {
      accountId: account.id,
      operatorMspId: account.operatorMspId,
      accountType: account.type,
    });
  }

  /** Operator: renews KYC claims, and optionally replaces the personal data (with a new salt). */
  @Transaction()
  @Returns('string')
  public async UpdateKyc(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireOperator(caller);
    const req = transientPayload(ctx, updateKycSchema);
    const account = await this.ownAccount(ctx, caller, req.accountId);
    if (account.status === 'OFFBOARDED')
      throw new MarketError(ErrorCode.CONFLICT, `account ${account.id} is offboarded`);
    const now = ctx.ledger.now;
    const updated: Account = { ...account, kyc: req.kyc, updatedAt: now };
    if (req.personal && req.salt) {
      updated.personalDataHash = personalDataHash(req.personal, req.salt);
      const record: PersonalRecord = {
        v: RECORD_VERSION,
        accountId: account.id,
        personal: req.personal,
        salt: req.salt,
        updatedAt: now,
      };
      await ctx.ledger.putPrivate(Holdings.collectionOf(account), privateKeys.personal(account.id), record);
    }
    await ctx.ledger.put(keys.account(ctx.stub, account.id), updated);
    ctx.ledger.emit('AccountKycUpdated', {
      accountId: account.id,
      operatorMspId: account.operatorMspId,
      validUntil: req.kyc.validUntil,
    });
    return json(updated);
  }

  /**
   * Operator: suspend, reinstate or offboard its own customer. Offboarding is final and needs every
   * balance at zero, so no asset is ever stranded in a closed account.
   */
  @Transaction()
  @Returns('string')
  public async SetStatus(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireOperator(caller);
    const req = parseJsonArg(accountStatusSchema, input);
    const account = await this.ownAccount(ctx, caller, req.accountId);
    if (account.status === 'OFFBOARDED')
      throw new MarketError(ErrorCode.CONFLICT, `account ${account.id} is offboarded; that is final`);
    if (account.status === req.status)
      throw new MarketError(ErrorCode.CONFLICT, `account ${account.id} is already ${req.status}`);
    if (req.status === 'OFFBOARDED') await this.requireNothingHeld(ctx, account);
    const updated: Account = { ...account, status: req.status, updatedAt: ctx.ledger.now };
    await ctx.ledger.put(keys.account(ctx.stub, account.id), updated);
    ctx.ledger.emit('AccountStatusChanged', {
      accountId: account.id,
      operatorMspId: account.operatorMspId,
      status: req.status,
      reason: req.reason,
    });
    return json(updated);
  }

  /** Erasure: an offboarded person's data leaves every peer; the public hash and all history stay. */
  @Transaction()
  public async PurgePersonalData(ctx: MarketContext, accountId: string): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireOperator(caller);
    const account = await this.ownAccount(ctx, caller, parse(idSchema, accountId));
    if (account.status !== 'OFFBOARDED') {
      throw new MarketError(
        ErrorCode.CONFLICT,
        `account ${account.id} must be offboarded before its personal data is purged`,
      );
    }
    await ctx.ledger.purgePrivate(Holdings.collectionOf(account), privateKeys.personal(account.id));
    ctx.ledger.emit('PersonalDataPurged', { accountId: account.id, operatorMspId: account.operatorMspId });
  }

  @Transaction(false)
  @Returns('string')
  public async GetAccount(ctx: MarketContext, accountId: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const account = await getAccount(ctx, parse(idSchema, accountId));
    requireRead(caller, account, (await operatorOf(ctx, account)).trusteeMspId);
    return json(account);
  }

  /** The operator's, its trustee's or the regulator's view of a person (member peers only hold it). */
  @Transaction(false)
  @Returns('string')
  public async GetPersonalData(ctx: MarketContext, accountId: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const account = await getAccount(ctx, parse(idSchema, accountId));
    requireRead(caller, account, (await operatorOf(ctx, account)).trusteeMspId);
    const record = await ctx.ledger.getPrivate<PersonalRecord>(
      Holdings.collectionOf(account),
      privateKeys.personal(account.id),
    );
    if (!record)
      throw new MarketError(ErrorCode.NOT_FOUND, `no personal data for ${account.id} (never stored or purged)`);
    return json(record);
  }

  /**
   * Checks the private record against both commitments: the salted hash in the public account and the
   * hash Fabric itself keeps on chain for the private key.
   */
  @Transaction(false)
  @Returns('string')
  public async VerifyPersonalData(ctx: MarketContext, accountId: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const account = await getAccount(ctx, parse(idSchema, accountId));
    requireRead(caller, account, (await operatorOf(ctx, account)).trusteeMspId);
    const collection = Holdings.collectionOf(account);
    const key = privateKeys.personal(account.id);
    const onChainHash = await ctx.ledger.privateHash(collection, key);
    const record = await ctx.ledger.getPrivate<PersonalRecord>(collection, key);
    const matchesAccount = record ? personalDataHash(record.personal, record.salt) === account.personalDataHash : false;
    return json({
      accountId: account.id,
      present: record !== undefined,
      matchesAccount,
      onChainHash,
      accountHash: account.personalDataHash,
    });
  }

  /** The account's movements, from its operator's collection, newest last (see assets/history.ts). */
  @Transaction(false)
  @Returns('string')
  public async GetHistory(ctx: MarketContext, accountId: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const account = await getAccount(ctx, parse(idSchema, accountId));
    requireRead(caller, account, (await operatorOf(ctx, account)).trusteeMspId);
    const movements = await ctx.ledger.listPrivate<Movement>(Holdings.collectionOf(account), KeyType.MOVEMENT, [
      account.id,
    ]);
    const changes = await ctx.ledger.history<Account>(keys.account(ctx.stub, account.id));
    return json({ accountId: account.id, movements: inLedgerOrder(movements), changes });
  }

  /**
   * Nothing may be stranded in a closed account: no balance, no withdrawal under review (its cancellation
   * would refund a closed account), no pledge waiting for a campaign to settle, no open order's escrow. Only point reads of private data (and public range reads) are used, since
   * this transaction writes afterwards.
   */
  private async requireNothingHeld(ctx: MarketContext, account: Account): Promise<void> {
    const holdings = new Holdings(ctx);
    const collection = Holdings.collectionOf(account);
    for (const asset of await listAssets(ctx)) {
      if ((await holdings.balance(account, asset.id)) !== 0n) {
        throw new MarketError(
          ErrorCode.CONFLICT,
          `account ${account.id} still holds ${asset.id}; empty it before offboarding`,
        );
      }
      if (asset.kind === 'money' && (await new Withdrawals(ctx, holdings).held(account, asset.id)) !== 0n) {
        throw new MarketError(
          ErrorCode.CONFLICT,
          `account ${account.id} has a withdrawal of ${asset.id} under review; let it execute or cancel it first`,
        );
      }
    }
    for (const { value: campaign } of await ctx.ledger.list<Campaign>(KeyType.CAMPAIGN, [])) {
      if (campaign.status !== 'FUNDED' && campaign.status !== 'SETTLING') continue;
      const total = await ctx.ledger.getPrivate<{ amount: string }>(
        collection,
        privateKeys.pledgeTotal(campaign.id, account.id),
      );
      if (total && BigInt(total.amount) > 0n) {
        throw new MarketError(ErrorCode.CONFLICT, `account ${account.id} has pledges in campaign ${campaign.id}`);
      }
    }
    for (const { value: order } of await ctx.ledger.list<Order>(KeyType.ORDER, [])) {
      if (order.status !== 'OPEN' || order.operatorMspId !== account.operatorMspId) continue;
      const escrow = await ctx.ledger.getPrivate<{ accountId: string }>(collection, privateKeys.orderEscrow(order.id));
      if (escrow?.accountId === account.id) {
        throw new MarketError(ErrorCode.CONFLICT, `account ${account.id} has open order ${order.id}; cancel it first`);
      }
    }
  }

  private async ownAccount(ctx: MarketContext, caller: Caller, accountId: string): Promise<Account> {
    const account = await getAccount(ctx, accountId);
    if (account.operatorMspId !== caller.mspId) {
      throw new MarketError(ErrorCode.FORBIDDEN, `account ${accountId} is not a customer of ${caller.mspId}`);
    }
    return account;
  }
}
