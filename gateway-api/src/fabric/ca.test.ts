import { expect } from 'chai';
import { caFailure } from './ca';
import { FabricFailure } from './types';
import { UndoIncomplete, UndoStepFailure } from './undo';

describe('caFailure: what a CA error becomes', () => {
  const refusal = new Error(
    'fabric-ca request register failed with errors [[{"code":0,"message":"CN acct-x is longer than 64"}]]',
  );

  it("keeps the CA's own message for the log and a generic one for the client", () => {
    const failure = caFailure(refusal);
    expect(failure.kind).to.equal('ca');
    expect(failure.message).to.equal(
      "the org's certificate authority refused to register or enroll the identity; nothing was changed",
    );
    expect(failure.upstream).to.equal('fabric-ca request register failed: CN acct-x is longer than 64');
  });

  it('says so when an earlier step could not be taken back', () => {
    const incomplete = new UndoIncomplete([new UndoStepFailure('restore the wallet entry', new Error('EACCES'))]);
    const failure = caFailure(refusal, incomplete);
    expect(failure.message).to.contain('could not take back every earlier step');
    expect(failure.upstream).to.contain('undo incomplete: could not restore the wallet entry: EACCES');
  });

  it('leaves an unreachable CA an outage', () => {
    const failure = caFailure(new FabricFailure('unavailable', 'CA unreachable: ECONNREFUSED'));
    expect(failure.kind).to.equal('unavailable');
  });
});
