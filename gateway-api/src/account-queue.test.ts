import { expect } from 'chai';
import { AccountQueue } from './account-queue';

/** Whether a promise has settled, after the microtasks queued so far have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('account queue: one write at a time per account', () => {
  it('runs writes on one account one after another, in arrival order', async () => {
    const q = new AccountQueue();
    const first = q.enter(['alice']);
    const second = q.enter(['alice']);
    expect(await settled(first.ready)).to.equal(true);
    expect(await settled(second.ready), 'waits for the first').to.equal(false);
    first.leave();
    expect(await settled(second.ready)).to.equal(true);
    second.leave();
    await new Promise((r) => setImmediate(r));
    expect(q.busy, 'an idle account is forgotten').to.equal(0);
  });

  it('runs writes on different accounts side by side', async () => {
    const q = new AccountQueue();
    q.enter(['alice']);
    expect(await settled(q.enter(['bob']).ready)).to.equal(true);
  });

  it('holds a transfer until both its accounts are free, and later writes on either behind it', async () => {
    const q = new AccountQueue();
    const onAlice = q.enter(['alice']);
    const onBob = q.enter(['bob']);
    const transfer = q.enter(['alice', 'bob']);
    const laterBob = q.enter(['bob']);
    onAlice.leave();
    expect(await settled(transfer.ready), 'bob is still busy').to.equal(false);
    onBob.leave();
    expect(await settled(transfer.ready)).to.equal(true);
    expect(await settled(laterBob.ready), 'behind the transfer').to.equal(false);
    transfer.leave();
    expect(await settled(laterBob.ready)).to.equal(true);
  });

  it('never lets a later write overtake a running one when a write between them gives up waiting', async () => {
    const q = new AccountQueue();
    const running = q.enter(['alice']);
    const impatient = q.enter(['alice']);
    impatient.leave();
    const later = q.enter(['alice']);
    expect(await settled(later.ready), 'the first still runs').to.equal(false);
    running.leave();
    expect(await settled(later.ready)).to.equal(true);
  });
});
