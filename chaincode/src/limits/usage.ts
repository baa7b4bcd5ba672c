import {
  ErrorCode,
  INVESTOR_LIMITS_COLLECTION,
  MarketError,
  RECORD_VERSION,
  beneficialOwnerHash,
  type Account,
  type LimitPolicy,
  type LimitUsage,
  type PersonalRecord,
  type Participant,
  type TransferCheck,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { requireWithinLimit } from '../assets/limits';
import { REGULATOR_MSP_ID } from '../consortium';
import type { MarketContext } from '../context';
import { keys, limitKeys, privateKeys, type PrivateKey } from '../ledger/keys';
import { checkInvestorLimits, type PersonUsage } from './rules';

interface UsageRecord {
  v: number;
  amount: string;
}

/**
 * One person's counters for one token, issuer and year, in the investor-limits collection (decision 49).
 * The keys start with the person's beneficial-owner hash, which the ledger blinds under the collection's
 * seal: the stored key says neither who nor which operator.
 */
export class PersonLimits {
  private constructor(
    private readonly ctx: MarketContext,
    readonly policy: LimitPolicy,
    private readonly keys: { total: PrivateKey; issuer: PrivateKey },
    readonly used: PersonUsage,
  ) {}

  /**
   * The counters that apply to this investment, or undefined where none do: not a retail investor, or no
   * caps for the token. On a peer outside the collection (an operator's) a capped investment is refused:
   * the client names the regulator's and the trustee's peers as endorsers (the gateway does).
   */
  static async open(
    ctx: MarketContext,
    account: Account,
    tokenId: string,
    issuerAccountId: string,
    year: number,
  ): Promise<PersonLimits | undefined> {
    if (account.type !== 'investor' || account.kyc.investorClass !== 'retail') return undefined;
    const policy = await ctx.ledger.get<LimitPolicy>(keys.limitPolicy(ctx.stub, tokenId));
    if (!policy) return undefined;
    if (!(await holdsLimits(ctx))) {
      // Fails here rather than simulating without the counters: an endorsement that left them out would
      // not match the members' and could never commit anyway.
      throw new MarketError(
        ErrorCode.UNAVAILABLE,
        `${tokenId} has investor limits: endorse on the regulator's and the trustee's peers, which hold them`,
      );
    }
    const owner = await ownerOf(ctx, account);
    const k = {
      total: limitKeys.yearTotal(owner, tokenId, year),
      issuer: limitKeys.yearIssuer(owner, tokenId, year, issuerAccountId),
    };
    const [total, issuer] = await Promise.all([read(ctx, k.total), read(ctx, k.issuer)]);
    return new PersonLimits(ctx, policy, k, { total, issuer });
  }

  check(amount: bigint): TransferCheck {
    return checkInvestorLimits(this.policy, this.used, amount);
  }

  /** Adds an investment (positive) or takes back a withdrawn one (negative), never below zero. */
  async add(delta: bigint): Promise<void> {
    const total = clamp(this.used.total + delta);
    const issuer = clamp(this.used.issuer + delta);
    requireWithinLimit(total, 'an investor limit usage');
    await write(this.ctx, this.keys.total, total);
    await write(this.ctx, this.keys.issuer, issuer);
  }
}

/**
 * Counts a buy's fill inside a Match if it still fits the buyer's caps, and says whether it did. The check
 * sees the fills this Match already counted (the ledger reads the transaction's own writes), so two resting
 * orders of one person, each within the headroom when the Match began, cannot both fill past the cap.
 * Nothing is written when the fill does not fit.
 */
export async function countFill(
  ctx: MarketContext,
  buyer: Account,
  tokenId: string,
  issuerAccountId: string,
  year: number,
  paid: bigint,
): Promise<boolean> {
  const limits = await PersonLimits.open(ctx, buyer, tokenId, issuerAccountId, year);
  if (!limits) return true;
  if (!limits.check(paid).allowed) return false;
  await limits.add(paid);
  return true;
}

/**
 * Gives back what a counted pledge returns to its investor (a failed campaign's refund, or the part of a
 * pledge a campaign did not allocate), from the year that counted it. A pledge made before any cap carries
 * no `limitYear` and gives nothing back.
 */
export async function releasePledgeUsage(
  ctx: MarketContext,
  account: Account,
  pledge: { readonly tokenId: string; readonly limitYear?: number },
  issuerAccountId: string,
  amount: bigint,
): Promise<void> {
  if (pledge.limitYear === undefined || amount <= 0n) return;
  const limits = await PersonLimits.open(ctx, account, pledge.tokenId, issuerAccountId, pledge.limitYear);
  await limits?.add(-amount);
}

/** What a person has used this year, for the regulator and the trustee (evaluated on their own peers). */
export async function personUsage(
  ctx: MarketContext,
  account: Account,
  tokenId: string,
  issuerAccountId: string | undefined,
  year: number,
): Promise<LimitUsage> {
  if (!(await holdsLimits(ctx))) {
    throw new MarketError(ErrorCode.FORBIDDEN, "the investor limits are read on a trustee's or the regulator's peer");
  }
  const owner = await ownerOf(ctx, account);
  const total = await read(ctx, limitKeys.yearTotal(owner, tokenId, year));
  if (issuerAccountId === undefined) return { year, total: total.toString() };
  const issuer = await read(ctx, limitKeys.yearIssuer(owner, tokenId, year, issuerAccountId));
  return { year, total: total.toString(), issuerAccountId, issuer: issuer.toString() };
}

/** The person behind an account, from the personal data in its operator's collection. */
async function ownerOf(ctx: MarketContext, account: Account): Promise<string> {
  const personal = await ctx.ledger.getPrivate<PersonalRecord>(
    Holdings.collectionOf(account),
    privateKeys.personal(account.id),
  );
  if (!personal) throw new MarketError(ErrorCode.CONFLICT, `account ${account.id} has no personal data on file`);
  return beneficialOwnerHash(personal.personal);
}

/** Whether this peer is in the investor-limits collection: the regulator's or a trustee's. */
async function holdsLimits(ctx: MarketContext): Promise<boolean> {
  const peer = ctx.ledger.peerMspId;
  if (peer === REGULATOR_MSP_ID) return true;
  const participant = await ctx.ledger.get<Participant>(keys.participant(ctx.stub, peer));
  return participant?.kind === 'trustee';
}

async function read(ctx: MarketContext, key: PrivateKey): Promise<bigint> {
  const r = await ctx.ledger.getPrivate<UsageRecord>(INVESTOR_LIMITS_COLLECTION, key);
  return r ? BigInt(r.amount) : 0n;
}

async function write(ctx: MarketContext, key: PrivateKey, amount: bigint): Promise<void> {
  await ctx.ledger.putPrivate(INVESTOR_LIMITS_COLLECTION, key, { v: RECORD_VERSION, amount: amount.toString() });
}

const clamp = (n: bigint): bigint => (n < 0n ? 0n : n);
