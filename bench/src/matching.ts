import { gatewayErrorText } from '@ecf/network';
import { runAll } from './driver';
import { CLASS, TOKEN, type BenchMarket } from './market';
import { round } from './stats';

/** Draining a book of crossing pairs with `Market:Match`, 50 fills at a time. */
export interface Drain {
  /** Orders resting on the book that never cross (the book's depth beyond what the drain trades). */
  resting: number;
  pairs: number;
  fills: number;
  calls: number;
  seconds: number;
  fillsPerSecond: number;
}

/** From placing one crossing order on a quiet book to its fill: placement commit, then Match commit. */
export interface CrossingLatency {
  resting: number;
  samplesMs: number[];
  medianMs: number;
}

export interface MatchResult extends Drain {
  workload: 'W6';
  /**
   * The class's first Match, which reads the whole book as every Match did before decision 58 (and writes the
   * index of what stays open): the old engine's cost on the same book, in the same run.
   */
  wholeBook: { fills: number; seconds: number; fillsPerSecond: number };
  /** The same drain with `resting` non-crossing orders on the book: reads should not grow with it. */
  deep: Drain;
  latency: CrossingLatency[];
}

const MAX_FILLS = 50;
const LATENCY_SAMPLES = 3;

/**
 * W6: a book of `pairs` crossing pairs drained by Match (the first Match being the whole-book one), then the
 * latency of one crossing order, then the same with `resting` orders that never cross on the book.
 */
export async function runMatching(
  market: BenchMarket,
  pairs: number,
  resting: number,
  progress: (m: string) => void,
): Promise<MatchResult> {
  progress(`W6: placing ${pairs} crossing order pairs`);
  await market.prepareCrossingBook(pairs);
  const first = await timed(() => matchOnce(market, progress));
  progress(`W6: first (whole-book) Match: ${first.value} fills in ${round(first.seconds, 2)} s`);
  const rest = await drain(market, progress);
  const shallow = { resting: 0, pairs, ...rest };
  progress(`W6: ${rest.fills} fills in ${rest.calls} indexed matches, ${rest.fillsPerSecond} fills/s`);
  const latency = [await crossingLatency(market, 0, progress)];
  progress(`W6: a crossing order fills ${latency[0]?.medianMs} ms after it is submitted (median)`);
  progress(`W6: placing ${resting} resting orders that never cross`);
  await placeResting(market, resting, pairs, progress);
  await market.prepareCrossingBook(pairs);
  const deep = { resting, pairs, ...(await drain(market, progress)) };
  progress(`W6 with ${resting} resting: ${deep.fills} fills in ${deep.calls} matches, ${deep.fillsPerSecond} fills/s`);
  latency.push(await crossingLatency(market, resting, progress));
  progress(`W6 with ${resting} resting: a crossing order fills in ${latency[1]?.medianMs} ms (median)`);
  return {
    workload: 'W6',
    ...shallow,
    fills: shallow.fills + first.value,
    wholeBook: {
      fills: first.value,
      seconds: round(first.seconds, 2),
      fillsPerSecond: round(first.value / first.seconds),
    },
    deep,
    latency,
  };
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - start) / 1000 };
}

/**
 * A submit that is tried again when it fails to endorse. The endorsing peers can be a block apart right
 * after a Match or the book's set-up (their simulations then differ); a transaction that failed to endorse
 * changed nothing, so sending it again is safe.
 */
async function endorsedSubmit(what: string, submit: () => Promise<Uint8Array>, progress: (m: string) => void) {
  for (let retries = 0; ;) {
    try {
      return await submit();
    } catch (err) {
      if ((err as Error).name !== 'EndorseError' || ++retries > 5) throw err;
      progress(`W6: ${what} retried after: ${gatewayErrorText(err).slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, 500 * retries));
    }
  }
}

/** One Match; returns its fills. */
async function matchOnce(market: BenchMarket, progress: (m: string) => void): Promise<number> {
  const contract = market.contract('Trustee', 'Market');
  const bytes = await endorsedSubmit(
    'Match',
    () => contract.submit('Match', { arguments: [JSON.stringify({ classId: CLASS, maxFills: MAX_FILLS })] }),
    progress,
  );
  return (JSON.parse(Buffer.from(bytes).toString()) as { fills: number }).fills;
}

/** Matches until a Match fills nothing. */
async function drain(market: BenchMarket, progress: (m: string) => void) {
  let fills = 0;
  let calls = 0;
  const { seconds } = await timed(async () => {
    for (;;) {
      const n = await matchOnce(market, progress);
      calls += 1;
      fills += n;
      if (n === 0) return;
    }
  });
  return { fills, calls, seconds: round(seconds, 2), fillsPerSecond: round(fills / seconds) };
}

const place = (
  market: BenchMarket,
  accountId: string,
  side: 'BUY' | 'SELL',
  price: number,
  progress: (m: string) => void,
) =>
  endorsedSubmit(
    'PlaceOrder',
    () =>
      market.contract('OperatorA', 'Market').submit('PlaceOrder', {
        transientData: {
          payload: JSON.stringify({
            accountId,
            classId: CLASS,
            tokenId: TOKEN,
            side,
            price: String(price),
            quantity: '1',
          }),
        },
      }),
    progress,
  );

/**
 * Orders the crossing pairs (all at 500) never reach: asks from 600 up and bids from 400 down, over a hundred
 * price levels a side, by the sellers prepareCrossingBook gave units.
 */
async function placeResting(
  market: BenchMarket,
  n: number,
  pairs: number,
  progress: (m: string) => void,
): Promise<void> {
  const { accounts } = market;
  const sellers = Math.min(pairs, accounts.length);
  await runAll(n, 32, async (i) => {
    const level = Math.floor(i / 2) % 100;
    if (i % 2 === 0)
      await place(market, accounts[Math.floor(i / 2) % sellers] as string, 'SELL', 600 + level, progress);
    else
      await place(
        market,
        accounts[accounts.length - 1 - (Math.floor(i / 2) % accounts.length)] as string,
        'BUY',
        400 - level,
        progress,
      );
  });
}

/**
 * One resting sell at 500, then the clock: a buy at 500 is submitted and committed, and a Match fills it.
 * The book holds nothing else that crosses, so each sample is one fill.
 */
async function crossingLatency(
  market: BenchMarket,
  resting: number,
  progress: (m: string) => void,
): Promise<CrossingLatency> {
  const seller = market.accounts[0] as string;
  const buyer = market.accounts[market.accounts.length - 1] as string;
  const samplesMs: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i += 1) {
    await place(market, seller, 'SELL', 500, progress);
    const { value: n, seconds } = await timed(async () => {
      await place(market, buyer, 'BUY', 500, progress);
      // The trustee's peer may not have committed the placement's block yet: its Match then finds nothing
      // to fill, and the next one does. Both count: the order waits for them.
      for (let attempt = 1; ; attempt += 1) {
        const fills = await matchOnce(market, progress);
        if (fills > 0 || attempt >= 10) return fills;
      }
    });
    if (n !== 1) throw new Error(`a crossing order made ${n} fills, not 1`);
    samplesMs.push(Math.round(seconds * 1000));
  }
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { resting, samplesMs, medianMs: sorted[Math.floor(sorted.length / 2)] as number };
}
