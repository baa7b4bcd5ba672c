import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseDecimal, StatementError, type Scaled } from './decimal';

/** One trust account's end-of-day position, as the bank stated it. */
export interface StatementBalance {
  /** The account number (IBAN or the bank's own); never logged, and masked in every report. */
  readonly account: string;
  /** ISO 4217. */
  readonly currency: string;
  /** The statement's date for the closing balance, YYYY-MM-DD. */
  readonly date: string;
  /** Closing booked balance in currency units, signed (a debit balance is negative). */
  readonly closing: Scaled;
}

export type StatementFormat = 'camt.053' | 'csv';

const CURRENCY = /^[A-Z]{3}$/;
const DATE = /^\d{4}-\d{2}-\d{2}/;

/** The statement's format from its first characters: XML is camt.053, anything else is read as CSV. */
export function detectFormat(text: string): StatementFormat {
  return text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('<')
    ? 'camt.053'
    : 'csv';
}

export function parseStatement(text: string, format: StatementFormat = detectFormat(text)): StatementBalance[] {
  const balances = format === 'camt.053' ? parseCamt053(text) : parseStatementCsv(text);
  if (balances.length === 0) throw new StatementError('the statement holds no closing balance');
  const seen = new Set<string>();
  for (const b of balances) {
    if (seen.has(b.account)) throw new StatementError(`account ${maskAccount(b.account)} appears twice`);
    seen.add(b.account);
  }
  return balances;
}

/** What a report shows of an account number: its last four characters. */
export function maskAccount(account: string): string {
  return `****${account.slice(-4)}`;
}

type Node = Record<string, unknown>;
const ARRAYS = new Set(['Stmt', 'Bal']);

/**
 * ISO 20022 camt.053 (BankToCustomerStatement), any version: each `Stmt` is one account, and its `Bal`
 * of type CLBD (closing booked) is the end-of-day balance. Amounts stay strings (`parseTagValue: false`),
 * so no digit is lost to a float; entities are not expanded and a DOCTYPE is refused, since a bank's
 * statement never needs one and an expanding entity is the classic attack on XML parsers.
 */
export function parseCamt053(xml: string): StatementBalance[] {
  if (/<!DOCTYPE/i.test(xml)) throw new StatementError('the statement carries a DOCTYPE; camt.053 needs none');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new StatementError(`not well-formed XML (line ${valid.err.line}): ${valid.err.msg}`);
  const options = {
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
    isArray: (name: string) => ARRAYS.has(name.replace(/^.*:/, '')),
  };
  const namespace = documentNamespace(new XMLParser(options).parse(xml) as Node);
  if (namespace !== undefined && !namespace.startsWith('urn:iso:std:iso:20022:tech:xsd:camt.053.')) {
    throw new StatementError(`the document is ${namespace.split(':').pop()}, not a camt.053 statement`);
  }
  const doc = new XMLParser({ ...options, removeNSPrefix: true }).parse(xml) as Node;
  const document = doc.Document as Node | undefined;
  const report = document?.BkToCstmrStmt as Node | undefined;
  if (!report) throw new StatementError('no Document/BkToCstmrStmt: not a camt.053 statement');
  return ((report.Stmt as Node[] | undefined) ?? []).map((stmt, i) => statementOf(stmt, i + 1));
}

/** The namespace of the root `Document`, whether it is the default one or bound to a prefix. */
function documentNamespace(doc: Node): string | undefined {
  const [name, root] = Object.entries(doc).find(([key]) => key === 'Document' || key.endsWith(':Document')) ?? [];
  if (!name || typeof root !== 'object' || root === null) return undefined;
  const prefix = name.includes(':') ? `:${name.split(':')[0]}` : '';
  const ns = (root as Node)[`@xmlns${prefix}`];
  return typeof ns === 'string' ? ns : undefined;
}

function statementOf(stmt: Node, n: number): StatementBalance {
  const where = `statement ${n}`;
  const acct = (stmt.Acct ?? {}) as Node;
  const id = (acct.Id ?? {}) as Node;
  const account = text(id.IBAN) ?? text((id.Othr as Node | undefined)?.Id);
  if (!account) throw new StatementError(`${where}: no account id (Acct/Id/IBAN or Acct/Id/Othr/Id)`);
  const closing = ((stmt.Bal as Node[] | undefined) ?? []).filter(
    (b) => text(((b.Tp as Node | undefined)?.CdOrPrtry as Node | undefined)?.Cd) === 'CLBD',
  );
  if (closing.length !== 1)
    throw new StatementError(`${where}: ${closing.length} closing booked (CLBD) balances, not 1`);
  const bal = closing[0] as Node;
  const amt = bal.Amt as Node | string | undefined;
  const amount = typeof amt === 'object' ? text(amt['#text']) : text(amt);
  const currency = (typeof amt === 'object' ? text(amt['@Ccy']) : undefined) ?? text(acct.Ccy);
  if (!amount || !currency || !CURRENCY.test(currency)) {
    throw new StatementError(`${where}: the closing balance needs an amount and an ISO 4217 currency (Amt/@Ccy)`);
  }
  if (text(acct.Ccy) && text(acct.Ccy) !== currency) {
    throw new StatementError(`${where}: the closing balance is in ${currency}, the account in ${text(acct.Ccy)}`);
  }
  const indicator = text(bal.CdtDbtInd);
  if (indicator !== 'CRDT' && indicator !== 'DBIT')
    throw new StatementError(`${where}: CdtDbtInd must be CRDT or DBIT`);
  const parsed = parseDecimal(amount, `${where}: the closing balance`);
  if (parsed.value < 0n) throw new StatementError(`${where}: a camt.053 amount carries its sign in CdtDbtInd`);
  const dt = (bal.Dt ?? {}) as Node;
  const date = (text(dt.Dt) ?? text(dt.DtTm))?.slice(0, 10);
  if (!date || !DATE.test(date)) throw new StatementError(`${where}: the closing balance has no date (Dt/Dt)`);
  return {
    account,
    currency,
    date,
    closing: indicator === 'DBIT' ? { ...parsed, value: -parsed.value } : parsed,
  };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  return undefined;
}

const CSV_COLUMNS = ['account', 'currency', 'date', 'closing_balance'];

/**
 * The CSV a bank portal exports, reduced to what reconciliation needs: a header `account, currency, date,
 * closing_balance` (in any order) and one row per trust account; a debit balance has a leading minus.
 */
export function parseStatementCsv(csv: string): StatementBalance[] {
  const rows = readCsv(csv, CSV_COLUMNS);
  return rows.map((row, i) => {
    const where = `row ${i + 1}`;
    const currency = row.currency ?? '';
    if (!CURRENCY.test(currency)) throw new StatementError(`${where}: currency must be an ISO 4217 code`);
    const date = row.date ?? '';
    if (!DATE.test(date)) throw new StatementError(`${where}: date must be YYYY-MM-DD`);
    if (!row.account) throw new StatementError(`${where}: no account`);
    return {
      account: row.account,
      currency,
      date: date.slice(0, 10),
      closing: parseDecimal(row.closing_balance ?? '', `${where}: closing_balance`),
    };
  });
}

/** Rows of a CSV with a header naming exactly `columns` (any order); quoting as RFC 4180. */
export function readCsv(csv: string, columns: readonly string[]): Array<Record<string, string>> {
  let rows: Array<Record<string, string>>;
  try {
    rows = parseCsv(csv, {
      bom: true,
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
    });
  } catch (err) {
    // Some of csv-parse's messages quote the field they stopped at: only its code and line are passed on.
    const { code, lines } = err as { code?: string; lines?: number };
    throw new StatementError(`not a readable CSV: ${code ?? 'unreadable'} at line ${lines ?? '?'}`);
  }
  const header = rows[0] ? Object.keys(rows[0]) : [];
  const missing = columns.filter((c) => !header.includes(c));
  if (rows.length > 0 && (missing.length > 0 || header.length !== columns.length)) {
    throw new StatementError(`the header must name exactly: ${columns.join(', ')}`);
  }
  return rows;
}
