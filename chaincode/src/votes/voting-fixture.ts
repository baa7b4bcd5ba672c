import type { FakeIdentity } from '../testing/fake-stub';
import { ACME, ids, type Market } from '../testing/market-fixture';

/** Steps of a vote, for the contract tests and the property test. */
export const RECORD_IN = 100;
export const CLOSE_IN = 1000;

export function propose(m: Market, resolutionId = 'res-1', over: Record<string, unknown> = {}) {
  const now = m.world.now;
  return m.ok(ids.operatorA, 'Votes', 'Propose', [
    JSON.stringify({
      resolutionId,
      classId: ACME,
      title: 'Approve the 2026 accounts',
      recordTime: now + RECORD_IN,
      opensAt: now + RECORD_IN,
      closesAt: now + CLOSE_IN,
      quorumBps: 5000,
      majorityBps: 5000,
      ...over,
    }),
  ]);
}

export function nonceFor(accountId: string): string {
  return Buffer.from(`nonce-of-${accountId}`.padEnd(24, '.')).toString('base64');
}

export function cast(m: Market, who: FakeIdentity, accountId: string, choice: string, resolutionId = 'res-1') {
  return m.call(who, 'Votes', 'Cast', [], { resolutionId, accountId, choice, nonce: nonceFor(accountId) });
}

/** Counts every operator in batches of `max`, as the trustee's driver does, and publishes. */
export async function countAndPublish(m: Market, resolutionId = 'res-1', max = 2) {
  for (const operatorMspId of ['OperatorAMSP', 'OperatorBMSP']) {
    for (let i = 0; i < 20; i++) {
      const q = JSON.stringify({ resolutionId, operatorMspId, max });
      const { evidence } = await m.ok<{ evidence: unknown[] }>(ids.trustee, 'Votes', 'CountEvidence', [q]);
      const r = await m.ok<{ done: boolean }>(ids.trustee, 'Votes', 'Count', [], {
        resolutionId,
        operatorMspId,
        max,
        evidence,
      });
      if (r.done) break;
    }
  }
  return m.ok<{ tally: Tally }>(ids.trustee, 'Votes', 'Publish', [JSON.stringify({ resolutionId })]);
}

export interface Tally {
  eligible: string;
  for: string;
  against: string;
  abstain: string;
  quorumMet: boolean;
  passed: boolean;
  receipts: string[];
}
