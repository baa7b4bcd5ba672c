import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { Contract } from 'fabric-contract-api';
import { AccountsContract } from '../contracts/accounts';
import { AllowancesContract } from '../contracts/allowances';
import { AuditContract } from '../contracts/audit';
import { CampaignsContract } from '../contracts/campaigns';
import { CorporateActionsContract } from '../contracts/corporate-actions';
import { DistributionsContract } from '../contracts/distributions';
import { DocumentsContract } from '../contracts/documents';
import { MarketContract } from '../contracts/market';
import { EquityContract } from '../contracts/equity';
import { LimitsContract } from '../contracts/limits';
import { MoneyContract } from '../contracts/money';
import { PrivacyContract } from '../contracts/privacy';
import { RegistryContract } from '../contracts/registry';
import { SupervisionContract } from '../contracts/supervision';
import { TransfersContract } from '../contracts/transfers';
import { WindDownContract } from '../contracts/wind-down';
import { VotesContract } from '../contracts/votes';
import { PriceFeedsContract } from '../contracts/price-feeds';
import { REGULATOR_MSP_ID } from '../consortium';
import { invoke, WorldState, type FakeIdentity, type InvokeResult } from './fake-stub';

export const contracts = {
  Registry: new RegistryContract(),
  Accounts: new AccountsContract(),
  Money: new MoneyContract(),
  Equity: new EquityContract(),
  Transfers: new TransfersContract(),
  Supervision: new SupervisionContract(),
  Campaigns: new CampaignsContract(),
  Market: new MarketContract(),
  Privacy: new PrivacyContract(),
  Audit: new AuditContract(),
  WindDown: new WindDownContract(),
  CorporateActions: new CorporateActionsContract(),
  Allowances: new AllowancesContract(),
  Limits: new LimitsContract(),
  Votes: new VotesContract(),
  PriceFeeds: new PriceFeedsContract(),
  Documents: new DocumentsContract(),
  Distributions: new DistributionsContract(),
} as const;

export type ContractName = keyof typeof contracts;

export const ids = {
  regulator: { mspId: REGULATOR_MSP_ID, attrs: { role: 'regulator' } },
  trustee: { mspId: 'TrusteeMSP', attrs: { role: 'trustee' } },
  operatorA: { mspId: 'OperatorAMSP', attrs: { role: 'operator' } },
  operatorB: { mspId: 'OperatorBMSP', attrs: { role: 'operator' } },
  alice: { mspId: 'OperatorAMSP', attrs: { role: 'investor', account: 'acc-alice' } },
  bob: { mspId: 'OperatorAMSP', attrs: { role: 'investor', account: 'acc-bob' } },
  carol: { mspId: 'OperatorBMSP', attrs: { role: 'investor', account: 'acc-carol' } },
  acme: { mspId: 'OperatorAMSP', attrs: { role: 'issuer', account: 'acc-acme' } },
  foreign: { mspId: 'StrangerMSP', attrs: { role: 'operator' } },
  noRole: { mspId: 'OperatorAMSP', attrs: {} },
} satisfies Record<string, FakeIdentity>;

export const MYR = 'TrusteeMSP.MYR';
export const ACME = 'ACME-ORD';
export const YEAR = 365 * 86400;

/** A limit order's payload in ACME against MYR. */
export function acmeOrder(
  accountId: string,
  side: 'BUY' | 'SELL',
  price: string,
  quantity: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { accountId, classId: ACME, tokenId: MYR, side, price, quantity, ...extra };
}

export function personal(name: string) {
  return { fullName: name, nationalId: `ID-${name}`, dateOfBirth: '1990-01-01' };
}

/** A fixed secret per collection: the tests' stand-in for the regulator client's random bytes. */
export function testSecret(collection: string): string {
  return Buffer.from(collection.padEnd(32, '#')).toString('base64');
}

/** A market with the default consortium, four accounts, a money token and a share class. */
export class Market {
  readonly world = new WorldState();

  call<T = unknown>(
    who: FakeIdentity,
    contract: ContractName,
    method: string,
    args: string[] = [],
    transient?: unknown,
  ): Promise<InvokeResult<T>> {
    return invoke<T>(this.world, contracts[contract] as Contract, method, who, args, transient);
  }

  /** Like call, but the transaction must succeed. */
  async ok<T = unknown>(
    who: FakeIdentity,
    contract: ContractName,
    method: string,
    args: string[] = [],
    transient?: unknown,
  ): Promise<T> {
    const r = await this.call<T>(who, contract, method, args, transient);
    if (!r.ok) throw new Error(`${contract}:${method} failed: ${r.error?.message}`);
    return r.value as T;
  }

  /** The transaction must fail with this code (and reason), having attempted no write. */
  async refused(
    code: string,
    who: FakeIdentity,
    contract: ContractName,
    method: string,
    args: string[] = [],
    transient?: unknown,
  ): Promise<string> {
    const r = await this.call(who, contract, method, args, transient);
    expect(r.ok, `${contract}:${method} should be refused`).to.equal(false);
    expect(r.error?.message).to.match(new RegExp(`^${code}`));
    expect(r.stub.attemptedWrites, 'a refused transaction writes nothing').to.deep.equal([]);
    expect(r.stub.event, 'a refused transaction emits nothing').to.equal(undefined);
    return r.error?.message ?? '';
  }

  /** What the network does once the chaincode is deployed: the regulator seals every operator collection. */
  async seal(collections = ['pdcOperatorA', 'pdcOperatorB']): Promise<this> {
    for (const collection of collections) {
      await this.ok(ids.regulator, 'Privacy', 'Seal', [], { collection, secret: testSecret(collection) });
    }
    return this;
  }

  async setup(): Promise<this> {
    await this.seal();
    const reason = 'licensed by the regulator';
    await this.ok(ids.regulator, 'Registry', 'AdmitParticipant', [
      JSON.stringify({ mspId: 'TrusteeMSP', kind: 'trustee', reason }),
    ]);
    for (const op of ['OperatorAMSP', 'OperatorBMSP']) {
      await this.ok(ids.regulator, 'Registry', 'AdmitParticipant', [
        JSON.stringify({ mspId: op, kind: 'operator', trusteeMspId: 'TrusteeMSP', reason }),
      ]);
    }
    await this.onboard(ids.operatorA, 'acc-alice', 'investor', 'retail');
    await this.onboard(ids.operatorA, 'acc-bob', 'investor', 'sophisticated');
    await this.onboard(ids.operatorB, 'acc-carol', 'investor', 'retail');
    await this.onboard(ids.operatorA, 'acc-acme', 'issuer', 'sophisticated');
    await this.ok(ids.trustee, 'Money', 'CreateToken', [JSON.stringify({ currency: 'MYR', decimals: 2 })]);
    await this.ok(ids.trustee, 'Equity', 'CreateShareClass', [
      JSON.stringify({
        classId: ACME,
        issuerAccountId: 'acc-acme',
        kind: 'ordinary',
        decimals: 0,
        allowedInvestorClasses: ['retail', 'sophisticated', 'angel'],
        retailCapPerYear: '1000',
      }),
    ]);
    await this.attachOffering(ACME);
    return this;
  }

  /** A current offering document for a class, attested by the trustee: campaigns need one to be approved. */
  attachOffering(classId: string, documentId = `${classId}-offering`) {
    return this.ok(ids.trustee, 'Documents', 'Attach', [
      JSON.stringify(offeringDocument(classId, documentId, this.world.now)),
    ]);
  }

  onboard(
    operator: FakeIdentity,
    accountId: string,
    type: 'investor' | 'issuer',
    investorClass: string,
    jurisdiction = 'MY',
  ) {
    return this.ok(operator, 'Accounts', 'Onboard', [], {
      accountId,
      type,
      kyc: { validUntil: this.world.now + YEAR, investorClass, jurisdiction },
      personal: personal(accountId),
      salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
    });
  }

  deposit(accountId: string, amount: string) {
    return this.ok(ids.trustee, 'Money', 'Deposit', [], {
      accountId,
      tokenId: MYR,
      amount,
      bankReference: `BANK-${accountId}-${amount}`,
    });
  }

  issue(accountId: string, amount: string) {
    return this.ok(ids.trustee, 'Equity', 'Issue', [], { classId: ACME, accountId, amount, purpose: 'offering' });
  }

  async balance(accountId: string, assetId: string): Promise<bigint> {
    const r = await this.ok<{ balance: string }>(ids.regulator, 'Transfers', 'GetBalance', [
      JSON.stringify({ accountId, assetId }),
    ]);
    return BigInt(r.balance);
  }

  async supply(
    assetId: string,
  ): Promise<{ supply: string; held: string; inTransit: string; escrowed: string; consistent: boolean }> {
    return this.ok(ids.regulator, 'Supervision', 'CheckSupply', [JSON.stringify({ assetId })]);
  }
}

const DAY = 86400;

/** The input of an offering document under Malaysian law, in effect from `effectiveAt`. */
export function offeringDocument(classId: string, documentId: string, effectiveAt: number): Record<string, unknown> {
  return {
    classId,
    documentId,
    type: 'offering',
    sha256: createHash('sha256').update(`offering document of ${classId}`).digest('hex'),
    uri: `https://issuer.example/${classId}/offering.pdf`,
    effectiveAt,
    jurisdiction: 'MY',
  };
}

/** Campaign terms for ACME paid in MYR, opening at `openAt` for ten days; `over` changes any field. */
export function campaignTerms(openAt: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    campaignId: 'acme-seed',
    classId: ACME,
    tokenId: MYR,
    pricePerUnit: '100',
    minUnits: '50',
    maxUnits: '100',
    openAt,
    closeAt: openAt + 10 * DAY,
    minPledge: '100',
    maxPledge: '20000',
    allowedInvestorClasses: ['retail', 'sophisticated'],
    coolingOffSeconds: 2 * DAY,
    ...over,
  };
}

/** A market with both sides of ACME's book funded: sellers bob and acme hold units, buyers carol and alice money. */
export async function fundedBook(): Promise<Market> {
  const m = await new Market().setup();
  await m.issue('acc-bob', '100');
  await m.issue('acc-acme', '500');
  await m.deposit('acc-carol', '50000');
  await m.deposit('acc-alice', '50000');
  return m;
}
