import {
  ErrorCode,
  KeyType,
  MarketError,
  operatorCollection,
  RECORD_VERSION,
  beneficialOwnerHash,
  type Account,
  type LimitCheck,
  type LimitClaim,
  type LimitDecision,
  type LimitPolicy,
  type LimitUsage,
  type PersonalRecord,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { refuseUnless } from '../assets/movements';
import { yearOf } from '../compliance/check-transfer';
import { REGULATOR_MSP_ID } from '../consortium';
import type { MarketContext } from '../context';
import { keys, limitKeys, privateKeys } from '../ledger/keys';
import { findParticipant, getAsset, listParticipants } from '../registry/records';
import { checkInvestorLimits, type PersonUsage } from './rules';

/** What a capped investment is, for its claim. */
export interface Investment {
  readonly kind: 'pledge' | 'buy';
  readonly id: string;
  readonly tokenId: string;
  readonly issuerAccountId: string;
  readonly amount: bigint;
  readonly campaignId?: string;
  readonly classId?: string;
}

/**
 * Opens the claim of a capped investment (decision 49): PENDING until the custodian trustee decides it.
 * Only keys of this investment are written, in the investor's own operator collection, so no two
 * investments share a key, whoever makes them. An amount that passes a cap on its own is refused at once:
 * that needs nothing about the person's other investments. Undefined when no cap applies: not a retail
 * investor, or no caps on the token.
 */
export async function openClaim(
  ctx: MarketContext,
  account: Account,
  inv: Investment,
): Promise<LimitClaim | undefined> {
  if (account.type !== 'investor' || account.kyc.investorClass !== 'retail') return undefined;
  const policy = await ctx.ledger.get<LimitPolicy>(keys.limitPolicy(ctx.stub, inv.tokenId));
  if (!policy) return undefined;
  refuseUnless(checkInvestorLimits(policy, { total: 0n, issuer: 0n }, inv.amount));
  const collection = Holdings.collectionOf(account);
  const owner = await ownerOf(ctx, account);
  const year = yearOf(ctx.ledger.now);
  const claim: LimitClaim = {
    v: RECORD_VERSION,
    investmentId: inv.id,
    kind: inv.kind,
    accountId: account.id,
    owner,
    tokenId: inv.tokenId,
    issuerAccountId: inv.issuerAccountId,
    year,
    amount: inv.amount.toString(),
    returned: '0',
    status: 'PENDING',
    at: ctx.ledger.now,
    ...(inv.campaignId ? { campaignId: inv.campaignId } : {}),
    ...(inv.classId ? { classId: inv.classId } : {}),
  };
  await ctx.ledger.putPrivate(collection, limitKeys.claim(inv.id), claim);
  await ctx.ledger.putPrivate(collection, limitKeys.owner(owner, inv.tokenId, year, inv.id), {
    v: RECORD_VERSION,
    investmentId: inv.id,
  });
  await ctx.ledger.putPrivate(collection, limitKeys.pending(inv.id), { v: RECORD_VERSION, investmentId: inv.id });
  return claim;
}

/**
 * Gives money that went back to the investor back to its claim: a pledge's refund, a buy's unspent or
 * better-priced escrow. A claim still pending that gets everything back closes without a decision.
 * Investments made before any cap have no claim and give nothing back.
 */
export async function returnToClaim(
  ctx: MarketContext,
  collection: string,
  investmentId: string,
  amount: bigint,
): Promise<void> {
  if (amount <= 0n) return;
  const key = limitKeys.claim(investmentId);
  const claim = await ctx.ledger.getPrivate<LimitClaim>(collection, key);
  if (!claim) return;
  const full = BigInt(claim.amount);
  const returned = BigInt(claim.returned) + amount;
  const next: LimitClaim = { ...claim, returned: (returned > full ? full : returned).toString() };
  if (claim.status === 'PENDING' && returned >= full) {
    next.status = 'CLOSED';
    await ctx.ledger.deletePrivate(collection, limitKeys.pending(investmentId));
  }
  await ctx.ledger.putPrivate(collection, key, next);
}

/**
 * Records the custodian trustee's decision on a pending claim and returns it, or undefined when the claim
 * is no longer pending (withdrawn or cancelled meanwhile, or decided by an earlier batch): the caller then
 * leaves the investment alone. Touches the claim's own keys only.
 */
export async function decideClaim(
  ctx: MarketContext,
  trusteeMspId: string,
  d: LimitDecision,
): Promise<LimitClaim | undefined> {
  const collection = operatorCollection(d.operatorMspId);
  const key = limitKeys.claim(d.investmentId);
  const claim = await ctx.ledger.getPrivate<LimitClaim>(collection, key);
  if (!claim) throw new MarketError(ErrorCode.NOT_FOUND, `no investor-limit claim ${d.investmentId}`);
  const token = await getAsset(ctx, claim.tokenId);
  if (token.trusteeMspId !== trusteeMspId) {
    throw new MarketError(ErrorCode.FORBIDDEN, `only ${token.trusteeMspId} decides claims in ${token.id}`);
  }
  if (claim.status !== 'PENDING') return undefined;
  if (d.decision === 'REFUSE' && !d.code) {
    throw new MarketError(ErrorCode.INVALID_ARGUMENT, `a refusal of ${d.investmentId} needs its compliance code`);
  }
  const decided: LimitClaim = {
    ...claim,
    status: d.decision === 'CONFIRM' ? 'CONFIRMED' : 'REFUSED',
    decidedAt: ctx.ledger.now,
    ...(d.decision === 'REFUSE' ? { code: d.code, message: d.message ?? 'over an investor limit' } : {}),
  };
  await ctx.ledger.putPrivate(collection, key, decided);
  await ctx.ledger.deletePrivate(collection, limitKeys.pending(d.investmentId));
  return decided;
}

/**
 * The trustee's review, run as a query on its own peer (never in a transaction that writes): every pending
 * claim in the tokens it keeps, oldest first, decided against the person's confirmed claims at every
 * operator it serves and the claims this review already confirmed. Reading a person's other claims here
 * records nothing on the ledger, which is why the check is a query and the decision a separate
 * transaction that touches only the decided investment's keys.
 */
export async function reviewPending(ctx: MarketContext, trusteeMspId: string, max: number): Promise<LimitDecision[]> {
  const book = new ClaimBook(ctx, await servedOperators(ctx, trusteeMspId));
  const pending: Array<{ claim: LimitClaim; operatorMspId: string }> = [];
  for (const operatorMspId of book.operators) {
    const collection = operatorCollection(operatorMspId);
    for (const { value } of await ctx.ledger.listPrivate<{ investmentId: string }>(
      collection,
      KeyType.LIMIT_PENDING,
      [],
    )) {
      const claim = await ctx.ledger.getPrivate<LimitClaim>(collection, limitKeys.claim(value.investmentId));
      if (claim?.status !== 'PENDING') continue;
      if ((await getAsset(ctx, claim.tokenId)).trusteeMspId !== trusteeMspId) continue;
      pending.push({ claim, operatorMspId });
    }
  }
  pending.sort((a, b) => a.claim.at - b.claim.at || cmp(a.claim.investmentId, b.claim.investmentId));
  const decisions: LimitDecision[] = [];
  const confirmedHere = new Map<string, bigint>();
  for (const { claim, operatorMspId } of pending.slice(0, max)) {
    const policy = await ctx.ledger.get<LimitPolicy>(keys.limitPolicy(ctx.stub, claim.tokenId));
    const amount = BigInt(claim.amount) - BigInt(claim.returned);
    const base = await book.usage(claim.owner, claim.tokenId, claim.year, claim.issuerAccountId);
    const totalKey = `${claim.owner}|${claim.tokenId}|${claim.year}`;
    const issuerKey = `${totalKey}|${claim.issuerAccountId}`;
    const used: PersonUsage = {
      total: base.total + (confirmedHere.get(totalKey) ?? 0n),
      issuer: base.issuer + (confirmedHere.get(issuerKey) ?? 0n),
    };
    const check = policy ? checkInvestorLimits(policy, used, amount) : undefined;
    if (!check || check.allowed) {
      decisions.push({ investmentId: claim.investmentId, operatorMspId, decision: 'CONFIRM' });
      confirmedHere.set(totalKey, (confirmedHere.get(totalKey) ?? 0n) + amount);
      confirmedHere.set(issuerKey, (confirmedHere.get(issuerKey) ?? 0n) + amount);
    } else {
      decisions.push({
        investmentId: claim.investmentId,
        operatorMspId,
        decision: 'REFUSE',
        code: check.code,
        message: check.message,
      });
    }
  }
  return decisions;
}

/** A person's usage this year, summed from its claims at every operator this peer holds the collection of. */
export async function personUsage(
  ctx: MarketContext,
  account: Account,
  tokenId: string,
  issuerAccountId: string | undefined,
): Promise<LimitUsage> {
  const peer = ctx.ledger.peerMspId;
  const regulator = peer === REGULATOR_MSP_ID;
  if (!regulator && (await findParticipant(ctx, peer))?.kind !== 'trustee') {
    throw new MarketError(ErrorCode.FORBIDDEN, "the investor limits are read on a trustee's or the regulator's peer");
  }
  const operators = await servedOperators(ctx, regulator ? undefined : peer);
  const year = yearOf(ctx.ledger.now);
  const u = await new ClaimBook(ctx, operators).usage(await ownerOf(ctx, account), tokenId, year, issuerAccountId);
  return {
    year,
    total: u.total.toString(),
    pending: u.pending.toString(),
    ...(issuerAccountId === undefined ? {} : { issuerAccountId, issuer: u.issuer.toString() }),
  };
}

/** Where one investment's check stands (its own claim). */
export async function checkOf(ctx: MarketContext, account: Account, investmentId: string): Promise<LimitCheck> {
  const claim = await ctx.ledger.getPrivate<LimitClaim>(Holdings.collectionOf(account), limitKeys.claim(investmentId));
  if (!claim || claim.accountId !== account.id) {
    throw new MarketError(ErrorCode.NOT_FOUND, `no investor-limit check of ${investmentId} for ${account.id}`);
  }
  return {
    investmentId: claim.investmentId,
    kind: claim.kind,
    status: claim.status,
    amount: claim.amount,
    at: claim.at,
    ...(claim.decidedAt === undefined ? {} : { decidedAt: claim.decidedAt }),
    ...(claim.code === undefined ? {} : { code: claim.code }),
    ...(claim.message === undefined ? {} : { message: claim.message }),
  };
}

/** The claims of the operators one peer holds, read once per person, token and year. */
class ClaimBook {
  private readonly byPerson = new Map<string, Promise<LimitClaim[]>>();

  constructor(
    private readonly ctx: MarketContext,
    readonly operators: readonly string[],
  ) {}

  async usage(
    owner: string,
    tokenId: string,
    year: number,
    issuerAccountId: string | undefined,
  ): Promise<{ total: bigint; issuer: bigint; pending: bigint }> {
    let total = 0n;
    let issuer = 0n;
    let pending = 0n;
    for (const c of await this.claims(owner, tokenId, year)) {
      const open = BigInt(c.amount) - BigInt(c.returned);
      if (c.status === 'PENDING') pending += open;
      if (c.status !== 'CONFIRMED') continue;
      total += open;
      if (c.issuerAccountId === issuerAccountId) issuer += open;
    }
    return { total, issuer, pending };
  }

  private claims(owner: string, tokenId: string, year: number): Promise<LimitClaim[]> {
    const k = `${owner}|${tokenId}|${year}`;
    let found = this.byPerson.get(k);
    if (!found) {
      found = this.read(owner, tokenId, year);
      this.byPerson.set(k, found);
    }
    return found;
  }

  private async read(owner: string, tokenId: string, year: number): Promise<LimitClaim[]> {
    const out: LimitClaim[] = [];
    for (const operatorMspId of this.operators) {
      const collection = operatorCollection(operatorMspId);
      const refs = await this.ctx.ledger.listPrivate<{ investmentId: string }>(collection, KeyType.LIMIT_OWNER, [
        owner,
        tokenId,
        String(year),
      ]);
      for (const { value } of refs) {
        const c = await this.ctx.ledger.getPrivate<LimitClaim>(collection, limitKeys.claim(value.investmentId));
        if (c) out.push(c);
      }
    }
    return out;
  }
}

/** The operators a trustee serves, or every operator (the regulator's peer holds every collection). */
async function servedOperators(ctx: MarketContext, trusteeMspId: string | undefined): Promise<string[]> {
  return (await listParticipants(ctx))
    .filter((p) => p.kind === 'operator' && (trusteeMspId === undefined || p.trusteeMspId === trusteeMspId))
    .map((p) => p.mspId)
    .sort(cmp);
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

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
