/**
 * Pro-rata allocation of an oversubscribed offering by cumulative rounding. With pledges taken in one fixed
 * order and C_k the units pledged by the first k of them, pledge k receives
 *
 *   floor(C_k · max / T) − floor(C_{k−1} · max / T)
 *
 * units, where T is the total pledged and max the units on offer. The allocations sum to exactly `max`
 * (the sum telescopes to floor(T · max / T)), each lies within one unit of its exact share, and each
 * needs only the running total — so settlement can proceed in bounded, resumable batches.
 * When the offering is not oversubscribed (T ≤ max) every pledge receives what it pledged.
 */
export function allocate(pledgedUnits: bigint, cumulativeBefore: bigint, totalUnits: bigint, maxUnits: bigint): bigint {
  if (totalUnits <= maxUnits) return pledgedUnits;
  const after = cumulativeBefore + pledgedUnits;
  return (after * maxUnits) / totalUnits - (cumulativeBefore * maxUnits) / totalUnits;
}
