import { expect } from 'chai';
import { join } from 'node:path';
import { auditCollections, perOperatorCollections } from './collections';
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
    expect(a?.endorsementPolicy?.signaturePolicy).to.equal("OR('OperatorAMSP.peer', 'TrusteeMSP.peer')");
    expect(a).to.include({
      memberOnlyRead: true,
      memberOnlyWrite: true,
      requiredPeerCount: 1,
      maxPeerCount: 2,
      blockToLive: 0,
    });
  });

  it("give the audit channel the regulator's own collection and one per other org, shared only with the regulator", () => {
    const t = loadTopology(join(REPO_ROOT, 'network', 'topology.yaml'));
    const cols = auditCollections(t);
    expect(cols.map((c) => [c.name, c.policy])).to.deep.equal([
      ['auditRegulator', "OR('RegulatorMSP.member')"],
      ['auditTrustee', "OR('RegulatorMSP.member', 'TrusteeMSP.member')"],
      ['auditOperatorA', "OR('RegulatorMSP.member', 'OperatorAMSP.member')"],
      ['auditOperatorB', "OR('RegulatorMSP.member', 'OperatorBMSP.member')"],
    ]);
    for (const c of cols) {
      expect(c).to.include({ memberOnlyRead: true, memberOnlyWrite: true, requiredPeerCount: 0, blockToLive: 0 });
      expect(c.endorsementPolicy).to.equal(undefined);
    }
    expect(cols.map((c) => c.maxPeerCount)).to.deep.equal([0, 1, 1, 1]);
  });
});
