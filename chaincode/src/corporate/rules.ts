/**
 * The arithmetic of corporate actions, pure and exact (bigint), so each rule is tested without a ledger.
 */

/** A split N:M of one holding: the units kept, and the fraction left over, in M-ths of a unit. */
export function splitHolding(
  units: bigint,
  numerator: bigint,
  denominator: bigint,
): { after: bigint; remainder: bigint } {
  const scaled = units * numerator;
  return { after: scaled / denominator, remainder: scaled % denominator };
}

/**
 * Whole units the holders' fractions add up to (credited to the issuer, decision 52). Summed over every
 * holding: Σ floor(h·N/M) + floor(Σ(h·N mod M)/M) = floor(S·N/M), so the supply after is the supply before
 * times N/M rounded down: less than one unit of the whole class is lost.
 */
export function splitResidual(remainderSum: bigint, denominator: bigint): bigint {
  return remainderSum / denominator;
}

/** A price per unit after a split N:M: times M/N, to the nearest smallest unit (halves up), at least 1. */
export function splitPrice(price: bigint, numerator: bigint, denominator: bigint): bigint {
  const scaled = (price * denominator * 2n + numerator) / (numerator * 2n);
  return scaled < 1n ? 1n : scaled;
}

/**
 * Units bought from one tender of an offer for up to `maxUnits` when `tendered` units were tendered in all,
 * by cumulative rounding over the tenders in index order (as campaign allocation, decision 16): the tender
 * whose running total goes from `before` to `before + units` gets floor((before+units)·Q/T) − floor(before·Q/T).
 * The purchases sum to exactly min(Q, T), and each is within one unit of its exact pro-rata share.
 */
export function tenderAccepted(before: bigint, units: bigint, tendered: bigint, maxUnits: bigint): bigint {
  if (tendered <= maxUnits) return units;
  return ((before + units) * maxUnits) / tendered - (before * maxUnits) / tendered;
}

export const DAY_SECONDS = 86400;

/** The UTC day of a time, as whole days since 1970-01-01. */
export function dayOf(epochSeconds: number): number {
  return Math.floor(epochSeconds / DAY_SECONDS);
}

/**
 * The issuer's open-market buyback allowance for `today` (decision 53): `maxBps` of the average daily volume
 * over the `windowDays` whole UTC days before today, from the matching engine's own trades, rounded down.
 * Today's trades do not count, so the limit cannot be raised by trading during the day.
 */
export function buybackLimit(
  trades: ReadonlyArray<{ at: number; quantity: string }>,
  today: number,
  windowDays: number,
  maxBps: number,
): { averageDailyVolume: bigint; limit: bigint } {
  const from = (today - windowDays) * DAY_SECONDS;
  const to = today * DAY_SECONDS;
  let volume = 0n;
  for (const t of trades) if (t.at >= from && t.at < to) volume += BigInt(t.quantity);
  const averageDailyVolume = volume / BigInt(windowDays);
  return { averageDailyVolume, limit: (volume * BigInt(maxBps)) / (BigInt(windowDays) * 10000n) };
}
