/**
 * First come, first served, exclusive use of accounts. A write that names several accounts (a transfer's
 * sender and receiver) joins the queue of each at once, in one synchronous step, so two writes can never
 * wait for each other crosswise, and no two writes run together on one account.
 */
export class AccountQueue {
  /** Per account: settles once the last write that joined its queue has left, and all before it. */
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Joins the queue of every account now. `ready` resolves when every earlier write on any of them has
   * left; `leave` must be called once this write is done with them (or gives up waiting).
   */
  enter(accounts: readonly string[]): { readonly ready: Promise<void>; leave(): void } {
    const before = [...new Set(accounts)].map((a) => this.tails.get(a)).filter((p) => p !== undefined);
    const ready = Promise.all(before).then(() => undefined);
    let leave = (): void => undefined;
    const left = new Promise<void>((resolve) => {
      leave = resolve;
    });
    // A later write waits for this one to leave and for everything this one waited on: leaving early (a
    // deadline that passed in the queue) never lets it overtake a write still running.
    const tail = Promise.all([ready, left]).then(() => undefined);
    for (const account of new Set(accounts)) {
      this.tails.set(account, tail);
      void tail.then(() => {
        if (this.tails.get(account) === tail) this.tails.delete(account);
      });
    }
    return { ready, leave };
  }

  /** Accounts with a write running or waiting. */
  get busy(): number {
    return this.tails.size;
  }
}
