import { MAX_LIMIT_DECISIONS, type LimitDecision } from '@ecf/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type winston from 'winston';
import type { FabricPort } from '../fabric/types';

export interface KeeperOptions {
  /** The market channel, through the trustee's own peer (the review is a query only it can answer). */
  readonly market: FabricPort;
  readonly identity: string;
  /** The regulator and the trustee: `Decide` writes public state as well as the operator's collection. */
  readonly endorsers: readonly string[];
  readonly logger: winston.Logger;
  /** How long to wait between reviews that found nothing to decide. */
  readonly idleMs?: number;
}

const CALL_MS = 30_000;

/**
 * The trustee's investor-limit keeper (decision 49). It asks the chaincode, on the trustee's own peer, for
 * its decisions on the pending claims (`Limits:Review`, a query, so reading a person's other claims leaves
 * nothing on the ledger), then records them with `Limits:Decide`, one operator's claims per transaction so
 * no transaction puts two operators' customers side by side. It holds no state of its own: the claims on
 * the ledger are the counters, and a restart simply reviews again.
 */
export class LimitKeeper {
  constructor(private readonly options: KeeperOptions) {}

  /** One review and the transactions that record it; how many claims it decided. */
  async once(): Promise<number> {
    const { market, identity, endorsers } = this.options;
    const review = (await market.evaluate(identity, {
      fn: 'Limits:Review',
      args: ['{}'],
      deadline: Date.now() + CALL_MS,
    })) as { decisions: LimitDecision[] };
    for (const batch of byOperator(review.decisions)) {
      await market.submit(identity, {
        fn: 'Limits:Decide',
        transient: { decisions: batch },
        endorsingOrganizations: endorsers,
        deadline: Date.now() + CALL_MS,
      });
    }
    return review.decisions.length;
  }

  /**
   * Reviews until the signal aborts: at once after a review that decided something (more may be waiting),
   * otherwise after `idleMs`. A failed round (a peer restarting, a conflict with a withdrawal) is logged
   * and retried: whatever it did not record is still pending.
   */
  async run(signal: AbortSignal): Promise<void> {
    const idle = this.options.idleMs ?? 1000;
    while (!signal.aborted) {
      let decided = 0;
      try {
        decided = await this.once();
        if (decided > 0) this.options.logger.info('investor-limit claims decided', { decided });
      } catch (err) {
        if (signal.aborted) break;
        this.options.logger.warn('investor-limit review failed; retrying', {
          error: (err as Error).message.split('\n')[0],
        });
      }
      if (decided === 0) await sleep(idle, undefined, { signal }).catch(() => undefined);
    }
  }
}

/** Consecutive decisions of one operator, in the review's order, at most one `Decide`'s worth each. */
export function byOperator(decisions: readonly LimitDecision[]): LimitDecision[][] {
  const batches: LimitDecision[][] = [];
  for (const d of decisions) {
    const last = batches[batches.length - 1];
    if (last && last[0]?.operatorMspId === d.operatorMspId && last.length < MAX_LIMIT_DECISIONS) last.push(d);
    else batches.push([d]);
  }
  return batches;
}
