import type { Api } from './http';
import { sleep } from './fixtures';

/** One transfer request under its own Idempotency-Key, and every answer it got until a definite one. */
export interface KeyedTransfer {
  readonly key: string;
  readonly from: string;
  readonly to: string;
  readonly amount: bigint;
  readonly startedAt: number;
  /** HTTP statuses in order; 0 stands for no answer (connection refused or reset). */
  readonly answers: number[];
  /** The definite answer: a 2xx, or a refusal that a retry would only replay. */
  final?: { readonly status: number; readonly txId?: string; readonly code?: string; readonly at: number };
}

export interface Sender {
  readonly accountId: string;
  readonly api: Api;
  /** The account it pays: senders never pay each other, so one sender's transfers never conflict with another's. */
  readonly to: string;
}

/**
 * Bounded transfer load, as a careful client offers it: each sender has one request in flight, each
 * request has its own Idempotency-Key and is retried with that key until the answer is definite (2xx other
 * than 202 "pending", or a 4xx other than "still running" or "rate limited"). A stall therefore slows the load instead of piling it
 * up, and an unknown outcome is never abandoned.
 */
export class KeyedTransferLoad {
  readonly transfers: KeyedTransfer[] = [];
  private running = false;
  private loops: Array<Promise<void>> = [];

  constructor(
    private readonly senders: readonly Sender[],
    private readonly assetId: string,
    private readonly pauseMs = 1_000,
    /** A key without a definite answer by then fails the run: the suite reports it instead of hanging. */
    private readonly keyDeadlineMs = 300_000,
  ) {}

  start(): void {
    this.running = true;
    this.loops = this.senders.map((s, i) => this.loop(s, i));
  }

  /** Stops starting new keys and resolves once every started key has its definite answer. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Keys answered 2xx that were started after `since`. */
  committedSince(since: number): KeyedTransfer[] {
    return this.transfers.filter((t) => t.startedAt > since && t.final && t.final.status < 300);
  }

  /** Keys started after `since` that have any answer, or a failed attempt, after it. */
  answeredSince(since: number): KeyedTransfer[] {
    return this.transfers.filter((t) => t.startedAt > since && t.answers.length > 0);
  }

  private async loop(sender: Sender, index: number): Promise<void> {
    let n = 0;
    while (this.running) {
      n++;
      const t: KeyedTransfer = {
        key: `fault-${sender.accountId}-${n}-${Date.now()}`,
        from: sender.accountId,
        to: sender.to,
        // Amounts differ per sender and step, so a transfer executed twice shows in the balances.
        amount: BigInt(1 + ((n + index) % 7)),
        startedAt: Date.now(),
        answers: [],
      };
      this.transfers.push(t);
      await this.settle(sender.api, t);
      await sleep(this.pauseMs);
    }
  }

  private async settle(api: Api, t: KeyedTransfer): Promise<void> {
    const body = { to: t.to, assetId: this.assetId, amount: t.amount.toString() };
    const deadline = t.startedAt + this.keyDeadlineMs;
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) throw new Error(`key ${t.key} has no definite answer: ${t.answers.join(',')}`);
      let wait = Math.min(250 * 2 ** attempt, 2_000);
      try {
        const res = await api.call('POST', '/v1/transfers', body, { 'Idempotency-Key': t.key });
        t.answers.push(res.status);
        const code = (res.body as { code?: string } | undefined)?.code;
        // 202: sent for ordering, its commit not yet seen; the same key settles it (decision 63).
        const retry =
          res.status === 202 ||
          res.status === 429 ||
          res.status === 503 ||
          res.status === 504 ||
          (res.status === 409 && code === 'IDEMPOTENCY_IN_PROGRESS');
        if (!retry) {
          const txId = (res.body as { txId?: string } | undefined)?.txId;
          t.final = { status: res.status, at: Date.now(), ...(txId ? { txId } : {}), ...(code ? { code } : {}) };
          return;
        }
        const after = Number(res.headers.get('retry-after'));
        if (after > 0) wait = Math.min(after * 1000, 5_000);
      } catch {
        t.answers.push(0);
      }
      await sleep(wait);
    }
  }
}
