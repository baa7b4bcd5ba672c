import type { Movement } from '@ecf/common';

/**
 * An account's movements in ledger order, oldest first ("newest last"). Their keys are sealed (each id an
 * HMAC), so key order is arbitrary; movements carry their position in the account's history (`seq`)
 * instead. Movements written before positions existed come first, as they are all older than any
 * numbered one: by timestamp, then transaction id, then stored key. That is the ledger order except for
 * two of them in one second, which the chaincode cannot tell apart any better.
 */
export function inLedgerOrder(entries: ReadonlyArray<{ key: string; value: Movement }>): Movement[] {
  return [...entries].sort((a, b) => compare(a, b)).map((e) => e.value);
}

function compare(a: { key: string; value: Movement }, b: { key: string; value: Movement }): number {
  const sa = a.value.seq;
  const sb = b.value.seq;
  if (sa !== undefined && sb !== undefined) return sa - sb;
  if (sa !== undefined) return 1;
  if (sb !== undefined) return -1;
  return a.value.at - b.value.at || byString(a.value.txId, b.value.txId) || byString(a.key, b.key);
}

const byString = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
