import { createHash } from 'node:crypto';
import type { Contract } from '@hyperledger/fabric-gateway';
import { connectTo, type IsolatedNetwork, type OrgConnection } from '@ecf/network';
import { runAll, type TxSpec } from './driver';

export const TOKEN = 'TrusteeMSP.MYR';
export const CLASS = 'BENCH-ORD';
/** W5 places its (never crossing) orders on a class of their own, so W6's book holds only what it matches. */
export const CLASS_W5 = 'BENCH-W5';
export const CAMPAIGN = 'bench-campaign';
/**
 * A setup transaction, retried: the next step often goes through another org's peer, which may not have
 * committed the previous step yet, and an attempt that timed out may have committed after all.
 */
export async function once(submit: () => Promise<unknown>): Promise<void> {
  await runAll(1, 1, async () => {
    await submit();
  });
}

/** Accounts per setup transaction (`Accounts:OnboardBatch`, `Money:DepositBatch`). */
const SETUP_BATCH = 100;
/** Batch transactions in flight: each is a hundred accounts' work for the endorsing peers. */
const SETUP_BATCH_CONCURRENCY = 6;
const reason = 'admitted for benchmarking';

const accountName = (i: number) => `b${String(i).padStart(5, '0')}`;

/** An onboarding payload (KYC valid for a year; personal data made up from the id). */
function onboarding(accountId: string, type: 'investor' | 'issuer', now: number) {
  return {
    accountId,
    type,
    kyc: { validUntil: now + 365 * 86400, investorClass: 'sophisticated', jurisdiction: 'MY' },
    personal: { fullName: `Bench ${accountId}`, nationalId: `N-${accountId}`, dateOfBirth: '1980-01-01' },
    salt: 'YmVuY2gtc2FsdC0xMjM0NTY3OA==',
  };
}

/**
 * The market a benchmark runs against: the default consortium admitted, a money token, a share class,
 * `accounts` funded investor accounts at OperatorA, an open campaign, and sellers holding units.
 */
export class BenchMarket {
  private readonly conns = new Map<string, OrgConnection>();
  readonly accounts: string[];
  readonly hot: string[];
  /** OperatorA's REST gateway and a token for it, once started (W8). */
  rest?: { url: string; token: string };

  constructor(
    readonly net: IsolatedNetwork,
    accountCount: number,
  ) {
    this.accounts = Array.from({ length: accountCount }, (_, i) => accountName(i));
    this.hot = this.accounts.slice(0, 5);
  }

  /** A share class of the bench issuer, open to the bench's (sophisticated) investors. */
  async createShareClass(classId: string): Promise<void> {
    await once(() =>
      this.contract('Trustee', 'Equity').submit('CreateShareClass', {
        arguments: [
          JSON.stringify({
            classId,
            issuerAccountId: 'b-issuer',
            kind: 'ordinary',
            decimals: 0,
            allowedInvestorClasses: ['sophisticated'],
          }),
        ],
      }),
    );
  }

  /** The class's offering document, in effect from a minute before `now` (decision 50: a campaign needs one). */
  async attachOffering(classId: string, now: number): Promise<void> {
    await once(() =>
      this.contract('OperatorA', 'Documents').submit('Attach', {
        arguments: [
          JSON.stringify({
            classId,
            documentId: `${classId}-offering`,
            type: 'offering',
            sha256: createHash('sha256').update(`offering document of ${classId}`).digest('hex'),
            uri: `https://issuer.example/${classId}/offering.pdf`,
            effectiveAt: now - 60,
            jurisdiction: 'MY',
          }),
        ],
      }),
    );
  }

  contract(orgName: string, name: string): Contract {
    return this.connection(orgName).gateway.getNetwork('market').getContract('market', name);
  }

  /** The system query chaincode on the org's peer (chain height, blocks). */
  qscc(orgName: string): Contract {
    return this.connection(orgName).gateway.getNetwork('market').getContract('qscc');
  }

  private connection(orgName: string): OrgConnection {
    let conn = this.conns.get(orgName);
    if (!conn) {
      const org = this.net.org(orgName);
      const peer = org.peers[0];
      if (!peer) throw new Error(`${orgName} has no peer`);
      conn = connectTo(this.net.layout, org, peer);
      this.conns.set(orgName, conn);
    }
    return conn;
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }

  async setup(progress: (m: string) => void, fund = true): Promise<void> {
    const registry = this.contract('Regulator', 'Registry');
    await once(() =>
      registry.submit('AdmitParticipant', {
        arguments: [JSON.stringify({ mspId: 'TrusteeMSP', kind: 'trustee', reason })],
      }),
    );
    for (const op of ['OperatorAMSP', 'OperatorBMSP']) {
      await once(() =>
        registry.submit('AdmitParticipant', {
          arguments: [JSON.stringify({ mspId: op, kind: 'operator', trusteeMspId: 'TrusteeMSP', reason })],
        }),
      );
    }
    const accounts = this.contract('OperatorA', 'Accounts');
    const now = Math.floor(Date.now() / 1000);
    await once(() =>
      accounts.submit('Onboard', { transientData: { payload: JSON.stringify(onboarding('b-issuer', 'issuer', now)) } }),
    );
    progress(`onboarding ${this.accounts.length} accounts`);
    await this.openAccounts(this.accounts, progress, false);
    const trusteeMoney = this.contract('Trustee', 'Money');
    await once(() =>
      trusteeMoney.submit('CreateToken', { arguments: [JSON.stringify({ currency: 'MYR', decimals: 2 })] }),
    );
    await this.createShareClass(CLASS);
    await this.createShareClass(CLASS_W5);
    if (fund) {
      progress(`funding ${this.accounts.length} accounts`);
      await this.openAccounts(this.accounts, progress, true);
    }
    const campaigns = this.contract('OperatorA', 'Campaigns');
    await once(() =>
      campaigns.submit('Propose', {
        arguments: [
          JSON.stringify({
            campaignId: CAMPAIGN,
            classId: CLASS,
            tokenId: TOKEN,
            pricePerUnit: '100',
            minUnits: '1',
            maxUnits: '1000000000',
            openAt: now - 60,
            closeAt: now + 7 * 86400,
            minPledge: '100',
            maxPledge: '100000',
            allowedInvestorClasses: ['sophisticated'],
            coolingOffSeconds: 0,
          }),
        ],
      }),
    );
    // A campaign is approved only under a current offering document (decision 50).
    await this.attachOffering(CLASS, now);
    await once(() => campaigns.submit('Approve', { arguments: [JSON.stringify({ campaignId: CAMPAIGN })] }));
    await once(() =>
      this.contract('Trustee', 'Campaigns').submit('Fund', {
        arguments: [JSON.stringify({ campaignId: CAMPAIGN })],
      }),
    );
  }

  /**
   * Adds accounts until there are `total`, onboarded and funded like the first ones (the scale run grows a
   * market of 10,000 to 100,000 this way, between two W2 ladders).
   */
  async grow(total: number, progress: (m: string) => void): Promise<void> {
    const added = Array.from({ length: Math.max(0, total - this.accounts.length) }, (_, i) =>
      accountName(this.accounts.length + i),
    );
    progress(`onboarding and funding ${added.length} more accounts`);
    await this.openAccounts(added, progress, false);
    await this.openAccounts(added, progress, true);
    this.accounts.push(...added);
  }

  /**
   * Onboards (or funds) accounts through the chaincode's batch transactions, `SETUP_BATCH` per transaction
   * (decision 62): real transactions on the real network, about a hundred times fewer of them.
   */
  private async openAccounts(ids: readonly string[], progress: (m: string) => void, fund: boolean): Promise<void> {
    const batches = Math.ceil(ids.length / SETUP_BATCH);
    const accounts = this.contract('OperatorA', 'Accounts');
    const money = this.contract('Trustee', 'Money');
    const now = Math.floor(Date.now() / 1000);
    const started = performance.now();
    let done = 0;
    await runAll(batches, SETUP_BATCH_CONCURRENCY, async (b) => {
      const slice = ids.slice(b * SETUP_BATCH, (b + 1) * SETUP_BATCH);
      if (fund)
        await money.submit('DepositBatch', {
          transientData: {
            payload: JSON.stringify({
              tokenId: TOKEN,
              deposits: slice.map((accountId) => ({
                accountId,
                amount: '1000000000',
                bankReference: `SETUP-${accountId}`,
              })),
            }),
          },
        });
      else
        await accounts.submit('OnboardBatch', {
          transientData: {
            payload: JSON.stringify({ accounts: slice.map((accountId) => onboarding(accountId, 'investor', now)) }),
          },
        });
      done += 1;
      if (done % 100 === 0)
        progress(
          `${fund ? 'funded' : 'onboarded'} ${done * SETUP_BATCH} accounts (${Math.round((done * SETUP_BATCH) / ((performance.now() - started) / 1000))}/s)`,
        );
    });
  }

  /** Gives the first `sellers` accounts units and puts `pairs` crossing sell and buy orders on the book. */
  async prepareCrossingBook(pairs: number): Promise<void> {
    const sellers = this.accounts.slice(0, Math.min(pairs, this.accounts.length));
    const equity = this.contract('Trustee', 'Equity');
    await runAll(sellers.length, 32, async (i) => {
      await equity.submit('Issue', {
        transientData: {
          payload: JSON.stringify({ classId: CLASS, accountId: sellers[i], amount: '1000000', purpose: 'offering' }),
        },
      });
    });
    const market = this.contract('OperatorA', 'Market');
    await runAll(pairs, 32, async (i) => {
      const seller = sellers[i % sellers.length] as string;
      const buyer = this.accounts[(this.accounts.length - 1 - (i % sellers.length)) % this.accounts.length] as string;
      await market.submit('PlaceOrder', {
        transientData: {
          payload: JSON.stringify({
            accountId: seller,
            classId: CLASS,
            tokenId: TOKEN,
            side: 'SELL',
            price: '500',
            quantity: '1',
          }),
        },
      });
      await market.submit('PlaceOrder', {
        transientData: {
          payload: JSON.stringify({
            accountId: buyer,
            classId: CLASS,
            tokenId: TOKEN,
            side: 'BUY',
            price: '500',
            quantity: '1',
          }),
        },
      });
    });
  }
}

export interface Workload {
  id: string;
  title: string;
  /** The transaction to start as the i-th of a run. Accounts are taken round-robin, so no two transactions
   * in flight touch the same account unless the workload means them to (W3). */
  next(m: BenchMarket, i: number): TxSpec;
}

/** A prime step through the pairs: coprime with every pair count made of 2s and 5s (10,000, 100,000, …). */
const PAIR_STRIDE = 7919;

/**
 * The i-th transfer's pair: pairs (2k, 2k+1), with k stepping by a prime through all of them, so a step
 * spreads its transfers over every account, not over the first few thousand (the scale run compares
 * 10,000 with 100,000 accounts), and no two transfers within n/2 of each other share an account.
 */
const pair = (m: BenchMarket, i: number) => {
  const n = m.accounts.length;
  const pairs = Math.max(1, Math.floor(n / 2));
  const k = gcd(PAIR_STRIDE, pairs) === 1 ? (i * PAIR_STRIDE) % pairs : i % pairs;
  return [m.accounts[(2 * k) % n] as string, m.accounts[(2 * k + 1) % n] as string];
};

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export const WORKLOADS: Workload[] = [
  {
    id: 'W0',
    title: 'no-op write (raw Fabric baseline)',
    next: (m) => ({ contract: m.contract('OperatorA', 'System'), fn: 'Noop' }),
  },
  {
    id: 'W1',
    title: 'money mint (deposit)',
    next: (m, i) => ({
      contract: m.contract('Trustee', 'Money'),
      fn: 'Deposit',
      transient: {
        accountId: m.accounts[i % m.accounts.length],
        tokenId: TOKEN,
        amount: '1',
        bankReference: `W1-${i}`,
      },
    }),
  },
  {
    id: 'W2',
    title: 'money transfer, uniform over the accounts',
    next: (m, i) => {
      const [from, to] = pair(m, i);
      return {
        contract: m.contract('OperatorA', 'Transfers'),
        fn: 'Transfer',
        transient: { from, to, assetId: TOKEN, amount: '1' },
      };
    },
  },
  {
    id: 'W8',
    title: 'W2 through the REST gateway (HTTP, one token, keep-alive)',
    next: (m, i) => {
      const [from, to] = pair(m, i);
      if (!m.rest) throw new Error('W8 needs the OperatorA gateway (BenchMarket.rest)');
      return {
        http: {
          url: `${m.rest.url}/v1/transfers`,
          token: m.rest.token,
          body: { from, to, assetId: TOKEN, amount: '1' },
        },
      };
    },
  },
  {
    id: 'W3',
    title: 'money transfer, 20% from 5 hot accounts',
    next: (m, i) => {
      const [from, to] = pair(m, i);
      const hotFrom = i % 5 === 0 ? (m.hot[(i / 5) % 5] as string) : from;
      return {
        contract: m.contract('OperatorA', 'Transfers'),
        fn: 'Transfer',
        transient: { from: hotFrom, to: hotFrom === to ? from : to, assetId: TOKEN, amount: '1' },
      };
    },
  },
  {
    id: 'W4',
    title: 'campaign pledge',
    next: (m, i) => ({
      contract: m.contract('OperatorA', 'Campaigns'),
      fn: 'Pledge',
      transient: { campaignId: CAMPAIGN, accountId: m.accounts[i % m.accounts.length], amount: '100' },
    }),
  },
  {
    id: 'W5',
    title: 'order placement',
    next: (m, i) => ({
      contract: m.contract('OperatorA', 'Market'),
      fn: 'PlaceOrder',
      transient: {
        accountId: m.accounts[i % m.accounts.length],
        classId: CLASS_W5,
        tokenId: TOKEN,
        side: 'BUY',
        price: '1',
        quantity: '1',
      },
    }),
  },
];
