import { expect } from 'chai';
import type { SupplyReport } from '@ecf/common';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, createShareClass } from '../support/client';
import { gatewayCli } from '../support/http';
import { sharedMarket, SHARED_MONEY, type SharedMarket } from '../support/shared-network';
import { balanceOf, onboardAccount } from '../support/market-steps';

const MYR = SHARED_MONEY;
const CLASS = 'reg-ORD';
const TRUST_ACCOUNT = '5140-1188-2231-9075';
const salt = 'cmVjb25jaWxpYXRpb24tc2FsdA==';

/** A bank's camt.053 end-of-day statement of one MYR trust account (as in gateway-api/fixtures). */
function camt053(closing: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>EOD-E2E-1</MsgId><CreDtTm>2026-12-03T23:59:00+08:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-MYR-E2E</Id>
      <Acct><Id><Othr><Id>${TRUST_ACCOUNT}</Id></Othr></Id><Ccy>MYR</Ccy></Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="MYR">${closing}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2026-12-03</Dt></Dt>
      </Bal>
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}

/** Smallest units of a 2-decimal token as currency units: 123456 → "1234.56". */
const units2 = (minor: bigint) => `${minor / 100n}.${(minor % 100n).toString().padStart(2, '0')}`;

describe("reconciliation with the world outside: the trustee's bank statement and a legacy register", function () {
  this.timeout(600_000);
  let market: SharedMarket;
  let trustee: Client;
  let dir: string;

  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  /** Runs a trustee's back-office command; its JSON report goes to a file. */
  const cli = async (...args: string[]): Promise<{ stdout: string; report: Record<string, unknown> }> => {
    const out = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
    const stdout = await gatewayCli(market.net, ...args, '--org', 'Trustee', '--out', out);
    return { stdout, report: JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown> };
  };
  const onboard = (org: string, accountId: string, type: 'investor' | 'issuer', investorClass = 'retail') =>
    onboardAccount(market.pool.get(org), accountId, type, salt, { investorClass });
  const balance = (accountId: string, assetId: string) => balanceOf(trustee, accountId, assetId);

  before(async () => {
    market = await sharedMarket();
    trustee = market.pool.get('Trustee');
    dir = mkdtempSync(join(tmpdir(), 'ecf-reconciliation-'));
    await Promise.all([
      onboard('OperatorA', 'bank-ann', 'investor'),
      onboard('OperatorA', 'reg-issuer', 'issuer', 'sophisticated'),
      onboard('OperatorA', 'reg-ann', 'investor'),
      onboard('OperatorB', 'reg-ben', 'investor', 'sophisticated'),
    ]);
    await trustee.submit('Money:Deposit', {
      transient: { accountId: 'bank-ann', tokenId: MYR, amount: '123456', bankReference: 'bank-DEP-1' },
    });
    await createShareClass(trustee, CLASS, 'reg-issuer');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a break of exactly the seeded size in a camt.053 statement, and none in a matching CSV', async () => {
    const { supply } = await trustee.evaluate<SupplyReport>('Supervision:CheckSupply', {
      args: [JSON.stringify({ assetId: MYR })],
    });
    const minted = BigInt(supply);
    expect(minted >= 123456n).to.equal(true);
    // The bank holds 12.34 MYR less than the tokens in circulation: an unbacked 1,234 sen.
    const seeded = 1234n;
    const started = Date.now();
    const { stdout, report } = await cli(
      'reconcile',
      'trust-account',
      '--statement',
      file('eod.xml', camt053(units2(minted - seeded))),
    );
    console.log(`      trust-account reconciliation (camt.053): ${Date.now() - started} ms (CLI process included)`);
    const breaks = report.breaks as Array<Record<string, unknown>>;
    expect(breaks.filter((b) => b.currency === 'MYR')).to.deep.equal([
      {
        currency: 'MYR',
        tokenId: MYR,
        accounts: ['****9075'],
        statementBalance: units2(minted - seeded),
        tokenSupply: units2(minted),
        tokenSupplyMinor: minted.toString(),
        difference: '-12.34',
        differenceMinor: '-1234',
        status: 'BALANCE_MISMATCH',
      },
    ]);
    expect(stdout).not.to.contain(TRUST_ACCOUNT);
    expect(JSON.stringify(report)).not.to.contain(TRUST_ACCOUNT);

    const csv = `account,currency,date,closing_balance\n${TRUST_ACCOUNT},MYR,2026-12-03,${units2(minted)}\n`;
    const matched = await cli('reconcile', 'trust-account', '--statement', file('eod.csv', csv), '--format', 'csv');
    const myr = (matched.report.positions as Array<Record<string, unknown>>).find((p) => p.currency === 'MYR');
    expect(myr).to.deep.include({ status: 'MATCHED', difference: '0.00' });
  });

  it('imports a legacy register once, refusing unknown holders first; it then reconciles with zero breaks', async () => {
    // 250 lines, so the import takes two batches: odd lines to reg-ann, even lines to reg-ben, line n holds n units.
    const lines = Array.from({ length: 250 }, (_, i) => i + 1);
    const holderOf = (n: number) => (n % 2 === 1 ? 'reg-ann' : 'reg-ben');
    const register = `holder,class,units\n${lines.map((n) => `${holderOf(n)},${CLASS},${n}\n`).join('')}`;
    // An unknown holder refuses the whole file, naming it, before anything is written.
    const refused = await gatewayCli(
      market.net,
      'register',
      'import',
      '--org',
      'Trustee',
      '--register-id',
      'reg-legacy-1',
      '--file',
      file('register-ghost.csv', `${register}reg-ghost,${CLASS},5\n`),
    ).then(
      () => 'accepted',
      (err: Error) => err.message,
    );
    expect(refused).to.contain('UNKNOWN_HOLDERS: holders with no account on the market: reg-ghost');
    expect(await balance('reg-ann', CLASS)).to.equal('0');

    const path = file('register.csv', register);
    let started = Date.now();
    const first = await cli('register', 'import', '--register-id', 'reg-legacy-1', '--file', path);
    console.log(`      register import, 250 lines in 2 batches: ${Date.now() - started} ms (CLI process included)`);
    expect(first.report).to.deep.include({
      batches: 2,
      classes: [{ classId: CLASS, imported: 250, alreadyImported: 0 }],
    });
    started = Date.now();
    const rerun = await cli('register', 'import', '--register-id', 'reg-legacy-1', '--file', path);
    console.log(`      rerun of the same import: ${Date.now() - started} ms`);
    expect(rerun.report.classes).to.deep.equal([{ classId: CLASS, imported: 0, alreadyImported: 250 }]);
    // 1 + 3 + … + 249 = 125², and 2 + 4 + … + 250 = 125 × 126.
    expect([await balance('reg-ann', CLASS), await balance('reg-ben', CLASS)]).to.deep.equal(['15625', '15750']);
    const supply = await trustee.evaluate<SupplyReport>('Supervision:CheckSupply', {
      args: [JSON.stringify({ assetId: CLASS })],
    });
    expect(supply).to.include({ supply: '31375', held: '31375', consistent: true });

    started = Date.now();
    const reconciled = await cli('register', 'reconcile', '--file', path);
    console.log(`      register reconciliation: ${Date.now() - started} ms`);
    expect(reconciled.report.breaks).to.deep.equal([]);
    const changed = await cli(
      'register',
      'reconcile',
      '--file',
      file('changed.csv', register.replace(`\nreg-ben,${CLASS},2\n`, `\nreg-ben,${CLASS},12\n`)),
    );
    expect(changed.report.breaks).to.deep.equal([
      {
        kind: 'HOLDING_MISMATCH',
        classId: CLASS,
        accountId: 'reg-ben',
        lines: lines.filter((n) => n % 2 === 0),
        register: '15760',
        ledger: '15750',
        difference: '10',
      },
      { kind: 'UNREGISTERED_UNITS', classId: CLASS, register: '31385', ledger: '31375', difference: '10' },
    ]);
  });
});
