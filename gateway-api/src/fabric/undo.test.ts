import { expect } from 'chai';
import { UndoIncomplete, UndoLog } from './undo';

describe('UndoLog (compensating CA and wallet steps)', () => {
  it('takes steps back last first, once', async () => {
    const log = new UndoLog();
    const order: string[] = [];
    log.push('a', async () => void order.push('a'));
    log.push('b', async () => void order.push('b'));
    await log.run();
    await log.run();
    expect(order).to.deep.equal(['b', 'a']);
  });

  it('runs every step when one fails, then names what was left behind', async () => {
    const log = new UndoLog();
    const order: string[] = [];
    log.push('restore the wallet entry', async () => void order.push('wallet'));
    log.push('revoke the new certificate', async () => {
      throw new Error('CA unreachable');
    });
    const err = await log.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(UndoIncomplete);
    expect((err as UndoIncomplete).message).to.equal('could not revoke the new certificate: CA unreachable');
    expect(order).to.deep.equal(['wallet']);
  });
});
