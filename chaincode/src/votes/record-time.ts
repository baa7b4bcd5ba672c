import { ErrorCode, MarketError, type Movement } from '@ecf/common';

/**
 * A holding at the record time, rebuilt from the balance now and the movements since. Movements carry
 * their position in the account's history (`seq`), and the account's counter says which position is the
 * last, so a list of "the movements after the record time" can be checked with point reads alone: their
 * positions must be exactly the last k, each after the record time, and the one before them (the boundary)
 * at or before it. "After the record time" is therefore the longest run of an account's latest movements
 * whose transaction times are all later than the record time: timestamps are set by gateways (decision
 * 34), so a movement stamped earlier than one before it is counted with its neighbours, in ledger order.
 */
export interface RecordTimeProof {
  accountId: string;
  classId: string;
  recordTime: number;
  /** The account's balance of the class now. */
  balance: bigint;
  /** The position of the account's last movement (0: none). */
  lastSeq: number;
  after: readonly Movement[];
  boundary?: Movement;
}

export function unitsAtRecordTime(p: RecordTimeProof): bigint {
  const refuse = (why: string): never => {
    throw new MarketError(ErrorCode.INVALID_ARGUMENT, `evidence for account ${p.accountId}: ${why}`);
  };
  const seen = new Set<number>();
  let since = 0n;
  for (const m of p.after) {
    if (m.accountId !== p.accountId) refuse('a movement of another account');
    if (m.seq === undefined || m.seq <= p.lastSeq - p.after.length || m.seq > p.lastSeq || seen.has(m.seq))
      refuse('the movements listed are not exactly the latest ones');
    if (m.at <= p.recordTime) refuse(`movement ${m.seq} is not after the record time`);
    seen.add(m.seq as number);
    if (m.assetId === p.classId) since += BigInt(m.delta);
  }
  const boundarySeq = p.lastSeq - p.after.length;
  if (boundarySeq > 0) {
    const b = p.boundary;
    if (!b) return refuse(`the movement before those listed (${boundarySeq}) is missing`);
    if (b.accountId !== p.accountId || b.seq !== boundarySeq) refuse('the boundary is not the movement before');
    if (b.at > p.recordTime) refuse('a later movement is left out of the list');
  }
  const units = p.balance - since;
  if (units < 0n) throw new MarketError(ErrorCode.INTERNAL, `holding of ${p.accountId} at record time is negative`);
  return units;
}

/** The evidence a count needs: of movements in ledger order, the latest run after the record time. */
export function splitAtRecordTime<T extends { value: Movement }>(
  inOrder: readonly T[],
  recordTime: number,
): { after: T[]; boundary?: T } {
  let i = inOrder.length;
  while (i > 0 && (inOrder[i - 1] as T).value.at > recordTime) i -= 1;
  return { after: inOrder.slice(i), boundary: i > 0 ? inOrder[i - 1] : undefined };
}
