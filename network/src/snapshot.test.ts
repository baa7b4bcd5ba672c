import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Layout, REPO_ROOT } from './layout';
import {
  collectSnapshots,
  disagreements,
  latestSnapshot,
  listSnapshots,
  readSnapshot,
  SNAPSHOTS_KEPT,
  snapshotStore,
  type LedgerSnapshot,
} from './snapshot';
import { loadTopology, orgOf } from './topology';

const topology = loadTopology(join(REPO_ROOT, 'network', 'topology.yaml'));
const operatorA = orgOf(topology, 'OperatorA');

/** A folder shaped as Fabric writes a completed snapshot: data files, then the two metadata files. */
function fabricSnapshot(parent: string, channel: string, block: number, hash = `h${block}`, whole = true): string {
  const dir = join(parent, String(block));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'public_state.data'), 'state');
  if (!whole) return dir;
  writeFileSync(
    join(dir, '_snapshot_signable_metadata.json'),
    JSON.stringify({ channel_name: channel, last_block_number: block, last_block_hash: `b${block}` }),
  );
  writeFileSync(join(dir, '_snapshot_additional_metadata.json'), JSON.stringify({ snapshot_hash: hash }));
  return dir;
}

describe('ledger snapshots', () => {
  let home: string;
  let layout: Layout;
  let completed: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ecf-snap-'));
    layout = new Layout(join(home, 'state'));
    completed = join(layout.nodeData('peer0.operatora'), 'snapshots', 'completed', 'market');
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('moves a completed snapshot out of the peer’s data folder into the org’s store, by channel and block', () => {
    fabricSnapshot(completed, 'market', 12);
    const [moved] = collectSnapshots(layout, operatorA, completed);
    expect(moved).to.include({
      org: 'OperatorA',
      channel: 'market',
      block: 12,
      lastBlockHash: 'b12',
      snapshotHash: 'h12',
    });
    expect(moved?.dir).to.equal(join(snapshotStore(layout), 'operatora', 'market', '12'));
    expect(moved?.dir.startsWith(layout.data)).to.equal(false);
    expect(existsSync(join(completed, '12'))).to.equal(false);
    expect(existsSync(join(moved?.dir ?? '', 'public_state.data'))).to.equal(true);
  });

  it('leaves a snapshot Fabric is still writing where it is', () => {
    fabricSnapshot(completed, 'market', 7, 'h7', false);
    expect(collectSnapshots(layout, operatorA, completed)).to.deep.equal([]);
    expect(existsSync(join(completed, '7'))).to.equal(true);
    expect(readSnapshot('OperatorA', join(completed, '7'))).to.equal(undefined);
  });

  it(`keeps the newest ${SNAPSHOTS_KEPT} snapshots of a channel and finds the latest`, () => {
    for (const block of [3, 9, 5, 11]) {
      fabricSnapshot(completed, 'market', block);
      collectSnapshots(layout, operatorA, completed);
    }
    fabricSnapshot(join(completed, '..', 'audit'), 'audit', 4);
    collectSnapshots(layout, operatorA, join(completed, '..', 'audit'));
    expect(listSnapshots(layout, operatorA, 'market').map((s) => s.block)).to.deep.equal([11, 9, 5]);
    expect(latestSnapshot(layout, operatorA, 'market')?.block).to.equal(11);
    expect(latestSnapshot(layout, operatorA, 'audit')?.block).to.equal(4);
    expect(latestSnapshot(layout, orgOf(topology, 'OperatorB'), 'market')).to.equal(undefined);
  });

  it('replaces a stored snapshot of the same block', () => {
    fabricSnapshot(completed, 'market', 8, 'first');
    collectSnapshots(layout, operatorA, completed);
    fabricSnapshot(completed, 'market', 8, 'again');
    collectSnapshots(layout, operatorA, completed);
    expect(listSnapshots(layout, operatorA, 'market').map((s) => s.snapshotHash)).to.deep.equal(['again']);
  });

  it('reports orgs whose snapshots of the same block differ, and only those', () => {
    const s = (org: string, channel: string, block: number, snapshotHash: string): LedgerSnapshot => ({
      org,
      channel,
      block,
      snapshotHash,
      lastBlockHash: '',
      dir: '',
    });
    expect(disagreements([s('A', 'market', 5, 'x'), s('B', 'market', 5, 'x'), s('C', 'market', 6, 'y')])).to.deep.equal(
      [],
    );
    const found = disagreements([s('A', 'market', 5, 'x'), s('B', 'market', 5, 'z'), s('C', 'market', 5, 'x')]);
    expect(found).to.have.length(1);
    expect(found[0]).to.match(/^market@5: A, C x… \/ B z…$/);
  });
});
