import type { Tally, VoteChoice } from '@ecf/common';
import { createHash } from 'node:crypto';

/** One operator's running count, kept in its collection until the tally is published. */
export interface Subtotal {
  eligible: string;
  for: string;
  against: string;
  abstain: string;
  receipts: string[];
}

export const EMPTY_SUBTOTAL: Subtotal = { eligible: '0', for: '0', against: '0', abstain: '0', receipts: [] };

const FIELD: Record<VoteChoice, 'for' | 'against' | 'abstain'> = { FOR: 'for', AGAINST: 'against', ABSTAIN: 'abstain' };

/**
 * Adds one holder's units at the record time. They are voted by at most one ballot: its proxy's if a
 * delegation stands at the close (a principal cannot cast while delegated, nor delegate once cast), else
 * its own. So no unit is counted twice, and a holder's units count toward `eligible` exactly once.
 */
export function addHolder(
  s: Subtotal,
  units: bigint,
  ballot: { choice: VoteChoice; receipt: string } | undefined,
): Subtotal {
  const out = { ...s, eligible: (BigInt(s.eligible) + units).toString(), receipts: [...s.receipts] };
  if (!ballot || units === 0n) return out;
  const f = FIELD[ballot.choice];
  out[f] = (BigInt(out[f]) + units).toString();
  if (!out.receipts.includes(ballot.receipt)) out.receipts.push(ballot.receipt);
  return out;
}

/**
 * The published result. Quorum: units cast (abstentions included) × 10000 ≥ quorumBps × eligible. Passed:
 * quorum met and FOR × 10000 > majorityBps × (FOR + AGAINST), so 5000 is "more than half of those voting".
 * Receipts are sorted, so the list does not tell which operator's holders cast which.
 */
export function publish(subtotals: readonly Subtotal[], quorumBps: number, majorityBps: number): Tally {
  const sum = (f: keyof Omit<Subtotal, 'receipts'>) => subtotals.reduce((a, s) => a + BigInt(s[f]), 0n);
  const eligible = sum('eligible');
  const yes = sum('for');
  const no = sum('against');
  const abstain = sum('abstain');
  const quorumMet = eligible > 0n && (yes + no + abstain) * 10000n >= BigInt(quorumBps) * eligible;
  const passed = quorumMet && yes * 10000n > BigInt(majorityBps) * (yes + no);
  const receipts = [...new Set(subtotals.flatMap((s) => s.receipts))].sort();
  return {
    eligible: eligible.toString(),
    for: yes.toString(),
    against: no.toString(),
    abstain: abstain.toString(),
    quorumMet,
    passed,
    receipts,
  };
}

/**
 * A ballot's receipt: covers the voter's random nonce, so the public tally's hashes can neither be linked
 * to an account nor checked against a guessed choice by anyone who did not see the ballot.
 */
export function receiptOf(resolutionId: string, accountId: string, choice: VoteChoice, nonce: string): string {
  return createHash('sha256')
    .update(`ballot\u0000${resolutionId}\u0000${accountId}\u0000${choice}\u0000${nonce}`)
    .digest('hex');
}
