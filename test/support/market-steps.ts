import { expect } from 'chai';
import type { SupplyReport } from '@ecf/common';
import type { Client } from './client';
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
