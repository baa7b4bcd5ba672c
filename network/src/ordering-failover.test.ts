import { expect } from 'chai';
import { throughOrdering } from './ordering-failover';

const TIMEOUT =
  'peer lifecycle chaincode approveformyorg exited with 1: WARN keepalive\nError: timed out waiting for txid on all peers';

function steps(outcomes: Record<string, Error | undefined>, committed = () => false) {
  const sent: string[] = [];
  const skipped: string[] = [];
  return {
    sent,
    skipped,
    steps: {
      send: async (node: string) => {
        sent.push(node);
        const outcome = outcomes[node];
        if (outcome) throw outcome;
      },
      done: async () => committed(),
      skipped: (node: string, next: string, reason: string) => skipped.push(`${node}->${next}: ${reason}`),
    },
  };
}

describe('submitting through the ordering service', () => {
  it('uses the first node when it orders the transaction', async () => {
    const s = steps({});
    await throughOrdering(['own', 'other'], s.steps);
    expect(s.sent).to.deep.equal(['own']);
    expect(s.skipped).to.deep.equal([]);
  });

  it('moves to the next node when one times out, and says why', async () => {
    const s = steps({
      own: new Error(TIMEOUT),
      second: new Error('error getting broadcast client: connection refused'),
    });
    await throughOrdering(['own', 'second', 'third'], s.steps);
    expect(s.sent).to.deep.equal(['own', 'second', 'third']);
    expect(s.skipped).to.deep.equal([
      'own->second: timed out waiting for txid on all peers',
      'second->third: error getting broadcast client: connection refused',
    ]);
  });

  it('does not resend a transaction that committed after its timeout', async () => {
    const s = steps({ own: new Error(TIMEOUT) }, () => true);
    await throughOrdering(['own', 'other'], s.steps);
    expect(s.sent).to.deep.equal(['own']);
  });

  it('takes a refused retry as success when the first attempt committed late', async () => {
    let committed = false;
    const s = steps(
      {
        own: new Error(TIMEOUT),
        other: new Error('Error: requested sequence is 2, but new definition must be sequence 3'),
      },
      () => committed,
    );
    const send = s.steps.send;
    s.steps.send = async (node: string) => {
      if (node === 'other') committed = true;
      await send(node);
    };
    await throughOrdering(['own', 'other', 'third'], s.steps);
    expect(s.sent).to.deep.equal(['own', 'other']);
  });

  it('throws at once an error another node would repeat', async () => {
    const refused = new Error('Error: proposal failed with status: 500 - attempted to define sequence 3, expected 2');
    const s = steps({ own: refused });
    const err = await throughOrdering(['own', 'other'], s.steps).catch((e: unknown) => e);
    expect(err).to.equal(refused);
    expect(s.sent).to.deep.equal(['own']);
  });

  it('throws the last node’s error when every node fails', async () => {
    const last = new Error(TIMEOUT);
    const s = steps({ own: new Error(TIMEOUT), other: last });
    const err = await throughOrdering(['own', 'other'], s.steps).catch((e: unknown) => e);
    expect(err).to.equal(last);
  });
});
