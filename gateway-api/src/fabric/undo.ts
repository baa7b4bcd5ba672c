/**
 * Steps to take back, in the reverse of the order they were done: the compensations of work at the CA
 * and in the wallet that has no transaction of its own. Every step runs even when an earlier one
 * fails, since each puts back something different; the first failure is rethrown at the end so the
 * caller can report that the undo was incomplete.
 */
export class UndoLog {
  private readonly steps: Array<{ what: string; run: () => Promise<void> }> = [];
  private done = false;

  /** Records how to take back a step that has just succeeded. */
  push(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Runs every recorded step, last first, once; later calls do nothing. */
  async run(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const failures: UndoStepFailure[] = [];
    for (const step of [...this.steps].reverse()) {
      try {
        await step.run();
      } catch (err) {
        failures.push(new UndoStepFailure(step.what, err));
      }
    }
    if (failures[0]) throw new UndoIncomplete(failures);
  }
}

export class UndoStepFailure extends Error {
  override readonly name = 'UndoStepFailure';
  constructor(
    readonly step: string,
    readonly reason: unknown,
  ) {
    super(`could not ${step}: ${(reason as Error)?.message ?? String(reason)}`);
  }
}

/** Some steps could not be taken back: what is left behind is named, for an operator to finish by hand. */
export class UndoIncomplete extends Error {
  override readonly name = 'UndoIncomplete';
  readonly code = 'UNDO_INCOMPLETE';
  constructor(readonly failures: readonly UndoStepFailure[]) {
    super(failures.map((f) => f.message).join('; '));
  }
}
