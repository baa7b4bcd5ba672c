import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDecimal, parseDecimal } from './decimal';
import { parseCamt053, parseStatement, parseStatementCsv } from './statement';
import { reconcileTrustAccounts, type TokenSupply } from './trust-account';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/reconciliation', name), 'utf8');
const MYR_ACCOUNT = '5140-1188-2231-9075';
const myr = (supply: bigint, decimals = 2): TokenSupply => ({
  tokenId: 'TrusteeMSP.MYR',
  currency: 'MYR',
  decimals,
  supply,
});

describe('trust-account statements: ISO 20022 camt.053 and CSV', () => {
  it("reads each account's closing booked balance from camt.053, signed by its credit/debit indicator", () => {
    const balances = parseCamt053(fixture('statement.camt053.xml'));
    expect(balances.map((b) => ({ ...b, closing: formatDecimal(b.closing) }))).to.deep.equal([
      { account: MYR_ACCOUNT, currency: 'MYR', date: '2026-12-03', closing: '125000.5' },
      { account: 'MY12TRST00000000004421', currency: 'USD', date: '2026-12-03', closing: '-10.25' },
    ]);
  });

  it('reads the same balances from the CSV export, and tells the formats apart by content', () => {
    expect(parseStatementCsv(fixture('statement.csv'))).to.deep.equal(parseCamt053(fixture('statement.camt053.xml')));
    expect(parseStatement(fixture('statement.csv'))).to.deep.equal(parseStatement(fixture('statement.camt053.xml')));
  });

  it('refuses what is not one readable statement, without quoting its content', () => {
    const xml = fixture('statement.camt053.xml');
    const refusals: Array<[string, RegExp]> = [
      [xml.replace('camt.053.001.08', 'camt.052.001.08'), /camt\.052\.001\.08, not a camt\.053/],
      [xml.replace('<Cd>CLBD</Cd>', '<Cd>CLAV</Cd>'), /statement 1: 0 closing booked/],
      [
        xml.replace('125000.50</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>', '125000.50</Amt>'),
        /statement 1: CdtDbtInd must be CRDT or DBIT/,
      ],
      [xml.replace('125000.50', '125,000.50'), /statement 1: the closing balance is not a decimal amount/],
      [xml.replace('</BkToCstmrStmt>', ''), /not well-formed XML/],
      [`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>${xml.slice(xml.indexOf('<Document'))}`, /DOCTYPE/],
      [xml.replace('MY12TRST00000000004421', MYR_ACCOUNT), /account \*\*\*\*9075 appears twice/],
      ['account,currency,closing_balance\nX1,MYR,1.00\n', /header must name exactly/],
      ['account,currency,date,closing_balance\nX1,MYR,2026-12-03,1.0.0\n', /row 1: closing_balance is not a decimal/],
      ['account,currency,date,closing_balance\n', /no closing balance/],
      [
        `account,currency,date,closing_balance\nMY55 "9075",MYR,2026-12-03,1.00\n`,
        /not a readable CSV: INVALID_OPENING_QUOTE at line 2$/,
      ],
    ];
    for (const [text, message] of refusals) {
      expect(() => parseStatement(text), String(message)).to.throw(message);
    }
    // A refusal names places, never the account number or the amount.
    const refusal = (() => {
      try {
        parseStatement(xml.replace('125000.50', '125000.5x'));
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(refusal).to.match(/statement 1/);
    expect(refusal).not.to.contain('125000');
  });
});

describe('trust-account reconciliation against the money tokens', () => {
  const balances = () => parseStatement(fixture('statement.camt053.xml'));

  it('matches a token whose supply equals the closing balance, and reports a currency without a token', () => {
    const report = reconcileTrustAccounts(balances(), [myr(12_500_050n)]);
    expect(report.statementDates).to.deep.equal(['2026-12-03']);
    expect(report.positions.find((p) => p.currency === 'MYR')).to.deep.include({
      status: 'MATCHED',
      statementBalance: '125000.50',
      tokenSupply: '125000.50',
      tokenSupplyMinor: '12500050',
      difference: '0.00',
      differenceMinor: '0',
    });
    expect(report.breaks).to.have.length(1);
    expect(report.breaks[0]).to.deep.include({ currency: 'USD', status: 'NO_TOKEN', difference: '-10.25' });
  });

  it('lists a break with its exact size, in currency units and in the smallest unit', () => {
    const report = reconcileTrustAccounts(balances(), [myr(12_376_616n)]);
    expect(report.breaks.find((b) => b.currency === 'MYR')).to.deep.include({
      status: 'BALANCE_MISMATCH',
      difference: '1234.34',
      differenceMinor: '123434',
    });
    const unbacked = reconcileTrustAccounts(balances(), [myr(12_500_051n)]);
    expect(unbacked.breaks.find((b) => b.currency === 'MYR')).to.deep.include({
      difference: '-0.01',
      differenceMinor: '-1',
    });
  });

  it("compares at the finer of the token's decimals and the statement's digits", () => {
    // A token of 0 decimals cannot hold the statement's 50 sen: the break is 0.50, with no smallest-unit figure.
    const coarse = reconcileTrustAccounts(balances(), [myr(125_000n, 0)]);
    expect(coarse.breaks.find((b) => b.currency === 'MYR')).to.deep.include({
      tokenSupply: '125000',
      difference: '0.5',
      differenceMinor: null,
    });
    const fine = reconcileTrustAccounts(balances(), [myr(1_250_005_000n, 4)]);
    expect(fine.positions.find((p) => p.currency === 'MYR')).to.deep.include({
      status: 'MATCHED',
      statementBalance: '125000.5000',
      difference: '0.0000',
    });
  });

  it('sums several accounts of one currency, and reports a token the statement does not cover', () => {
    const csv = 'account,currency,date,closing_balance\nA-0001,MYR,2026-12-03,100.10\nA-0002,MYR,2026-12-03,0.90\n';
    const eur: TokenSupply = { tokenId: 'TrusteeMSP.EUR', currency: 'EUR', decimals: 2, supply: 5n };
    const report = reconcileTrustAccounts(parseStatement(csv), [myr(10_100n), eur]);
    expect(report.positions.find((p) => p.currency === 'MYR')).to.deep.include({
      accounts: ['****0001', '****0002'],
      statementBalance: '101.00',
      status: 'MATCHED',
    });
    expect(report.breaks).to.deep.equal([
      {
        currency: 'EUR',
        tokenId: 'TrusteeMSP.EUR',
        accounts: [],
        statementBalance: null,
        tokenSupply: '0.05',
        tokenSupplyMinor: '5',
        difference: '-0.05',
        differenceMinor: '-5',
        status: 'NO_STATEMENT',
      },
    ]);
  });

  it('stays exact beyond what a float holds, and never shows an account number whole', () => {
    const csv = 'account,currency,date,closing_balance\nMY998877665544,MYR,2026-12-03,92233720368547758.07\n';
    const report = reconcileTrustAccounts(parseStatement(csv), [myr(9_223_372_036_854_775_806n)]);
    expect(report.breaks[0]).to.deep.include({ difference: '0.01', differenceMinor: '1' });
    expect(JSON.stringify(report)).not.to.contain('MY998877665544');
    expect(JSON.stringify(report)).to.contain('****5544');
    expect(formatDecimal(parseDecimal('-0.05', 'x'), 2)).to.equal('-0.05');
  });
});
