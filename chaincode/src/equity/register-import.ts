import {
  ErrorCode,
  MarketError,
  operatorCollection,
  RECORD_VERSION,
  RegisterRefusal,
  type Account,
  type Asset,
  type ImportRegister,
  type ImportRegisterResult,
  type RegisterImportRecord,
  type RegisterLine,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { checkCredit, refuseUnless } from '../assets/movements';
import { mintEach } from '../assets/supply';
import type { MarketContext } from '../context';
import { keys, privateKeys } from '../ledger/keys';
import { listParticipants } from '../registry/records';
import { isWoundDown } from '../wind-down/record';

/** What a register line left behind once issued, in the holder's operator collection. */
interface RegisterLineRecord {
  v: number;
  registerId: string;
  classId: string;
  line: number;
  accountId: string;
  units: string;
  txId: string;
}

/**
 * One batch of a legacy register becomes the opening issuance of its class (decision 47). Every check
 * comes before the first write, so a refused batch writes nothing: unknown holders (all of them named),
 * a line imported before with other content, a second register for the class, and each holder's
 * receiver rules over the units the batch gives it.
 */
export async function importRegister(
  ctx: MarketContext,
  shareClass: Asset,
  req: ImportRegister,
): Promise<ImportRegisterResult> {
  const accounts = await holdersOf(ctx, req.lines);
  const opened = await ctx.ledger.get<RegisterImportRecord>(keys.registerImport(ctx.stub, shareClass.id));
  if (opened && opened.registerId !== req.registerId) {
    throw new MarketError(
      ErrorCode.CONFLICT,
      `${shareClass.id} was opened from register ${opened.registerId}; a class takes one register`,
    );
  }
  const collections = await markerCollections(ctx, shareClass.trusteeMspId);
  const fresh: RegisterLine[] = [];
  for (const line of req.lines) {
    const done = await findLine(ctx, collections, req.registerId, line.line);
    if (!done) {
      fresh.push(line);
      continue;
    }
    if (done.classId !== shareClass.id || done.accountId !== line.accountId || done.units !== line.units) {
      throw new MarketError(
        ErrorCode.CONFLICT,
        `line ${line.line} of register ${req.registerId} was imported with other content (${done.units} units of ${done.classId} to ${done.accountId})`,
      );
    }
  }
  const holdings = new Holdings(ctx);
  // A holder's lines together: the retail cap is checked against what the batch gives it in total.
  const perHolder = new Map<string, bigint>();
  for (const line of fresh) perHolder.set(line.accountId, (perHolder.get(line.accountId) ?? 0n) + BigInt(line.units));
  for (const [accountId, units] of perHolder) {
    refuseUnless(await checkCredit(ctx, holdings, accounts.get(accountId) as Account, shareClass, units));
  }

  if (!opened && fresh.length > 0) {
    const record: RegisterImportRecord = {
      v: RECORD_VERSION,
      classId: shareClass.id,
      registerId: req.registerId,
      txId: ctx.ledger.txId,
      openedAt: ctx.ledger.now,
    };
    await ctx.ledger.put(keys.registerImport(ctx.stub, shareClass.id), record);
  }
  await mintEach(
    ctx,
    holdings,
    shareClass,
    fresh.map((line) => ({
      account: accounts.get(line.accountId) as Account,
      amount: BigInt(line.units),
      reference: `${req.registerId}#${line.line}`,
    })),
  );
  for (const line of fresh) {
    const account = accounts.get(line.accountId) as Account;
    const marker: RegisterLineRecord = {
      v: RECORD_VERSION,
      registerId: req.registerId,
      classId: shareClass.id,
      line: line.line,
      accountId: line.accountId,
      units: line.units,
      txId: ctx.ledger.txId,
    };
    await ctx.ledger.putPrivate(
      Holdings.collectionOf(account),
      privateKeys.registerLine(req.registerId, line.line),
      marker,
    );
  }
  return {
    registerId: req.registerId,
    classId: shareClass.id,
    imported: fresh.length,
    alreadyImported: req.lines.length - fresh.length,
  };
}

/** Every holder's public record; holders without one are refused together, each named. */
async function holdersOf(ctx: MarketContext, lines: readonly RegisterLine[]): Promise<Map<string, Account>> {
  const accounts = new Map<string, Account>();
  const unknown: string[] = [];
  for (const id of [...new Set(lines.map((l) => l.accountId))].sort()) {
    const account = await ctx.ledger.get<Account>(keys.account(ctx.stub, id));
    if (account) accounts.set(id, account);
    else unknown.push(id);
  }
  if (unknown.length > 0) {
    throw new MarketError(
      ErrorCode.NOT_FOUND,
      `holders with no account on the market: ${unknown.join(', ')}`,
      RegisterRefusal.UNKNOWN_HOLDERS,
    );
  }
  return accounts;
}

/**
 * Where a line's marker can be: the collection of any operator of the class's trustee. A line whose holder
 * changed in the file (even to another operator's customer) is still found there, and refused.
 */
async function markerCollections(ctx: MarketContext, trusteeMspId: string): Promise<string[]> {
  const collections: string[] = [];
  for (const p of await listParticipants(ctx)) {
    if (p.kind !== 'operator' || p.trusteeMspId !== trusteeMspId) continue;
    // A wound-down operator's records now live in its successor's collection (decision 37).
    if (await isWoundDown(ctx, p.mspId)) continue;
    collections.push(operatorCollection(p.mspId));
  }
  return collections;
}

async function findLine(
  ctx: MarketContext,
  collections: readonly string[],
  registerId: string,
  line: number,
): Promise<RegisterLineRecord | undefined> {
  for (const collection of collections) {
    const found = await ctx.ledger.getPrivate<RegisterLineRecord>(
      collection,
      privateKeys.registerLine(registerId, line),
    );
    if (found) return found;
  }
  return undefined;
}
