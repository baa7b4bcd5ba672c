import {
  CommandError,
  connectTo,
  runningPid,
  snapshotStore,
  stopProcess,
  type LedgerSnapshot,
  type RestoreResult,
} from '@ecf/network';
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { until } from '../support/eventually';
import { kyc } from '../support/fixtures';
import { admitConsortium, type Api, gatewayCli, upWithGateways } from '../support/http';
import { TestNetwork } from '../support/network';

const MYR = 'TrusteeMSP.MYR';
const reason = 'licensed for equity crowdfunding';
const CHANNELS = ['market', 'audit'];
const person = (name: string) => ({
  fullName: `${name} Person`,
  nationalId: `NID-${name}-77031`,
  dateOfBirth: '1988-03-02',
  email: `${name}@mail.example.org`,
});

/** The JSON document a `--json` command prints after its progress lines. */
function jsonOf<T>(out: string): T {
  // Progress lines may start with '[' too; the document's first line is a lone '{' or '['.
  const start = out.search(/^[[{]$/m);
  return JSON.parse(out.slice(start)) as T;
}

/** Every peer on the same height and block hash of the channel; returns them. */
async function agreed(net: TestNetwork, channel: string): Promise<{ height: number; hash: string }> {
  const ledgers = await until(
    async () => (await net.status()).ledgers.filter((l) => l.channel === channel),
    (ls) =>
      ls.length === net.topology.orgs.length &&
      ls[0]?.height !== null &&
      new Set(ls.map((l) => l.height)).size === 1 &&
      new Set(ls.map((l) => l.currentBlockHash)).size === 1,
    `peers agree on ${channel}`,
    120_000,
  );
  return { height: ledgers[0]?.height ?? 0, hash: ledgers[0]?.currentBlockHash ?? '' };
}

interface AccountHistory {
  movements: unknown[];
  changes: Array<{ txId: string }>;
}

describe('disaster recovery: rebuilding a peer from a ledger snapshot or from block 0', function () {
  this.timeout(1_800_000);
  const net = new TestNetwork(13_000);
  let trustee: Api;
  let operatorA: Api;
  let snapshots: LedgerSnapshot[] = [];
  /** What each of OperatorA's customers holds, by the model of every movement this suite made. */
  const expected = new Map<string, bigint>();
  const times: Record<string, number> = {};
  const openedAfterSnapshot = new Set<string>();

  const peerA = () => {
    const peer = net.org('OperatorA').peers[0];
    if (!peer) throw new Error('OperatorA has no peer');
    return peer;
  };

  /** A customer's balance read through OperatorA's own peer only (endorsing organizations: OperatorA). */
  async function balanceOnA(accountId: string): Promise<bigint> {
    const org = net.org('OperatorA');
    const conn = connectTo(net.layout, org, peerA());
    try {
      const r = await conn.gateway
        .getNetwork('market')
        .getContract('market', 'Transfers')
        .evaluate('GetBalance', {
          arguments: [JSON.stringify({ accountId, assetId: MYR })],
          endorsingOrganizations: [org.mspId],
        });
      return BigInt((JSON.parse(Buffer.from(r).toString()) as { balance: string }).balance);
    } finally {
      conn.close();
    }
  }

  /** An account's movements as an org's own peer returns them (a range read over the collection). */
  async function historyOn(orgName: string, accountId: string): Promise<AccountHistory> {
    const org = net.org(orgName);
    const peer = org.peers[0];
    if (!peer) throw new Error(`${orgName} has no peer`);
    const conn = connectTo(net.layout, org, peer);
    try {
      const r = await conn.gateway
        .getNetwork('market')
        .getContract('market', 'Accounts')
        .evaluate('GetHistory', { arguments: [accountId], endorsingOrganizations: [org.mspId] });
      return JSON.parse(Buffer.from(r).toString()) as AccountHistory;
    } finally {
      conn.close();
    }
  }

  const restBalance = async (api: Api, accountId: string) =>
    BigInt((await api.get(`/v1/accounts/${accountId}/balances/${MYR}`)).body.balance ?? '-1');

  async function onboardWithDeposit(accountId: string, amount: bigint): Promise<void> {
    await operatorA.ok('POST', '/v1/accounts', {
      accountId,
      type: 'investor',
      kyc: kyc(),
      personal: person(accountId),
    });
    await until(
      () => trustee.get(`/v1/accounts/${accountId}`),
      (r) => r.status === 200,
      `${accountId} visible to the trustee`,
    );
    await trustee.ok('POST', '/v1/deposits', {
      accountId,
      tokenId: MYR,
      amount: amount.toString(),
      bankReference: `DEP-${accountId}`,
    });
    expected.set(accountId, (expected.get(accountId) ?? 0n) + amount);
  }

  async function transfer(from: string, to: string, amount: bigint): Promise<void> {
    await operatorA.ok('POST', '/v1/transfers', { from, to, assetId: MYR, amount: amount.toString() });
    expected.set(from, (expected.get(from) ?? 0n) - amount);
    expected.set(to, (expected.get(to) ?? 0n) + amount);
  }

  /** Stops OperatorA's peer and removes its whole data folder: the disk is lost. */
  async function losePeerA(): Promise<void> {
    const peer = peerA();
    await stopProcess(net.layout, peer.id);
    rmSync(net.layout.nodeData(peer.id), { recursive: true, force: true });
    expect(existsSync(net.layout.nodeData(peer.id))).to.equal(false);
    expect(runningPid(net.layout, peer.id)).to.equal(undefined);
  }

  /** Runs `fn` while OperatorA's snapshots are moved out of its store (as if it had never taken one). */
  async function withoutSnapshotsOfA<T>(fn: () => Promise<T>): Promise<T> {
    const store = join(snapshotStore(net.layout), 'operatora');
    renameSync(store, `${store}.away`);
    try {
      return await fn();
    } finally {
      renameSync(`${store}.away`, store);
    }
  }

  /** Every check a rebuilt peer must pass: same ledger as the others, and A's customers read right through it. */
  async function checkRestored(restored: RestoreResult): Promise<void> {
    const fromSnapshot = restored.channels.find((c) => c.channel === 'market')?.from === 'snapshot';
    for (const channel of CHANNELS) {
      const now = await agreed(net, channel);
      const r = restored.channels.find((c) => c.channel === channel);
      expect(r, channel).to.not.equal(undefined);
      expect(now.height, `${channel} height`).to.be.at.least(r?.height ?? Infinity);
      console.log(`      ${channel}: every peer at height ${now.height}, block hash ${now.hash}`);
    }
    // The seal of OperatorA's collection (decision 30) read back through its own peer.
    expect(restored.collections).to.deep.include({ collection: 'pdcOperatorA', sealed: true });
    expect(restored.collections.map((c) => c.collection)).to.not.include('pdcOperatorB');
    for (const [accountId, balance] of expected) {
      expect(await balanceOnA(accountId), `${accountId}'s balance through OperatorA's own peer`).to.equal(balance);
      // The movements are a range read: it must list every record, as the trustee's peer does.
      const onA = await historyOn('OperatorA', accountId);
      const onTrustee = await historyOn('Trustee', accountId);
      expect(onA.movements, `${accountId}'s movements`).to.deep.equal(onTrustee.movements);
      // The public record's changes come from Fabric's history index, which a peer joined from a
      // snapshot starts at the snapshot: complete for an account opened after it, only the later
      // changes otherwise (docs/network.md, What each path brings back). From block 0 it is complete.
      if (fromSnapshot && !openedAfterSnapshot.has(accountId)) {
        expect(onA.changes.length, `${accountId}'s changes before the snapshot`).to.be.lessThan(
          onTrustee.changes.length,
        );
        expect(onA.changes).to.deep.equal(onTrustee.changes.slice(onTrustee.changes.length - onA.changes.length));
      } else {
        expect(onA.changes, `${accountId}'s changes`).to.deep.equal(onTrustee.changes);
      }
    }
    // The REST gateway of OperatorA serves again, and its peer endorses a new movement with the seal.
    await until(
      () => restBalance(operatorA, 'ann'),
      (b) => b === expected.get('ann'),
      "ann's balance through OperatorA's gateway",
      60_000,
    );
    await transfer('bob', 'ann', 250n);
    await until(
      () => balanceOnA('ann'),
      (b) => b === expected.get('ann'),
      'the new transfer through OperatorA',
    );
    await until(
      () => restBalance(trustee, 'bob'),
      (b) => b === expected.get('bob'),
      'the new transfer at the trustee',
    );
  }

  before(async () => {
    let regulator: Api;
    let operatorB: Api;
    ({ regulator, trustee, operatorA, operatorB } = await upWithGateways(net));
    await admitConsortium(regulator, operatorB, reason);
    await trustee.ok('POST', '/v1/money-tokens', { currency: 'MYR', decimals: 2 });
    await onboardWithDeposit('ann', 500_000n);
    await onboardWithDeposit('bob', 200_000n);
    await transfer('ann', 'bob', 12_345n);
    await until(
      () => balanceOnA('bob'),
      (b) => b === expected.get('bob'),
      "bob's balance at OperatorA",
    );
  });

  after(async () => {
    console.log(`      restore times (s): ${JSON.stringify(times)}`);
    await gatewayCli(net, 'down').catch(() => undefined);
    await net.destroy();
  });

  it('refuses to rebuild a peer that still has its ledger, and changes nothing', async () => {
    const before = await agreed(net, 'market');
    const refused = await net.cli('restore-peer', 'OperatorA').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).to.be.instanceOf(CommandError);
    expect((refused as CommandError).output).to.match(
      /still has its ledger of .*market.*: restore-peer rebuilds a peer/,
    );
    expect((await agreed(net, 'market')).hash).to.equal(before.hash);
    expect(await balanceOnA('ann')).to.equal(expected.get('ann'));
  });

  it('snapshots every channel on every peer, outside the peers’ data folders, and every org’s snapshot of a block agrees', async () => {
    const started = Date.now();
    const out = await net.cli('snapshot', '--json');
    times.snapshotAllPeers = (Date.now() - started) / 1000;
    const r = jsonOf<{ snapshots: LedgerSnapshot[]; disagreements: string[] }>(out);
    snapshots = r.snapshots;
    expect(r.disagreements).to.deep.equal([]);
    expect(snapshots).to.have.length(net.topology.orgs.length * CHANNELS.length);
    for (const channel of CHANNELS) {
      const of = snapshots.filter((s) => s.channel === channel);
      expect(new Set(of.map((s) => s.block)).size, `one block for ${channel}`).to.equal(1);
      expect(new Set(of.map((s) => s.snapshotHash)).size, `one hash for ${channel}`).to.equal(1);
      const now = await agreed(net, channel);
      expect(of[0]?.block).to.equal(now.height - 1);
    }
    for (const s of snapshots) {
      expect(existsSync(s.dir)).to.equal(true);
      expect(s.dir.startsWith(net.layout.data)).to.equal(false);
    }
    // A snapshot holds public state and hashes of private state: none of the customers' personal data
    // or balances, whoever's backup volume it sits on.
    const secrets = ['ann', 'bob'].flatMap((id) => [
      person(id).nationalId,
      person(id).email,
      `"amount":"${String(expected.get(id))}"`,
    ]);
    for (const s of snapshots.filter((x) => x.channel === 'market')) {
      for (const file of readdirSync(s.dir)) {
        const bytes = readFileSync(join(s.dir, file)).toString('latin1');
        for (const secret of secrets) expect(bytes, `${s.org}'s ${file}`).to.not.contain(secret);
      }
    }
    console.log(`      snapshot of ${snapshots.length} ledgers took ${times.snapshotAllPeers.toFixed(1)}s`);
  });

  it('rebuilds OperatorA’s lost peer from its snapshot: same height and hash, private balances back through reconciliation', async () => {
    // Business after the snapshot: a new customer, a deposit and transfers the snapshot does not hold.
    await onboardWithDeposit('cy', 30_000n);
    openedAfterSnapshot.add('cy');
    await transfer('bob', 'ann', 1_000n);
    await transfer('ann', 'cy', 2_500n);
    await until(
      () => balanceOnA('cy'),
      (b) => b === expected.get('cy'),
      "cy's balance at OperatorA",
    );
    const marketBefore = await agreed(net, 'market');
    const snapshotBlock = snapshots.find((s) => s.org === 'OperatorA' && s.channel === 'market')?.block ?? 0;
    expect(marketBefore.height - 1).to.be.greaterThan(snapshotBlock);

    await losePeerA();
    const started = Date.now();
    const out = await net.cli('restore-peer', 'OperatorA', '--json');
    times.fromSnapshot = (Date.now() - started) / 1000;
    const [restored] = jsonOf<RestoreResult[]>(out);
    if (!restored) throw new Error('restore-peer restored no peer');
    expect(restored.channels.map((c) => [c.channel, c.from])).to.deep.equal(CHANNELS.map((c) => [c, 'snapshot']));
    expect(restored.channels.find((c) => c.channel === 'market')?.snapshotBlock).to.equal(snapshotBlock);
    console.log(
      `      from the snapshot of market block ${snapshotBlock} (market height ${marketBefore.height} when the peer was lost): ${times.fromSnapshot.toFixed(1)}s (joined ${restored.seconds.joined.toFixed(1)}s, caught up ${restored.seconds.caughtUp.toFixed(1)}s, private data ${restored.seconds.privateData.toFixed(1)}s)`,
    );
    await checkRestored(restored);
  });

  it('rebuilds it from block 0 when the org keeps no snapshot, with the same result', async () => {
    await losePeerA();
    const { refused, out, seconds } = await withoutSnapshotsOfA(async () => {
      const refused = await net.cli('restore-peer', 'OperatorA', '--from', 'snapshot').then(
        () => undefined,
        (e: unknown) => e,
      );
      const started = Date.now();
      const out = await net.cli('restore-peer', 'OperatorA', '--json');
      return { refused, out, seconds: (Date.now() - started) / 1000 };
    });
    expect(refused).to.be.instanceOf(CommandError);
    expect((refused as CommandError).output).to.match(/no snapshot of market is stored/);
    times.fromGenesis = seconds;
    const [restored] = jsonOf<RestoreResult[]>(out);
    if (!restored) throw new Error('restore-peer restored no peer');
    expect(restored.channels.map((c) => [c.channel, c.from])).to.deep.equal(CHANNELS.map((c) => [c, 'genesis']));
    console.log(
      `      from block 0: ${times.fromGenesis.toFixed(1)}s (joined ${restored.seconds.joined.toFixed(1)}s, caught up ${restored.seconds.caughtUp.toFixed(1)}s, private data ${restored.seconds.privateData.toFixed(1)}s)`,
    );
    await checkRestored(restored);
  });
});
