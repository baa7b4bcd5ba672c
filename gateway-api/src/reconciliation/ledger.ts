import { errorCodeOf, RegisterRefusal, type Asset, type ImportRegisterResult, type SupplyReport } from '@ecf/common';
import type { FabricPort } from '../fabric/types';
import { parseRegisterCsv, reconcileRegister, registerBatches, type RegisterReport } from './register';
import { parseStatement, type StatementFormat } from './statement';
import { reconcileTrustAccounts, type TrustAccountReport } from './trust-account';

/** The chaincode calls reconciliation makes, as one identity of the trustee. */
export interface Ledger {
  evaluate(fn: string, opts?: { args?: string[]; transient?: unknown }): Promise<unknown>;
  submit(fn: string, opts?: { transient?: unknown }): Promise<unknown>;
}

/** The gateway's Fabric port, signing as `identity`, each call bounded by `timeoutMs`. */
export function ledgerOver(port: Pick<FabricPort, 'evaluate' | 'submit'>, identity: string, timeoutMs: number): Ledger {
  return {
    evaluate: (fn, opts = {}) => port.evaluate(identity, { fn, ...opts, deadline: Date.now() + timeoutMs }),
    submit: async (fn, opts = {}) =>
      (await port.submit(identity, { fn, ...opts, deadline: Date.now() + timeoutMs })).result,
  };
}

/** A register refused before anything was written; `holders` lists every unknown one. */
export class RegisterRefused extends Error {
  override readonly name = 'RegisterRefused';
  constructor(
    readonly code: keyof typeof RegisterRefusal,
    readonly holders: readonly string[],
  ) {
    super(`${code}: holders with no account on the market: ${holders.join(', ')}; nothing was imported`);
  }
}

/** The trustee's end-of-day check: its statement against the supply of each of its money tokens. */
export async function trustAccountReport(
  ledger: Ledger,
  trusteeMspId: string,
  statement: string,
  format?: StatementFormat,
): Promise<TrustAccountReport> {
  const balances = parseStatement(statement, format);
  const assets = (await ledger.evaluate('Registry:ListAssets')) as Asset[];
  const tokens = assets.filter((a) => a.kind === 'money' && a.trusteeMspId === trusteeMspId);
  const supplies = [];
  for (const token of tokens) {
    supplies.push({
      tokenId: token.id,
      currency: token.currency ?? '',
      decimals: token.decimals,
      supply: BigInt((await supplyOf(ledger, token.id)).supply),
    });
  }
  return reconcileTrustAccounts(balances, supplies);
}

export interface ImportSummary {
  readonly registerId: string;
  readonly batches: number;
  readonly classes: Array<{ classId: string; imported: number; alreadyImported: number }>;
}

/**
 * Imports a register of members file. Every batch is simulated first: unknown holders anywhere in the
 * file, or any other refusal, stop the import before the first write. Then the batches are submitted in
 * order; each is idempotent by register line, so a rerun (after a failure half-way) completes the import
 * and changes nothing already done.
 */
export async function importRegisterFile(ledger: Ledger, registerId: string, csv: string): Promise<ImportSummary> {
  const batches = registerBatches(registerId, parseRegisterCsv(csv));
  const unknown = new Set<string>();
  for (const batch of batches) {
    try {
      await ledger.evaluate('Equity:ImportRegister', { transient: batch });
    } catch (err) {
      const listed = unknownHoldersIn(err);
      if (!listed) throw err;
      for (const holder of listed) unknown.add(holder);
    }
  }
  if (unknown.size > 0) throw new RegisterRefused('UNKNOWN_HOLDERS', [...unknown].sort());
  const classes = new Map<string, { classId: string; imported: number; alreadyImported: number }>();
  for (const batch of batches) {
    const r = (await ledger.submit('Equity:ImportRegister', { transient: batch })) as ImportRegisterResult;
    const c = classes.get(r.classId) ?? { classId: r.classId, imported: 0, alreadyImported: 0 };
    c.imported += r.imported;
    c.alreadyImported += r.alreadyImported;
    classes.set(r.classId, c);
  }
  return { registerId, batches: batches.length, classes: [...classes.values()] };
}

/** The register file against the ledger: every holding and every class total (register.ts). */
export async function registerReport(ledger: Ledger, csv: string): Promise<RegisterReport> {
  return reconcileRegister(parseRegisterCsv(csv), {
    balance: async (accountId, classId) => {
      try {
        const r = (await ledger.evaluate('Transfers:GetBalance', {
          args: [JSON.stringify({ accountId, assetId: classId })],
        })) as { balance: string };
        return BigInt(r.balance);
      } catch (err) {
        if (errorCodeOf((err as Error).message) === 'NOT_FOUND' && /account/.test((err as Error).message))
          return undefined;
        throw err;
      }
    },
    supply: async (classId) => BigInt((await supplyOf(ledger, classId)).supply),
  });
}

async function supplyOf(ledger: Ledger, assetId: string): Promise<SupplyReport> {
  return (await ledger.evaluate('Supervision:CheckSupply', { args: [JSON.stringify({ assetId })] })) as SupplyReport;
}

/** The holders an `UNKNOWN_HOLDERS` refusal names (the chaincode's message ends with them), else undefined. */
function unknownHoldersIn(err: unknown): string[] | undefined {
  const m = new RegExp(`${RegisterRefusal.UNKNOWN_HOLDERS}: [^:]*: (.*)$`).exec((err as Error).message ?? '');
  return m?.[1]?.split(', ').filter((h) => h !== '');
}
