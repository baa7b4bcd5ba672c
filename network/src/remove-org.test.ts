import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { collectionsOf, perOperatorCollections } from './collections';
import { REPO_ROOT } from './layout';
import { checkRemovedOrg } from './remove-org';
import { buildTopology, TopologyError, type Topology } from './topology';

/** The repository's topology with `edit` applied to its raw entries. */
function topology(
  edit: (raw: { orgs: Array<Record<string, unknown>>; chaincodes: Array<Record<string, string>> }) => void,
): Topology {
  const raw = parse(readFileSync(join(REPO_ROOT, 'network', 'topology.yaml'), 'utf8')) as {
    orgs: Array<Record<string, unknown>>;
    chaincodes: Array<Record<string, string>>;
  };
  edit(raw);
  return buildTopology(raw);
}

const markB = (raw: { orgs: Array<Record<string, unknown>> }) => {
  for (const org of raw.orgs) if (org.name === 'OperatorB') org.removed = true;
};
const dropBFromAudit = (raw: { chaincodes: Array<Record<string, string>> }) => {
  for (const cc of raw.chaincodes)
    cc.endorsementPolicy = (cc.endorsementPolicy ?? '').replace(", 'OperatorBMSP.peer'", '');
};

describe('removing an org from the topology (remove-org)', () => {
  it('takes a removed org out of every step but keeps its consenter numbering and lets 3 BFT nodes run', () => {
    const t = topology(markB);
    expect(t.orgs.map((o) => o.name)).to.deep.equal(['Regulator', 'Trustee', 'OperatorA']);
    expect(t.removedOrgs?.map((o) => o.name)).to.deep.equal(['OperatorB']);
    expect(t.orgs.flatMap((o) => o.orderers.map((n) => n.consenterId))).to.deep.equal([1, 2, 3]);
    expect(t.removedOrgs?.[0]?.orderers[0]?.consenterId).to.equal(4);
  });

  it('refuses to remove a trustee or the regulator', () => {
    expect(() =>
      topology((raw) => {
        for (const org of raw.orgs) if (org.name === 'Trustee') org.removed = true;
      }),
    ).to.throw(TopologyError, /only an operator can be removed/);
  });

  it('keeps a removed operator collections in the definition, without it as a member, and never seals them', () => {
    const t = topology(markB);
    const market = collectionsOf(t, 'per-operator');
    const b = market.find((c) => c.name === 'pdcOperatorB');
    expect(b?.policy).to.equal("OR('TrusteeMSP.member', 'RegulatorMSP.member')");
    expect(b?.endorsementPolicy?.signaturePolicy).to.equal("OR('TrusteeMSP.peer')");
    expect(b).to.include({ blockToLive: 0, requiredPeerCount: 1, maxPeerCount: 1 });
    const audit = collectionsOf(t, 'audit').find((c) => c.name === 'auditOperatorB');
    expect(audit?.policy).to.equal("OR('RegulatorMSP.member')");
    expect(audit).to.include({ blockToLive: 0, requiredPeerCount: 0, maxPeerCount: 0 });
    for (const c of [...market, ...collectionsOf(t, 'audit')]) expect(c.policy).not.to.contain('OperatorBMSP');
    expect(perOperatorCollections(t).map((c) => c.name)).to.deep.equal(['pdcOperatorA']);
  });

  it('refuses an org not marked removed, and a topology whose audit policy still names it', () => {
    expect(() =>
      checkRemovedOrg(
        topology(() => undefined),
        'OperatorB',
      ),
    ).to.throw(TopologyError, /removed: true/);
    expect(() => checkRemovedOrg(topology(markB), 'OperatorB')).to.throw(TopologyError, /still names OperatorBMSP/);
    const t = topology((raw) => {
      markB(raw);
      dropBFromAudit(raw);
    });
    expect(checkRemovedOrg(t, 'OperatorB').mspId).to.equal('OperatorBMSP');
    expect(() => checkRemovedOrg(t, 'OperatorZ')).to.throw(TopologyError, /unknown org/);
  });
});
