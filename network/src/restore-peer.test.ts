import { expect } from 'chai';
import { join } from 'node:path';
import { REPO_ROOT } from './layout';
import { parseRecoveryArgs } from './recovery-cli';
import { memberCollections, plan, RestoreRefusedError } from './restore-peer';
import type { LedgerSnapshot } from './snapshot';
import { withOperatorC } from './testing/topologies';
import { loadTopology, orgOf } from './topology';

const snap = (channel: string, block: number): LedgerSnapshot => ({
  org: 'OperatorA',
  channel,
  block,
  lastBlockHash: '',
  snapshotHash: '',
  dir: `/backups/${channel}/${block}`,
});

describe('restoring a peer', () => {
  const latest = (c: string) => (c === 'market' ? snap('market', 40) : undefined);

  it('joins each channel from the latest snapshot where one is stored, else from block 0', () => {
    expect(plan(['market', 'audit'], latest).map((p) => [p.channel, p.snapshot?.block])).to.deep.equal([
      ['market', 40],
      ['audit', undefined],
    ]);
  });

  it('joins from block 0 when told to, even with snapshots stored', () => {
    expect(plan(['market', 'audit'], latest, 'genesis').every((p) => p.snapshot === undefined)).to.equal(true);
  });

  it('refuses --from snapshot when a channel has none, naming the channel', () => {
    expect(() => plan(['market', 'audit'], latest, 'snapshot'))
      .to.throw(RestoreRefusedError)
      .with.property('message')
      .that.matches(/no snapshot of audit is stored/);
  });

  it('waits for the collections the org is a member of, and no other', () => {
    const t = loadTopology(join(REPO_ROOT, 'network', 'topology.yaml'));
    expect(memberCollections(t, orgOf(t, 'OperatorA'))).to.deep.equal(['pdcOperatorA']);
    expect(memberCollections(t, orgOf(t, 'Trustee'))).to.deep.equal(['pdcOperatorA', 'pdcOperatorB']);
    expect(memberCollections(t, orgOf(t, 'Regulator'))).to.deep.equal(['pdcOperatorA', 'pdcOperatorB']);
    const withC = withOperatorC();
    expect(memberCollections(withC, orgOf(withC, 'OperatorC'))).to.deep.equal(['pdcOperatorC']);
  });
});

describe('snapshot and restore-peer options', () => {
  it('reads --org, --from, --json and the org name', () => {
    expect(parseRecoveryArgs(['OperatorA', '--from', 'genesis', '--json'])).to.deep.equal({
      orgs: [],
      from: 'genesis',
      json: true,
      positional: ['OperatorA'],
    });
    expect(parseRecoveryArgs(['--org', 'Trustee', '--org', 'OperatorA', '--topology', 'x.yaml'])).to.deep.equal({
      orgs: ['Trustee', 'OperatorA'],
      json: false,
      positional: [],
    });
  });

  it('refuses an unknown source, a missing value and an unknown option', () => {
    expect(() => parseRecoveryArgs(['OperatorA', '--from', 'tape'])).to.throw(/--from must be snapshot or genesis/);
    expect(() => parseRecoveryArgs(['--org'])).to.throw(/--org needs a value/);
    expect(() => parseRecoveryArgs(['--org', '--json'])).to.throw(/--org needs a value/);
    expect(() => parseRecoveryArgs(['--force'])).to.throw(/unknown option --force/);
  });
});
