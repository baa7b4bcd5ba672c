import { amountSchema, idSchema, REGISTER_BATCH_MAX, type ImportRegister } from '@ecf/common';
import { StatementError } from './decimal';
import { readCsv } from './statement';

/** One line of a register of members: who holds how many units of which class. */
export interface RegisterEntry {
  /** 1 = the first line after the header. */
  readonly line: number;
  /** The holder's reference, which is its account id on the market (the operator onboarded it). */
  readonly accountId: string;
  readonly classId: string;
  /** Units in the class's smallest unit (decimal string). */
  readonly units: string;
}

const REGISTER_COLUMNS = ['holder', 'class', 'units'];

/**
 * A register of members as CSV: a header `holder, class, units` and one line per holding. Every line is
 * checked before anything is sent, and all faults are reported at once by line number (never by value:
 * the file is the issuer's register).
 */
export function parseRegisterCsv(csv: string): RegisterEntry[] {
  const rows = readCsv(csv, REGISTER_COLUMNS);
  if (rows.length === 0) throw new StatementError('the register has no line');
  const faults: string[] = [];
  const entries = rows.map((row, i) => {
    const line = i + 1;
    const bad = (
      [
        ['holder', idSchema],
        ['class', idSchema],
        ['units', amountSchema],
      ] as const
    )
      .filter(([column, schema]) => !schema.safeParse(row[column]).success)
      .map(([column]) => column);
    if (bad.length > 0) faults.push(`line ${line}: ${bad.join(', ')}`);
    return { line, accountId: row.holder ?? '', classId: row.class ?? '', units: row.units ?? '' };
  });
  if (faults.length > 0) {
    throw new StatementError(
      `invalid register lines (holder and class: account and class ids; units: a whole number of the class's smallest unit, 1 to 2^63-1): ${faults.join('; ')}`,
    );
  }
  return entries;
}

/** The register as `Equity:ImportRegister` payloads: per class, in file order, at most `size` lines each. */
export function registerBatches(
  registerId: string,
  entries: readonly RegisterEntry[],
  size = REGISTER_BATCH_MAX,
): ImportRegister[] {
  const batches: ImportRegister[] = [];
  for (const classId of [...new Set(entries.map((e) => e.classId))]) {
    const lines = entries
      .filter((e) => e.classId === classId)
      .map(({ line, accountId, units }) => ({ line, accountId, units }));
    for (let i = 0; i < lines.length; i += size) batches.push({ registerId, classId, lines: lines.slice(i, i + size) });
  }
  return batches;
}

export type RegisterBreakKind = 'HOLDING_MISMATCH' | 'UNKNOWN_HOLDER' | 'UNREGISTERED_UNITS';

export interface RegisterBreak {
  readonly kind: RegisterBreakKind;
  readonly classId: string;
  /** The holder, for a holding; absent for a class total. */
  readonly accountId?: string;
  /** The register lines behind the figure. */
  readonly lines?: number[];
  /** Units by the register (decimal string, smallest unit). */
  readonly register: string;
  /** Units on the ledger: the holder's balance, or the class's supply. */
  readonly ledger: string;
  /** Register minus ledger. */
  readonly difference: string;
}

export interface RegisterReport {
  readonly classes: Array<{ classId: string; registerUnits: string; ledgerSupply: string }>;
  readonly holdings: number;
  readonly breaks: RegisterBreak[];
}

/** What the ledger says, read by the caller: a holder's balance (undefined: no such account), a class's supply. */
export interface RegisterLedger {
  balance(accountId: string, classId: string): Promise<bigint | undefined>;
  supply(classId: string): Promise<bigint>;
}

/**
 * The register against the ledger: every holding (a holder's lines of a class, summed) against the
 * holder's balance, and every class's register total against its supply, which catches units on the
 * ledger that the register does not list.
 */
export async function reconcileRegister(
  entries: readonly RegisterEntry[],
  ledger: RegisterLedger,
): Promise<RegisterReport> {
  const holdings = new Map<string, { classId: string; accountId: string; units: bigint; lines: number[] }>();
  for (const e of entries) {
    const key = JSON.stringify([e.classId, e.accountId]);
    const h = holdings.get(key) ?? { classId: e.classId, accountId: e.accountId, units: 0n, lines: [] };
    h.units += BigInt(e.units);
    h.lines.push(e.line);
    holdings.set(key, h);
  }
  const breaks: RegisterBreak[] = [];
  const totals = new Map<string, bigint>();
  for (const h of holdings.values()) {
    totals.set(h.classId, (totals.get(h.classId) ?? 0n) + h.units);
    const balance = await ledger.balance(h.accountId, h.classId);
    if (balance === h.units) continue;
    breaks.push({
      kind: balance === undefined ? 'UNKNOWN_HOLDER' : 'HOLDING_MISMATCH',
      classId: h.classId,
      accountId: h.accountId,
      lines: h.lines,
      register: h.units.toString(),
      ledger: (balance ?? 0n).toString(),
      difference: (h.units - (balance ?? 0n)).toString(),
    });
  }
  const classes: RegisterReport['classes'] = [];
  for (const [classId, total] of totals) {
    const supply = await ledger.supply(classId);
    classes.push({ classId, registerUnits: total.toString(), ledgerSupply: supply.toString() });
    if (supply !== total) {
      breaks.push({
        kind: 'UNREGISTERED_UNITS',
        classId,
        register: total.toString(),
        ledger: supply.toString(),
        difference: (total - supply).toString(),
      });
    }
  }
  return { classes, holdings: holdings.size, breaks };
}
