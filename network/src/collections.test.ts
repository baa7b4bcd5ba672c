import { expect } from 'chai';
import { join } from 'node:path';
import { auditCollections, collectionsOf, investorLimitsCollections, perOperatorCollections } from './collections';
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

  it('give the investor limits one collection of the trustees and the regulator, no operator, written through the trustee', () => {
    const t = loadTopology(join(REPO_ROOT, 'network', 'topology.yaml'));
    const [limits, ...more] = investorLimitsCollections(t);
    expect(more).to.deep.equal([]);
    expect(limits?.name).to.equal('investorLimits');
    expect(limits?.policy).to.equal("OR('TrusteeMSP.member', 'RegulatorMSP.member')");
    expect(limits?.endorsementPolicy?.signaturePolicy).to.equal("OR('TrusteeMSP.peer')");
    // Pledges are signed by operators' and investors' credentials: the chaincode, not the peer, guards reads.
    expect(limits).to.include({ memberOnlyRead: false, memberOnlyWrite: false, requiredPeerCount: 1, maxPeerCount: 1 });
    expect(collectionsOf(t, 'per-operator').map((c) => c.name)).to.include('investorLimits');
  });
});
