import { AccountQueue } from './account-queue';
import type { Metrics } from './metrics';
import { ApiError, GatewayCode } from './problem';

/**
 * Admission control for writes (decision 43). A gateway admits a bounded number of writes; each runs
 * only when no earlier write on the same accounts is still running, so that a client's own transfers
 * stop invalidating each other (MVCC conflicts on the same balance keys) and a backlog never turns into
 * endorsements that are certain to be invalidated. Beyond the bound the answer is immediate: 503
 * OVERLOADED, or 429 ACCOUNT_BUSY for one account's limit, with `Retry-After`, before anything is written.
 * Reads never pass through here.
 */
export interface AdmissionSettings {
  /** Off: every write runs at once, unqueued, as before decision 43 (kept to measure the difference). */
  readonly enabled: boolean;
  /** Writes admitted at once, running or waiting, plus the conflict retries granted to them. */
  readonly maxPending: number;
  /** Writes admitted at once that name one account. */
  readonly maxPerAccount: number;
}

/**
 * 128 pending writes is a few seconds of this gateway's throughput (tens of transactions a second on
 * the reference machine): enough to ride out a block's worth of burst, short enough that a client told
 * to wait is not waiting behind work that will outlive its own deadline. 8 per account lets a client
 * pipeline its own writes without one account filling the queue.
 */
export const DEFAULT_ADMISSION: AdmissionSettings = { enabled: true, maxPending: 128, maxPerAccount: 8 };

/**
 * The input fields that name an account whose holdings or record a write may change, by the shared
 * schemas' names: `accountId` (deposits, pledges, orders, account changes), `from` and `to` (transfers).
 * Writes that change accounts they do not name (a settlement, a match) run without serialization and
 * keep their conflict retries.
 */
export const ACCOUNT_FIELDS = ['accountId', 'from', 'to'] as const;

export function accountsOf(input: Readonly<Record<string, unknown>>): string[] {
  const named = ACCOUNT_FIELDS.map((f) => input[f]).filter((v): v is string => typeof v === 'string' && v !== '');
  return [...new Set(named)].sort();
}

/** An admitted write's place: wait for it, ask it for retries, and release it once (further calls do nothing). */
export interface Ticket {
  /**
   * Resolves when every earlier write on the same accounts has finished. Throws OVERLOADED (and releases
   * the ticket) when the request's deadline would pass first: nothing was sent.
   */
  ready(deadline: number): Promise<void>;
  /** Whether a conflicting transaction may be endorsed again: only while a new write would be admitted. */
  mayRetry(attempt: number): boolean;
  release(): void;
}

/** Time kept for the write itself once it leaves the queue: waiting ends this long before the deadline. */
const RUN_RESERVE_MS = 10_000;
/** Throughput is measured over this window, for `Retry-After`. */
const RATE_WINDOW_MS = 10_000;
const RETRY_AFTER_MAX_S = 10;

export class Admission {
  /** Admitted writes not yet released, plus their granted retries. */
  private pending = 0;
  /** Admitted writes not yet released. */
  private tickets = 0;
  private waiting = 0;
  private readonly perAccount = new Map<string, number>();
  private readonly queue = new AccountQueue();
  /** When recent writes that ran were released (newest last), for the drain rate. */
  private readonly finished: number[] = [];
  /** Exponentially weighted mean of how long a write holds its accounts. */
  private holdMs = 500;

  constructor(
    private readonly settings: AdmissionSettings,
    private readonly metrics: Metrics,
    private readonly random: () => number = Math.random,
  ) {}

  /** Admits a write naming `accounts` now, or throws 503 OVERLOADED / 429 ACCOUNT_BUSY. Synchronous. */
  admit(accounts: readonly string[]): Ticket {
    if (!this.settings.enabled) {
      this.metrics.admissions.inc({ outcome: 'admitted' });
      return { ready: async () => undefined, mayRetry: () => true, release: () => undefined };
    }
    if (this.pending >= this.settings.maxPending) {
      this.metrics.admissions.inc({ outcome: 'overloaded' });
      throw this.overloaded(`the gateway has ${this.pending} writes pending, its limit`);
    }
    const busiest = Math.max(0, ...accounts.map((a) => this.perAccount.get(a) ?? 0));
    if (busiest >= this.settings.maxPerAccount) {
      this.metrics.admissions.inc({ outcome: 'account_busy' });
      throw new ApiError(
        GatewayCode.ACCOUNT_BUSY,
        `an account of this request has ${busiest} writes pending, the limit per account; nothing was sent`,
        { headers: { 'Retry-After': this.retryAfter((busiest * this.holdMs) / 1000) } },
      );
    }
    this.metrics.admissions.inc({ outcome: 'admitted' });
    return this.ticket(accounts);
  }

  private ticket(accounts: readonly string[]): Ticket {
    this.pending += 1;
    this.tickets += 1;
    this.waiting += 1;
    for (const a of accounts) this.perAccount.set(a, (this.perAccount.get(a) ?? 0) + 1);
    this.gauges();
    const place = this.queue.enter(accounts);
    const admittedAt = Date.now();
    let runningSince: number | undefined;
    let retries = 0;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      place.leave();
      if (runningSince === undefined) this.waiting -= 1;
      else this.holdMs = 0.8 * this.holdMs + 0.2 * (Date.now() - runningSince);
      this.pending -= 1 + retries;
      this.tickets -= 1;
      for (const a of accounts) {
        const left = (this.perAccount.get(a) ?? 1) - 1;
        if (left > 0) this.perAccount.set(a, left);
        else this.perAccount.delete(a);
      }
      // Only writes that ran drain the queue; one that gave up waiting says nothing of the rate.
      if (runningSince !== undefined) this.finished.push(Date.now());
      this.prune();
      this.gauges();
    };
    return {
      ready: async (deadline) => {
        const limit = Math.max(0, Math.min(deadline - RUN_RESERVE_MS, (admittedAt + deadline) / 2) - Date.now());
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<'expired'>((resolve) => {
          timer = setTimeout(() => resolve('expired'), limit);
        });
        const outcome = await Promise.race([place.ready.then(() => 'ready' as const), expired]);
        clearTimeout(timer);
        if (outcome === 'expired' || released) {
          this.metrics.admissions.inc({ outcome: 'expired' });
          release();
          throw this.overloaded('the deadline came while earlier writes on the same accounts were running');
        }
        runningSince = Date.now();
        this.waiting -= 1;
        this.metrics.accountWait.observe((runningSince - admittedAt) / 1000);
        this.gauges();
      },
      mayRetry: () => {
        if (released || this.pending >= this.settings.maxPending) {
          this.metrics.retryPermits.inc({ outcome: 'refused' });
          return false;
        }
        // A retry is new work: it holds a unit of the same budget until its write is released.
        retries += 1;
        this.pending += 1;
        this.metrics.retryPermits.inc({ outcome: 'granted' });
        this.gauges();
        return true;
      },
      release,
    };
  }

  private overloaded(why: string): ApiError {
    this.prune();
    const perSecond = this.finished.length / (RATE_WINDOW_MS / 1000);
    const drain = perSecond > 0 ? this.pending / perSecond : RETRY_AFTER_MAX_S;
    return new ApiError(GatewayCode.OVERLOADED, `${why}; nothing was sent`, {
      headers: { 'Retry-After': this.retryAfter(drain) },
    });
  }

  private prune(): void {
    const since = Date.now() - RATE_WINDOW_MS;
    while ((this.finished[0] ?? since) < since) this.finished.shift();
  }

  /** Whole seconds, 1 to 10, spread by up to half again so that refused clients do not return together. */
  private retryAfter(seconds: number): string {
    const spread = seconds * (1 + this.random() / 2);
    return String(Math.min(RETRY_AFTER_MAX_S, Math.max(1, Math.ceil(spread))));
  }

  private gauges(): void {
    this.metrics.writeQueue.set({ state: 'waiting' }, this.waiting);
    this.metrics.writeQueue.set({ state: 'running' }, this.tickets - this.waiting);
  }
}
