import { expect } from 'chai';
import { checkNewOrg } from './add-org';
import { defaultSigners, missingSignatures } from './config-update';
import type { NetworkContext } from './context';
import { withOperatorC } from './testing/topologies';
import { TopologyError, type Topology } from './topology';

const withAuditOr = (raw: Record<string, unknown>) => {
  for (const cc of raw.chaincodes as Array<{ name: string; endorsementPolicy: string }>) {
    if (cc.name === 'audit') cc.endorsementPolicy = cc.endorsementPolicy.replace(/\)\)$/, ", 'OperatorCMSP.peer'))");
  }
};

const ctxOf = (topology: Topology) => ({ topology }) as unknown as NetworkContext;

describe('channel configuration updates: who must sign', () => {
  const t = withOperatorC(withAuditOr);
  const members = t.orgs.filter((o) => o.name !== 'OperatorC');

  it('on market, asks a majority of the member admins (3 of 4) and names who could still sign', () => {
    expect(missingSignatures(t, 'market', members, ['TrusteeMSP'])).to.deep.equal([
      '2 more of RegulatorMSP, OperatorAMSP, OperatorBMSP (a majority, 3 of 4 member admins)',
    ]);
    expect(missingSignatures(t, 'market', members, ['TrusteeMSP', 'OperatorAMSP', 'OperatorBMSP'])).to.deep.equal([]);
  });

  it("on audit, names the regulator whenever it has not signed, and counts a majority besides the regulator's own", () => {
    expect(missingSignatures(t, 'audit', members, ['TrusteeMSP', 'OperatorAMSP', 'OperatorBMSP'])).to.deep.equal([
      'RegulatorMSP (the regulator signs every update of audit)',
    ]);
    expect(missingSignatures(t, 'audit', members, ['TrusteeMSP', 'OperatorAMSP'])).to.deep.equal([
      'RegulatorMSP (the regulator signs every update of audit)',
      "1 more of OperatorBMSP (a majority, 3 of 4 member admins, besides the regulator's own)",
    ]);
    // Fabric uses the regulator's one signature for the AND; it does not count again toward the OutOf.
    expect(missingSignatures(t, 'audit', members, ['RegulatorMSP', 'TrusteeMSP', 'OperatorAMSP'])).to.deep.equal([
      "1 more of OperatorBMSP (a majority, 3 of 4 member admins, besides the regulator's own)",
    ]);
    expect(
      missingSignatures(
        t,
        'audit',
        members,
        members.map((m) => m.mspId),
      ),
    ).to.deep.equal([]);
  });

  it('picks the regulator first on audit, then the sponsor, until the policy is met', () => {
    expect(defaultSigners(t, 'audit', members, 'Trustee').map((o) => o.name)).to.deep.equal([
      'Regulator',
      'Trustee',
      'OperatorA',
      'OperatorB',
    ]);
    expect(defaultSigners(t, 'market', members, 'Trustee').map((o) => o.name)).to.deep.equal([
      'Trustee',
      'Regulator',
      'OperatorA',
    ]);
  });
});

describe('add-org preconditions', () => {
  it('accepts a new operator with a peer, no ordering node, named in the audit endorsement OR', () => {
    expect(checkNewOrg(ctxOf(withOperatorC(withAuditOr)), 'OperatorC').mspId).to.equal('OperatorCMSP');
  });

  it('refuses when the audit endorsement policy does not name the new org', () => {
    expect(() => checkNewOrg(ctxOf(withOperatorC()), 'OperatorC')).to.throw(TopologyError, /OperatorCMSP\.peer/);
  });

  it('refuses more than one ordering node, and the regulator', () => {
    const t = withOperatorC((raw) => {
      withAuditOr(raw);
      (raw.orgs as Array<{ name: string; orderers: number }>).at(-1)!.orderers = 2;
    });
    expect(() => checkNewOrg(ctxOf(t), 'OperatorC')).to.throw(TopologyError, /set orderers: 1/);
    expect(() => checkNewOrg(ctxOf(t), 'Regulator')).to.throw(TopologyError, /is the regulator/);
  });
});
