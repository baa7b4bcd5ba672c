import { expect } from 'chai';
import { configtx, lifecycleEndorsementRule } from './configtx';
import { missingApprovals } from './governed-upgrade';
import { lifecyclePolicyJson } from './lifecycle-policy';
import { loadTopology } from './topology';
import { join } from 'node:path';
import { REPO_ROOT } from './layout';
import { withOperatorC } from './testing/topologies';
import { nativePlacement } from './context';
import { Layout } from './layout';

describe('governed chaincode upgrades: whose approvals a commit needs', () => {
  const t = loadTopology(join(REPO_ROOT, 'network', 'topology.yaml'));
  const approvals = (...msps: string[]) => Object.fromEntries(t.orgs.map((o) => [o.mspId, msps.includes(o.mspId)]));

  it("sets each channel's LifecycleEndorsement to the regulator AND the rest of a majority from the others", () => {
    const rule = "AND('RegulatorMSP.peer', OutOf(2, 'TrusteeMSP.peer', 'OperatorAMSP.peer', 'OperatorBMSP.peer'))";
    expect(lifecycleEndorsementRule(t, t.orgs)).to.equal(rule);
    const profiles = configtx(t, nativePlacement(new Layout('/tmp/ecf-unit'))).Profiles as Record<
      string,
      { Application: { Policies: Record<string, { Type: string; Rule: string }> } }
    >;
    for (const profile of Object.values(profiles)) {
      expect(profile.Application.Policies.LifecycleEndorsement).to.deep.equal({ Type: 'Signature', Rule: rule });
    }
  });

  it('counts a fifth member: the regulator and 2 of the 4 others are a majority of 5', () => {
    const five = withOperatorC();
    expect(lifecycleEndorsementRule(five, five.orgs)).to.equal(
      "AND('RegulatorMSP.peer', OutOf(2, 'TrusteeMSP.peer', 'OperatorAMSP.peer', 'OperatorBMSP.peer', 'OperatorCMSP.peer'))",
    );
  });

  it('refuses without the regulator even when every other member approved, and names it', () => {
    expect(missingApprovals(t, t.orgs, approvals('TrusteeMSP', 'OperatorAMSP', 'OperatorBMSP'))).to.deep.equal([
      'RegulatorMSP (the regulator approves every definition)',
    ]);
  });

  it('names how many more of whom a majority still needs', () => {
    expect(missingApprovals(t, t.orgs, approvals('RegulatorMSP'))).to.deep.equal([
      '2 more of TrusteeMSP, OperatorAMSP, OperatorBMSP (a majority, 3 of 4 members, the regulator among them)',
    ]);
    expect(missingApprovals(t, t.orgs, approvals('TrusteeMSP'))).to.deep.equal([
      'RegulatorMSP (the regulator approves every definition)',
      '1 more of OperatorAMSP, OperatorBMSP (a majority, 3 of 4 members, the regulator among them)',
    ]);
  });

  it('is met by the regulator and any two others', () => {
    expect(missingApprovals(t, t.orgs, approvals('RegulatorMSP', 'OperatorAMSP', 'OperatorBMSP'))).to.deep.equal([]);
    expect(missingApprovals(t, t.orgs, approvals('RegulatorMSP', 'TrusteeMSP', 'OperatorAMSP'))).to.deep.equal([]);
  });
});

describe('the lifecycle policy update for networks made before the rule', () => {
  const t = loadTopology(join(REPO_ROOT, 'network', 'topology.yaml'));

  it('writes the rule exactly as configtxgen compiled it into a genesis block (inner principals first)', () => {
    // Taken from the `market` genesis configuration of an e2e network (configtxlator JSON).
    const peer = (msp: string) => ({
      principal: { msp_identifier: msp, role: 'PEER' },
      principal_classification: 'ROLE',
    });
    expect(lifecyclePolicyJson(t, t.orgs)).to.deep.equal({
      type: 1,
      value: {
        identities: [peer('TrusteeMSP'), peer('OperatorAMSP'), peer('OperatorBMSP'), peer('RegulatorMSP')],
        rule: {
          n_out_of: {
            n: 2,
            rules: [
              { signed_by: 3 },
              { n_out_of: { n: 2, rules: [{ signed_by: 0 }, { signed_by: 1 }, { signed_by: 2 }] } },
            ],
          },
        },
        version: 0,
      },
    });
  });
});
