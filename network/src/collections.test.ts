import { expect } from 'chai';
import { join } from 'node:path';
import { perOperatorCollections } from './collections';
import { REPO_ROOT } from './layout';
import { loadTopology } from './topology';

describe('private data collections', () => {
  it('give each operator one collection shared only with its trustee and the regulator, written by the owner side', () => {
    const t = loadTopology(join(REPO_ROOT, 'network', 'topology.yaml'));
    const cols = perOperatorCollections(t);
    expect(cols.map((c) => c.name)).to.deep.equal(['pdcOperatorA', 'pdcOperatorB']);
    const a = cols[0];
    expect(a?.policy).to.equal("OR('OperatorAMSP.member', 'TrusteeMSP.member', 'RegulatorMSP.member')");
    expect(a?.policy).not.to.contain('OperatorBMSP');
    expect(a?.endorsementPolicy.signaturePolicy).to.equal("OR('OperatorAMSP.peer', 'TrusteeMSP.peer')");
    expect(a).to.include({
      memberOnlyRead: true,
      memberOnlyWrite: true,
      requiredPeerCount: 1,
      maxPeerCount: 2,
      blockToLive: 0,
    });
  });
});
