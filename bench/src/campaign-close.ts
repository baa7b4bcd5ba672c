import { peer } from '@hyperledger/fabric-protos';
import { gatewayErrorText } from '@ecf/network';
import { runAll } from './driver';
import { once, TOKEN, type BenchMarket } from './market';
import { round } from './stats';

/** W9's options: how many pledges each campaign gets, and one campaign closed per batch size. */
export interface CampaignCloseOptions {
  pledges: number;
  batchSizes: number[];
  /** Pledges per second the close time is planned for; pledging is not timed. */
  plannedPledgeRate: number;
  progress: (m: string) => void;
}

/** One campaign's close: the timed part is from the first `Settle` to the last. */
export interface CampaignCloseResult {
  workload: 'W9';
  campaignId: string;
  pledges: number;
  /** Pledges refused or left unanswered while pledging (not part of the close). */
  pledgesFailed: number;
  batchSize: number;
  /** `Settle` transactions that committed, and those tried again after an endorsement or MVCC failure. */
  transactions: number;
  retries: number;
  /** Seconds, and transactions, of the tally pass (counting) and of the allocation pass. */
  tally: { transactions: number; seconds: number };
  allocate: { transactions: number; seconds: number };
  seconds: number;
  pledgesPerSecond: number;
  outcome: string;
  totalUnits: string;
  maxUnits: string;
  unitsAllocated: string;
  moneyToIssuer: string;
  /**
   * Every investor's units equal cumulative rounding computed here over the pledges in pledge-id order,
   * and they sum to the units on offer; null when a pledge's outcome was unknown to this client.
   */
  exact: boolean | null;
  /** `CheckSupply` of the money token and of the campaign's class after the close. */
  supplyConsistent: { money: boolean; units: boolean };
}

interface CampaignView {
  status: string;
  settlement?: {
    phase: string;
    totalUnits: string;
    unitsAllocated: string;
    moneyToIssuer: string;
    pledgesTotal?: number;
  };
}

const PRICE = 100n;
const decode = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString()) as T;
/** Units pledged by the i-th pledge: 1 to 5, so the allocation's rounding has something to do. */
const unitsOf = (i: number) => BigInt(1 + (i % 5));

/**
 * W9, campaign close (issue 17): one campaign per batch size, each with `pledges` pledges spread over the
 * market's funded accounts (an account pledges several times when there are fewer accounts than pledges)
 * and oversubscribed, so allocation scales every pledge. Pledging is set-up, not timed; after the close
 * time, `Campaigns:Settle` is called until the campaign is settled, and that is what is timed.
 */
export async function runCampaignClose(m: BenchMarket, opts: CampaignCloseOptions): Promise<CampaignCloseResult[]> {
  const campaigns = opts.batchSizes.map((batchSize, k) => ({ id: `bench-w9-${k}-${batchSize}`, batchSize }));
  const now = Math.floor(Date.now() / 1000);
  for (const c of campaigns) await prepareClass(m, c.id.toUpperCase(), now);
  // Three set-up transactions per campaign before the first pledge, then the pledges at the planned rate.
  const closeAt =
    Math.floor(Date.now() / 1000) +
    5 +
    5 * campaigns.length +
    Math.ceil((opts.pledges * campaigns.length) / Math.max(1, opts.plannedPledgeRate));
  for (const c of campaigns) await launch(m, c.id, opts.pledges, now, closeAt);
  opts.progress(`W9: pledging ${opts.pledges} × ${campaigns.length} (closes in ${closeAt - now} s)`);
  const pledged = new Map<string, Array<{ id: string; accountId: string; units: bigint }>>();
  let failed = 0;
  const total = opts.pledges * campaigns.length;
  for (const c of campaigns) pledged.set(c.id, []);
  // Pledge i goes to campaign i mod k and to account i mod n: two pledges in flight share no account.
  await runAll(total, 24, async (i) => {
    const c = campaigns[i % campaigns.length];
    if (!c) return;
    const accountId = m.accounts[i % m.accounts.length] as string;
    const units = unitsOf(Math.floor(i / campaigns.length));
    const id = await pledgeOnce(m, c.id, accountId, units * PRICE, closeAt);
    if (id === undefined) failed += 1;
    else pledged.get(c.id)?.push({ id, accountId, units });
  });
  const wait = closeAt + 2 - Date.now() / 1000;
  opts.progress(`W9: pledged; waiting ${Math.max(0, Math.round(wait))} s for the close`);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait * 1000));
  const results: CampaignCloseResult[] = [];
  for (const c of campaigns) {
    const result = await close(m, c.id, c.batchSize, pledged.get(c.id) ?? [], failed);
    opts.progress(
      `W9: ${result.pledges} pledges settled in ${result.seconds} s (${result.pledgesPerSecond}/s) by ${result.transactions} Settle of ${c.batchSize}, exact ${result.exact}, supply ${JSON.stringify(result.supplyConsistent)}`,
    );
    results.push(result);
  }
  return results;
}

/** A class of its own per campaign and its offering document. */
async function prepareClass(m: BenchMarket, classId: string, now: number) {
  await m.createShareClass(classId);
  await m.attachOffering(classId, now);
}

/** The campaign proposed, approved and funded. */
async function launch(m: BenchMarket, campaignId: string, pledges: number, now: number, closeAt: number) {
  const classId = campaignId.toUpperCase();
  let pledgedUnits = 0n;
  for (let j = 0; j < pledges; j++) pledgedUnits += unitsOf(j);
  const campaigns = m.contract('OperatorA', 'Campaigns');
  await once(() =>
    campaigns.submit('Propose', {
      arguments: [
        JSON.stringify({
          campaignId,
          classId,
          tokenId: TOKEN,
          pricePerUnit: PRICE.toString(),
          minUnits: '1',
          // Oversubscribed about 5:3, so every pledge's allocation is scaled and rounded.
          maxUnits: ((pledgedUnits * 3n) / 5n || 1n).toString(),
          openAt: now - 60,
          closeAt,
          minPledge: PRICE.toString(),
          maxPledge: (5n * PRICE).toString(),
          allowedInvestorClasses: ['sophisticated'],
          coolingOffSeconds: 0,
        }),
      ],
    }),
  );
  await once(() => campaigns.submit('Approve', { arguments: [JSON.stringify({ campaignId })] }));
  await once(() => m.contract('Trustee', 'Campaigns').submit('Fund', { arguments: [JSON.stringify({ campaignId })] }));
}

/**
 * One pledge, tried again only when it certainly did not commit (refused at endorsement, or invalidated).
 * Its id (the transaction id), or undefined when it did not commit; an answer lost after the submit is
 * looked up on the ledger, so the client knows every pledge that counts.
 */
async function pledgeOnce(
  m: BenchMarket,
  campaignId: string,
  accountId: string,
  amount: bigint,
  closeAt: number,
): Promise<string | undefined> {
  const contract = m.contract('OperatorA', 'Campaigns');
  for (let attempt = 1; attempt <= 5; attempt++) {
    if (Date.now() / 1000 >= closeAt - 1) return undefined;
    const proposal = contract.newProposal('Pledge', {
      transientData: { payload: JSON.stringify({ campaignId, accountId, amount: amount.toString() }) },
    });
    let endorsed;
    try {
      endorsed = await proposal.endorse();
    } catch {
      await new Promise((r) => setTimeout(r, 200 * attempt));
      continue;
    }
    try {
      const status = await (await endorsed.submit()).getStatus();
      if (status.successful) return proposal.getTransactionId();
    } catch {
      return (await committed(m, proposal.getTransactionId())) ? proposal.getTransactionId() : undefined;
    }
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
  return undefined;
}

/** Whether a transaction committed as valid, from OperatorA's ledger (waiting a while for it to arrive). */
async function committed(m: BenchMarket, txId: string): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const bytes = await m.qscc('OperatorA').evaluate('GetTransactionByID', { arguments: ['market', txId] });
      return peer.ProcessedTransaction.deserializeBinary(bytes).getValidationcode() === peer.TxValidationCode.VALID;
    } catch {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Settles one campaign batch after batch, timed, then checks the allocation and the supply. */
async function close(
  m: BenchMarket,
  campaignId: string,
  batchSize: number,
  pledges: Array<{ id: string; accountId: string; units: bigint }>,
  failedWhilePledging: number,
): Promise<CampaignCloseResult> {
  const settle = m.contract('Trustee', 'Campaigns');
  const start = performance.now();
  let tallyEnd: number | undefined;
  let tallyTransactions = 0;
  let transactions = 0;
  let retries = 0;
  let view: CampaignView;
  for (;;) {
    try {
      view = decode<CampaignView>(
        await settle.submit('Settle', { arguments: [JSON.stringify({ campaignId, batchSize })] }),
      );
    } catch (err) {
      // A batch refused at endorsement (the two endorsers a block apart) or invalidated changed nothing.
      const name = (err as Error).name;
      if ((name !== 'EndorseError' && name !== 'CommitError') || ++retries > 20)
        throw new Error(`W9: Settle failed: ${gatewayErrorText(err)}`);
      await new Promise((r) => setTimeout(r, 100 * retries));
      continue;
    }
    transactions += 1;
    if (tallyEnd === undefined && view.settlement?.phase !== 'TALLY') {
      tallyEnd = performance.now();
      tallyTransactions = transactions;
    }
    if (view.status === 'SUCCEEDED' || view.status === 'FAILED') break;
  }
  const end = performance.now();
  const seconds = (end - start) / 1000;
  const s = view.settlement;
  const count = s?.pledgesTotal ?? 0;
  const tallySeconds = ((tallyEnd ?? end) - start) / 1000;
  return {
    workload: 'W9',
    campaignId,
    pledges: count,
    pledgesFailed: failedWhilePledging,
    batchSize,
    transactions,
    retries,
    tally: { transactions: tallyTransactions, seconds: round(tallySeconds, 2) },
    allocate: { transactions: transactions - tallyTransactions, seconds: round(seconds - tallySeconds, 2) },
    seconds: round(seconds, 2),
    pledgesPerSecond: round(count / seconds),
    outcome: view.status,
    totalUnits: s?.totalUnits ?? '0',
    maxUnits: await maxUnitsOf(m, campaignId),
    unitsAllocated: s?.unitsAllocated ?? '0',
    moneyToIssuer: s?.moneyToIssuer ?? '0',
    // The client knows every pledge only if the ledger counted as many as it saw committed.
    exact: count === pledges.length ? await allocationIsExact(m, campaignId, pledges) : null,
    supplyConsistent: {
      money: await supplyConsistent(m, TOKEN),
      units: await supplyConsistent(m, campaignId.toUpperCase()),
    },
  };
}

async function maxUnitsOf(m: BenchMarket, campaignId: string): Promise<string> {
  const c = decode<{ maxUnits: string }>(
    await m.contract('Trustee', 'Campaigns').evaluate('Get', { arguments: [JSON.stringify({ campaignId })] }),
  );
  return c.maxUnits;
}

/**
 * Cumulative rounding (decision 16) over the pledges in the order of the pledge index (the campaign, then
 * the pledge id), computed here, against every investor's balance of the class on the ledger.
 */
async function allocationIsExact(
  m: BenchMarket,
  campaignId: string,
  pledges: Array<{ id: string; accountId: string; units: bigint }>,
): Promise<boolean> {
  const max = BigInt(await maxUnitsOf(m, campaignId));
  const total = pledges.reduce((a, p) => a + p.units, 0n);
  const expected = new Map<string, bigint>();
  let cumulative = 0n;
  for (const p of [...pledges].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const units = total <= max ? p.units : ((cumulative + p.units) * max) / total - (cumulative * max) / total;
    cumulative += p.units;
    expected.set(p.accountId, (expected.get(p.accountId) ?? 0n) + units);
  }
  const sum = [...expected.values()].reduce((a, b) => a + b, 0n);
  if (sum !== (total <= max ? total : max)) return false;
  const reader = m.contract('Trustee', 'Transfers');
  const classId = campaignId.toUpperCase();
  const accounts = [...expected.keys()];
  let mismatches = 0;
  await runAll(accounts.length, 32, async (i) => {
    const accountId = accounts[i] as string;
    const r = decode<{ balance: string }>(
      await reader.evaluate('GetBalance', { arguments: [JSON.stringify({ accountId, assetId: classId })] }),
    );
    if (BigInt(r.balance) !== expected.get(accountId)) mismatches += 1;
  });
  return mismatches === 0;
}

async function supplyConsistent(m: BenchMarket, assetId: string): Promise<boolean> {
  const r = decode<{ consistent: boolean }>(
    await m.contract('Trustee', 'Supervision').evaluate('CheckSupply', { arguments: [JSON.stringify({ assetId })] }),
  );
  return r.consistent;
}
