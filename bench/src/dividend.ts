import { escrowFor, REGISTER_BATCH_MAX, type Distribution } from '@ecf/common';
import { gatewayErrorText } from '@ecf/network';
import { runAll } from './driver';
import { once, TOKEN, type BenchMarket } from './market';
import { round } from './stats';

/** W10's share class: opened from a register whose lines give every bench account units. */
export const DIVIDEND_CLASS = 'BENCH-DIV';
/** Money per unit: a fraction, so most holders' entitlements round down and a residual goes back. */
const RATE = '0.35';
/** Register imports in flight after the first (which opens the class's register record alone). */
const IMPORT_CONCURRENCY = 6;

/** One distribution paid to every holder at one batch size. */
export interface DividendRun {
  workload: 'W10';
  holders: number;
  /** Accounts per `Distributions:Pay` call. */
  batch: number;
  /** Accounts the batches walked, as the PAID record counts them: holders and the issuer's account. */
  accountsWalked: number;
  /** Pay transactions committed, and attempts that had to be repeated (MVCC, endorsement). */
  transactions: number;
  retries: number;
  /** From the first Pay's submission to the last one's commit. */
  seconds: number;
  holdersPerSecond: number;
  /** Mean time of one Pay, endorsement to commit. */
  msPerBatch: number;
  /** `CheckSupply` of the money token after the run, the distribution's escrow counted. */
  supplyConsistent: boolean;
}

/** Units of the i-th holder: 1 to 97, so the entitlements (× 0.35) vary and most round down. */
const unitsOf = (i: number) => BigInt((i % 97) + 1);

/**
 * W10 (issue 17): a dividend to every bench account. Setup, not timed: a share class opened from a register
 * (`Equity:ImportRegister`, 200 lines a transaction, decision 47) that gives each account units, and money for
 * the escrow on the issuer's account. Then, per batch size, one distribution is declared with a record time a
 * few seconds ahead, and from its payment time the trustee calls `Pay` until the record says PAID; that loop
 * is timed. Batches run one after the other: each continues from the cursor the previous one committed.
 */
export async function runDividend(
  m: BenchMarket,
  batches: number[],
  progress: (message: string) => void,
): Promise<DividendRun[]> {
  const holders = m.accounts;
  const equity = m.contract('Trustee', 'Equity');
  await m.createShareClass(DIVIDEND_CLASS);
  progress(`W10: importing a register of ${holders.length} holders`);
  const chunks: Array<Array<{ line: number; accountId: string; units: string }>> = [];
  for (let i = 0; i < holders.length; i += REGISTER_BATCH_MAX) {
    chunks.push(
      holders
        .slice(i, i + REGISTER_BATCH_MAX)
        .map((accountId, k) => ({ line: i + k + 1, accountId, units: unitsOf(i + k).toString() })),
    );
  }
  const importChunk = (lines: (typeof chunks)[number]) =>
    equity.submit('ImportRegister', {
      transientData: { payload: JSON.stringify({ registerId: 'bench-register', classId: DIVIDEND_CLASS, lines }) },
    });
  // The first batch writes the class's register record, which every later batch reads: it commits alone.
  const [first, ...rest] = chunks;
  if (first) await once(() => importChunk(first));
  await runAll(rest.length, IMPORT_CONCURRENCY, async (i) => {
    await importChunk(rest[i] as (typeof chunks)[number]);
  });
  const units = holders.reduce((sum, _, i) => sum + unitsOf(i), 0n);
  const runs: DividendRun[] = [];
  for (const batch of batches) runs.push(await payOne(m, units, batch, runs.length, progress));
  return runs;
}

async function payOne(
  m: BenchMarket,
  units: bigint,
  batch: number,
  n: number,
  progress: (message: string) => void,
): Promise<DividendRun> {
  const distributionId = `bench-div-${n + 1}`;
  const escrow = escrowFor(units, RATE);
  await once(() =>
    m.contract('Trustee', 'Money').submit('Deposit', {
      transientData: {
        payload: JSON.stringify({
          accountId: 'b-issuer',
          tokenId: TOKEN,
          amount: escrow.toString(),
          bankReference: `W10-${distributionId}`,
        }),
      },
    }),
  );
  // Transaction times come from this client's clock (decision 34): the record time is a few seconds ahead.
  const recordAt = Math.floor(Date.now() / 1000) + 4;
  await once(() =>
    m.contract('OperatorA', 'Distributions').submit('Declare', {
      arguments: [
        JSON.stringify({
          distributionId,
          classId: DIVIDEND_CLASS,
          tokenId: TOKEN,
          amountPerUnit: RATE,
          declaredUnits: units.toString(),
          recordAt,
          payAt: recordAt,
        }),
      ],
    }),
  );
  await new Promise((r) => setTimeout(r, Math.max(0, (recordAt + 1) * 1000 - Date.now())));
  progress(`W10: paying ${m.accounts.length} holders in batches of ${batch}`);
  const pay = m.contract('Trustee', 'Distributions');
  const start = performance.now();
  let transactions = 0;
  let retries = 0;
  let d: Distribution;
  for (;;) {
    try {
      const bytes = await pay.submit('Pay', { arguments: [JSON.stringify({ distributionId, max: batch })] });
      d = JSON.parse(Buffer.from(bytes).toString()) as Distribution;
    } catch (err) {
      // A batch that failed changed nothing (the cursor is where the last committed one left it): run it again.
      if (++retries > 10) throw err;
      progress(`W10: Pay retried after: ${gatewayErrorText(err).slice(0, 200)}`);
      // Mostly the two endorsers a block apart (ProposalResponsePayloads do not match): a batch now endorses in
      // a fraction of a second, so retrying at once could use every retry before the slower peer commits.
      await new Promise((r) => setTimeout(r, 100 * retries));
      continue;
    }
    transactions += 1;
    if (d.status === 'PAID') break;
  }
  const seconds = (performance.now() - start) / 1000;
  const supply = JSON.parse(
    Buffer.from(
      await m.contract('Trustee', 'Supervision').evaluate('CheckSupply', {
        arguments: [JSON.stringify({ assetId: TOKEN })],
      }),
    ).toString(),
  ) as { consistent: boolean };
  const run: DividendRun = {
    workload: 'W10',
    holders: m.accounts.length,
    batch,
    accountsWalked: d.accountsWalked,
    transactions,
    retries,
    seconds: round(seconds, 2),
    holdersPerSecond: round(m.accounts.length / seconds),
    msPerBatch: round((seconds * 1000) / transactions),
    supplyConsistent: supply.consistent,
  };
  progress(
    `W10: ${run.holders} holders in ${run.seconds} s (${run.holdersPerSecond}/s), ${transactions} Pay of ${batch}, supply ${supply.consistent ? 'consistent' : 'BROKEN'}`,
  );
  return run;
}

/** The target: a dividend to 10,000 holders in under 60 s (judged on the fastest batch size). */
export function dividendTarget(runs: readonly DividendRun[] | undefined) {
  const best = runs?.filter((r) => r.holders >= 10_000).sort((a, b) => a.seconds - b.seconds)[0];
  return {
    target: 'W10: a dividend to 10,000 holders < 60 s',
    measured: best ? `${best.seconds} s (batches of ${best.batch})` : 'n/a (fewer than 10,000 holders)',
    met: best ? best.seconds < 60 : null,
  };
}

/** Summary table rows, one per batch size. */
export function dividendRows(runs: readonly DividendRun[] | undefined): string[] {
  return (runs ?? []).map(
    (r) =>
      `| W10 dividend, batches of ${r.batch} | ${r.holdersPerSecond} holders/s (${r.holders} in ${r.seconds} s, ${r.transactions} Pay, ${r.msPerBatch} ms each, ${r.retries} retried; supply ${r.supplyConsistent ? 'consistent' : '**broken**'}) | |`,
  );
}
