import { expect } from 'chai';
import type { SupplyReport } from '@ecf/common';
import { createShareClass, type Client, type ClientPool } from './client';
import { kyc } from './fixtures';

/**
 * The steps the suites on one network repeat: onboarding a customer, a trustee's deposit, and the
 * balance and supply reads. A customer's personal data is derived from its account id unless given.
 */
export interface Customer {
  investorClass?: string;
  nationalId?: string;
  dateOfBirth?: string;
}

export function onboardAccount(
  operator: Client,
  accountId: string,
  type: 'investor' | 'issuer',
  salt: string,
  customer: Customer = {},
): Promise<unknown> {
  return operator.submit('Accounts:Onboard', {
    transient: {
      accountId,
      type,
      kyc: kyc(customer.investorClass ?? 'retail'),
      personal: {
        fullName: accountId,
        nationalId: customer.nationalId ?? `ID-${accountId}`,
        dateOfBirth: customer.dateOfBirth ?? '1980-01-01',
      },
      salt,
    },
  });
}

export function depositTo(trustee: Client, accountId: string, tokenId: string, amount: string): Promise<unknown> {
  return trustee.submit('Money:Deposit', {
    transient: { accountId, tokenId, amount, bankReference: `DEP-${accountId}` },
  });
}

export async function balanceOf(reader: Client, accountId: string, assetId: string): Promise<string> {
  const r = await reader.evaluate<{ balance: string }>('Transfers:GetBalance', {
    args: [JSON.stringify({ accountId, assetId })],
  });
  return r.balance;
}

/** `CheckSupply` of an asset, which must be consistent. */
export async function consistentSupply(reader: Client, assetId: string): Promise<SupplyReport> {
  const r = await reader.evaluate<SupplyReport>('Supervision:CheckSupply', { args: [JSON.stringify({ assetId })] });
  expect(r.consistent, `${assetId}: ${JSON.stringify(r)}`).to.equal(true);
  return r;
}

/** The four orgs' gateway identities a market suite acts through. */
export interface MarketClients {
  readonly regulator: Client;
  readonly trustee: Client;
  readonly operatorA: Client;
  readonly operatorB: Client;
}

export const marketClients = (pool: ClientPool): MarketClients => ({
  regulator: pool.get('Regulator'),
  trustee: pool.get('Trustee'),
  operatorA: pool.get('OperatorA'),
  operatorB: pool.get('OperatorB'),
});

/** A trustee's money token of its own for a suite; its id is `TrusteeMSP.<currency>`. */
export async function createMoneyToken(trustee: Client, currency: string): Promise<string> {
  await trustee.submit('Money:CreateToken', { args: [JSON.stringify({ currency, decimals: 2 })] });
  return `${trustee.org.mspId}.${currency}`;
}

/**
 * One issuer's share class with its holders at both operators: the issuer is a sophisticated customer of
 * OperatorA, each investor a customer of the operator named, and the trustee issues units and deposits
 * money to whom the setup says.
 */
export interface ClassSetup {
  readonly classId: string;
  readonly issuer: string;
  readonly investors: ReadonlyArray<{
    readonly accountId: string;
    readonly operator: 'operatorA' | 'operatorB';
    readonly investorClass?: string;
  }>;
  readonly salt: string;
  /** Units of the class issued, by account. */
  readonly units: Readonly<Record<string, string>>;
  /** Money deposited in `tokenId`, by account. */
  readonly deposits: Readonly<Record<string, string>>;
  readonly tokenId: string;
}

export async function setUpClass(c: MarketClients, s: ClassSetup): Promise<void> {
  await onboardAccount(c.operatorA, s.issuer, 'issuer', s.salt, { investorClass: 'sophisticated' });
  await Promise.all(
    s.investors.map((i) =>
      onboardAccount(c[i.operator], i.accountId, 'investor', s.salt, { investorClass: i.investorClass }),
    ),
  );
  await createShareClass(c.trustee, s.classId, s.issuer);
  await Promise.all(
    Object.entries(s.units).map(([accountId, amount]) =>
      c.trustee.submit('Equity:Issue', { transient: { classId: s.classId, accountId, amount, purpose: 'offering' } }),
    ),
  );
  await Promise.all(
    Object.entries(s.deposits).map(([accountId, amount]) => depositTo(c.trustee, accountId, s.tokenId, amount)),
  );
}
