import { ErrorCode, MarketError, MAX_AMOUNT } from '@ecf/common';

/**
 * The documented range of every amount, balance and supply total is 1 … 2^63-1 (architecture decision 14):
 * what clients and reports holding a signed 64-bit integer can represent. Amounts are bounded by their
 * schema; totals grow by addition, so every total is checked here before anything is written.
 */
export function requireWithinLimit(total: bigint, what: string): void {
  if (total > MAX_AMOUNT) {
    // The total itself is not in the message: it may be someone else's private balance.
    throw new MarketError(ErrorCode.LIMIT_EXCEEDED, `${what} would exceed the maximum of 2^63-1`);
  }
}

export function withinLimit(total: bigint): boolean {
  return total <= MAX_AMOUNT;
}
