import { FabricFailure } from './types';

/** One attempt's outcome: a value, or a conflict that endorsing again may resolve (nothing was written). */
export type AttemptOutcome<T> =
  | { readonly done: T }
  | {
      readonly conflict: {
        readonly txId: string;
        /** MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT or ENDORSEMENT_MISMATCH. */
        readonly code: string;
        readonly upstream?: string;
      };
    };

export interface ConflictRetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Absolute deadline (ms since epoch): no attempt starts after it. */
  readonly deadline: number;
  /**
   * Asked before each further attempt; false ends the submission with the conflict. The gateway's
   * admission control answers it, so that retries never add load to a saturated gateway.
   */
  readonly mayRetry?: (attempt: number) => boolean;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * Runs `attempt` until it is done or its conflict may no longer be retried: after `maxAttempts`, when the
 * permit is refused, or when the backoff would end past the deadline. The backoff grows exponentially
 * (50 ms, 100 ms, … at most 1 s) with jitter, so that contending writers spread out instead of colliding
 * again.
 */
export async function retryConflicts<T>(
  attempt: (n: number) => Promise<AttemptOutcome<T>>,
  policy: ConflictRetryPolicy,
): Promise<{ readonly value: T; readonly attempts: number }> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = policy.random ?? Math.random;
  for (let n = 1; ; n++) {
    const outcome = await attempt(n);
    if ('done' in outcome) return { value: outcome.done, attempts: n };
    const { txId, code, upstream } = outcome.conflict;
    if (n >= policy.maxAttempts) {
      throw new FabricFailure(
        'conflict',
        `transaction kept conflicting after ${n} attempts: ${code}`,
        txId,
        code,
        upstream,
      );
    }
    if (policy.mayRetry && !policy.mayRetry(n)) {
      throw new FabricFailure(
        'conflict',
        `transaction conflicted (${code}); not endorsed again while the gateway is at capacity`,
        txId,
        code,
        upstream,
      );
    }
    const wait = Math.min(1000, 25 * 2 ** n) * (0.5 + random());
    if (Date.now() + wait >= policy.deadline) {
      throw new FabricFailure('timeout', 'deadline passed while retrying a conflicting transaction', txId);
    }
    await sleep(wait);
  }
}
