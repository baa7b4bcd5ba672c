import { ErrorCode, MarketError, type Account, type Asset, type Participant } from '@ecf/common';
import type { MarketContext } from '../context';
import { keys, KeyType } from '../ledger/keys';

/** Loaders for the public records every rule reads; a missing record is NOT_FOUND. */
export async function getParticipant(ctx: MarketContext, mspId: string): Promise<Participant> {
  const p = await ctx.ledger.get<Participant>(keys.participant(ctx.stub, mspId));
  if (!p) throw new MarketError(ErrorCode.NOT_FOUND, `participant ${mspId} not found`);
  return p;
}

export async function findParticipant(ctx: MarketContext, mspId: string): Promise<Participant | undefined> {
  return ctx.ledger.get<Participant>(keys.participant(ctx.stub, mspId));
}

export async function listParticipants(ctx: MarketContext): Promise<Participant[]> {
  return (await ctx.ledger.list<Participant>(KeyType.PARTICIPANT, [])).map((e) => e.value);
}

export async function getAccount(ctx: MarketContext, id: string): Promise<Account> {
  const a = await ctx.ledger.get<Account>(keys.account(ctx.stub, id));
  if (!a) throw new MarketError(ErrorCode.NOT_FOUND, `account ${id} not found`);
  return a;
}

export async function getAsset(ctx: MarketContext, id: string): Promise<Asset> {
  const a = await ctx.ledger.get<Asset>(keys.asset(ctx.stub, id));
  if (!a) throw new MarketError(ErrorCode.NOT_FOUND, `asset ${id} not found`);
  return a;
}

export async function listAssets(ctx: MarketContext): Promise<Asset[]> {
  return (await ctx.ledger.list<Asset>(KeyType.ASSET, [])).map((e) => e.value);
}

/** The operator of an account and that operator's trustee. */
export async function operatorOf(ctx: MarketContext, account: Account): Promise<Participant> {
  return getParticipant(ctx, account.operatorMspId);
}
