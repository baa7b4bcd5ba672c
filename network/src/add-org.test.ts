import { expect } from 'chai';
import { checkNewOrg, sponsorOf } from './add-org';
import { perOperatorCollections } from './collections';
import { bftFaultsTolerated, consentersOf, ordererMembers } from './consenters';
import { defaultSigners } from './config-update';
import type { NetworkContext } from './context';
import { withTrustee2 } from './testing/topologies';
import { TopologyError, type Topology } from './topology';

const TWO_TRUSTEES = "AND('RegulatorMSP.peer', OR('TrusteeMSP.peer', 'Trustee2MSP.peer'))";
const ctxOf = (topology: Topology) => ({ topology }) as unknown as NetworkContext;

describe('add-org with a second trustee', () => {
  it("accepts a trustee with one ordering node once the market policy's OR of trustees names it", () => {
    const ctx = ctxOf(withTrustee2(TWO_TRUSTEES));
    expect(checkNewOrg(ctx, 'Trustee2').mspId).to.equal('Trustee2MSP');
    expect(checkNewOrg(ctx, 'OperatorD').mspId).to.equal('OperatorDMSP');
  });

  it('refuses a trustee the market endorsement policy does not name, saying what to write', () => {
    const ctx = ctxOf(withTrustee2("AND('RegulatorMSP.peer', 'TrusteeMSP.peer')"));
    expect(() => checkNewOrg(ctx, 'Trustee2')).to.throw(
      TopologyError,
      /market's endorsementPolicy does not name the trustee Trustee2MSP: .*'Trustee2MSP\.peer' in the OR/,
    );
    // An operator is not a co-endorser of public state: the market policy need not name it.
    expect(checkNewOrg(ctx, 'OperatorD').mspId).to.equal('OperatorDMSP');
  });

  it('refuses an ordering node when the network does not run SmartBFT', () => {
    const ctx = ctxOf(withTrustee2(TWO_TRUSTEES, 'raft'));
    expect(() => checkNewOrg(ctx, 'Trustee2')).to.throw(TopologyError, /SmartBFT consenter set only/);
  });

  it('has the regulator sponsor a trustee, and the trustee sponsor its operator', () => {
    const ctx = ctxOf(withTrustee2(TWO_TRUSTEES));
    expect(
      sponsorOf(
        ctx,
        ctx.topology.orgs.find((o) => o.name === 'Trustee2')!,
      ).name,
    ).to.equal('Regulator');
    expect(
      sponsorOf(
        ctx,
        ctx.topology.orgs.find((o) => o.name === 'OperatorD')!,
      ).name,
    ).to.equal('Trustee2');
  });

  it("gives the new operator's collection to its own trustee, not the first", () => {
    const d = perOperatorCollections(withTrustee2(TWO_TRUSTEES)).find((c) => c.name === 'pdcOperatorD');
    expect(d?.policy).to.equal("OR('OperatorDMSP.member', 'Trustee2MSP.member', 'RegulatorMSP.member')");
    expect(d?.endorsementPolicy?.signaturePolicy).to.equal("OR('OperatorDMSP.peer', 'Trustee2MSP.peer')");
  });

  it('gives the new ordering node the next consenter id', () => {
    const t = withTrustee2(TWO_TRUSTEES);
    expect(t.orgs.find((o) => o.name === 'Trustee2')?.orderers.map((o) => o.consenterId)).to.deep.equal([5]);
  });
});

describe('adding a consenter: who must sign', () => {
  const t = withTrustee2(TWO_TRUSTEES);
  // The Orderer group before the addition: the four ordering orgs of genesis (OperatorD has no node).
  const config = {
    channel_group: {
      groups: {
        Orderer: {
          groups: { RegulatorMSP: {}, TrusteeMSP: {}, OperatorAMSP: {}, OperatorBMSP: {} },
          values: { Orderers: { value: { consenter_mapping: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }] } } },
        },
      },
    },
  };

  it('counts the ordering orgs only, not every channel member', () => {
    expect(ordererMembers(t, config).map((o) => o.name)).to.deep.equal([
      'Regulator',
      'Trustee',
      'OperatorA',
      'OperatorB',
    ]);
    expect(consentersOf(config)).to.have.length(4);
  });

  it('asks a majority of them on market, and the regulator with all three others on audit', () => {
    const members = ordererMembers(t, config);
    expect(defaultSigners(t, 'market', members, 'Regulator').map((o) => o.name)).to.deep.equal([
      'Regulator',
      'Trustee',
      'OperatorA',
    ]);
    expect(defaultSigners(t, 'audit', members, 'Regulator').map((o) => o.name)).to.deep.equal([
      'Regulator',
      'Trustee',
      'OperatorA',
      'OperatorB',
    ]);
  });

  it('says so when a configuration has no consenter mapping', () => {
    expect(() => consentersOf({ channel_group: { groups: { Orderer: { values: {} } } } })).to.throw(
      /no SmartBFT consenter mapping/,
    );
  });
});

describe('SmartBFT fault tolerance', () => {
  it('tolerates f faulty consenters out of n when n >= 3f + 1', () => {
    expect([1, 3, 4, 5, 6, 7, 10].map(bftFaultsTolerated)).to.deep.equal([0, 0, 1, 1, 1, 2, 3]);
  });
});
