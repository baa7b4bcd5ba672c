import { expect } from 'chai';
import { retryConflicts, type AttemptOutcome } from './retry';
import { FabricFailure } from './types';

const conflict: AttemptOutcome<string> = { conflict: { txId: 'a'.repeat(64), code: 'MVCC_READ_CONFLICT' } };
const later = () => Date.now() + 60_000;

describe('conflict retries', () => {
  it('endorses again after a conflict, with a growing backoff, until the transaction is done', async () => {
    const waits: number[] = [];
    let n = 0;
    const out = await retryConflicts(async () => (++n < 3 ? conflict : { done: 'ok' }), {
      maxAttempts: 4,
      deadline: later(),
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
    });
    expect(out).to.deep.equal({ value: 'ok', attempts: 3 });
    expect(waits).to.deep.equal([50, 100]);
  });

  it('stops at the attempt limit with a conflict', async () => {
    let n = 0;
    const run = retryConflicts(
      async () => {
        n += 1;
        return conflict;
      },
      { maxAttempts: 4, deadline: later(), sleep: async () => undefined },
    );
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(FabricFailure);
    expect(err).to.include({ kind: 'conflict', validationCode: 'MVCC_READ_CONFLICT' });
    expect(n).to.equal(4);
  });

  it('does not endorse again when the permit is refused (the gateway is at capacity)', async () => {
    let n = 0;
    const asked: number[] = [];
    const err = await retryConflicts(
      async () => {
        n += 1;
        return conflict;
      },
      {
        maxAttempts: 4,
        deadline: later(),
        mayRetry: (attempt) => {
          asked.push(attempt);
          return false;
        },
        sleep: async () => undefined,
      },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(n, 'one endorsement only').to.equal(1);
    expect(asked).to.deep.equal([1]);
    expect(err).to.include({ kind: 'conflict' });
    expect((err as Error).message).to.contain('at capacity');
  });

  it('gives up with a timeout when the backoff would pass the deadline', async () => {
    const err = await retryConflicts(async () => conflict, {
      maxAttempts: 4,
      deadline: Date.now() + 10,
      sleep: async () => undefined,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.include({ kind: 'timeout' });
  });
});
