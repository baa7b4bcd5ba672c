import { expect } from 'chai';
import { createServer, type Server } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import {
  crashProcess,
  runningPid,
  stopProcess,
  type NetworkStatus,
  type Org,
  type PeerNode,
  CommandError,
  connectTo,
  isAlive,
} from '@ecf/network';
import { until } from '../support/eventually';
import { TestNetwork } from '../support/network';

const CHANNEL = 'market';
const CHAINCODE = 'market';

function peersOf(net: TestNetwork): Array<{ org: Org; peer: PeerNode }> {
  return net.topology.orgs.flatMap((org) => org.peers.map((peer) => ({ org, peer })));
}

/**
 * Submits System:Heartbeat as the org's gateway identity and reads it back. `attempts` > 1 retries like a
 * client would while discovery still lists a peer that just stopped.
 */
async function heartbeat(
  net: TestNetwork,
  org: Org,
  peer: PeerNode,
  attempts = 1,
): Promise<{ mspId: string; txId: string }> {
  for (let attempt = 1; ; attempt++) {
    const conn = connectTo(net.layout, org, peer);
    try {
      const contract = conn.gateway.getNetwork(CHANNEL).getContract(CHAINCODE, 'System');
      await contract.submitTransaction('Heartbeat');
      const value = await contract.evaluateTransaction('GetHeartbeat', org.mspId);
      return JSON.parse(Buffer.from(value).toString()) as { mspId: string; txId: string };
    } catch (err) {
      if (attempt >= attempts) {
        const details = (err as { details?: unknown }).details;
        throw new Error(`${org.name}: ${(err as Error).message} ${JSON.stringify(details ?? '')}`);
      }
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      conn.close();
    }
  }
}

/** Polls until every running peer reports the same height and block hash on the channel. */
async function agreedLedger(
  net: TestNetwork,
  minHeight = 0,
  timeoutMs = 60_000,
): Promise<{ height: number; hash: string }> {
  const deadline = Date.now() + timeoutMs;
  let last: NetworkStatus | undefined;
  while (Date.now() < deadline) {
    last = await net.status();
    const ledgers = last.ledgers.filter((l) => l.channel === CHANNEL);
    const heights = new Set(ledgers.map((l) => l.height));
    const hashes = new Set(ledgers.map((l) => l.currentBlockHash));
    const first = ledgers[0];
    if (
      first?.height &&
      heights.size === 1 &&
      hashes.size === 1 &&
      first.height >= minHeight &&
      first.currentBlockHash
    ) {
      return { height: first.height, hash: first.currentBlockHash };
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`peers did not agree on ${CHANNEL}: ${JSON.stringify(last?.ledgers)}`);
}

describe('native Fabric network (real peers, orderers and CAs)', function () {
  this.timeout(600_000);
  const net = new TestNetwork();

  after(async () => {
    await net.destroy();
  });

  it('refuses to start when a port it needs is taken, naming the port, and starts nothing', async () => {
    const peer = net.topology.orgs[2]?.peers[0];
    if (!peer) throw new Error('topology has no third org');
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(peer.chaincodePort, '127.0.0.1', () => r()));
    try {
      const err = await net.cli('up').then(
        () => undefined,
        (e: unknown) => e as CommandError,
      );
      expect(err, 'up should fail').to.be.instanceOf(CommandError);
      expect(err?.output).to.contain(`port ${peer.chaincodePort}`);
      expect(
        existsSync(net.layout.run) ? readdirSync(net.layout.run).filter((f) => f.endsWith('.pid')) : [],
      ).to.deep.equal([]);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('comes up from nothing: CAs, SmartBFT orderers, peers, channels and the chaincode', async () => {
    const started = Date.now();
    const out = await net.cli('up');
    console.log(`      network up from nothing in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    expect(out).to.match(/network up in/);
    const s = await net.status();
    expect(s.consensus).to.equal('bft');
    expect(s.nodes.filter((n) => n.kind === 'orderer')).to.have.length(4);
    expect(
      s.nodes.every((n) => n.healthy),
      JSON.stringify(s.nodes),
    ).to.equal(true);
    expect(s.chaincodes).to.deep.include.members([
      { name: CHAINCODE, channel: CHANNEL, sequence: 1, version: s.chaincodes[0]?.version ?? null },
    ]);
    expect(s.ledgers.map((l) => l.channel)).to.include.members(['market', 'audit']);
  });

  it('submits and evaluates through fabric-gateway on every org’s peer', async () => {
    for (const { org, peer } of peersOf(net)) {
      const value = await heartbeat(net, org, peer);
      expect(value.mspId).to.equal(org.mspId);
      expect(value.txId).to.match(/^[0-9a-f]{64}$/);
    }
  });

  it('keeps every peer on the same block height and hash', async () => {
    await agreedLedger(net);
  });

  it('commits while one peer is stopped, and the peer catches up after restart', async () => {
    const stopped = net.topology.orgs[3]?.peers[0];
    if (!stopped) throw new Error('topology has no fourth org');
    const before = await agreedLedger(net);
    expect(await stopProcess(net.layout, stopped.id)).to.equal(true);
    for (const { org, peer } of peersOf(net).filter((p) => p.peer !== stopped)) {
      await heartbeat(net, org, peer, 15);
    }
    const during = await net.status();
    expect(during.nodes.find((n) => n.id === stopped.id)?.pid).to.equal(null);
    await net.cli('up');
    const after = await agreedLedger(net, before.height + 3);
    expect(after.height).to.be.greaterThanOrEqual(before.height + 3);
  });

  it('restarts crashed nodes on `up` without losing ledger data', async () => {
    const before = await agreedLedger(net);
    const victims = [net.topology.orgs[1]?.orderers[0], net.topology.orgs[2]?.peers[0], net.topology.orgs[0]?.ca];
    for (const v of victims) {
      if (!v) throw new Error('missing node');
      expect(crashProcess(net.layout, v.id), v.id).to.equal(true);
    }
    // SIGKILL is delivered at once, but a node in the middle of an fsync leaves only when that returns.
    const alive = () => victims.filter((v) => runningPid(net.layout, v?.id ?? '') !== undefined).map((v) => v?.id);
    await until(
      async () => alive(),
      (ids) => ids.length === 0,
      'crashed nodes gone',
      10_000,
    );
    await net.cli('up');
    const after = await agreedLedger(net, before.height);
    expect(after.height).to.be.greaterThanOrEqual(before.height);
    const org = net.topology.orgs[2];
    const peer = org?.peers[0];
    if (!org || !peer) throw new Error('missing org');
    expect((await heartbeat(net, org, peer, 15)).mspId).to.equal(org.mspId);
  });

  it('upgrades the chaincode to the next sequence and keeps the ledger data, with an ordering node down', async () => {
    const [org, downOrg] = net.topology.orgs;
    const peer = org?.peers[0];
    const down = downOrg?.orderers[0];
    if (!org || !peer || !down) throw new Error('missing org');
    const mine = await heartbeat(net, org, peer);
    // The peer CLI submits through one ordering node; the lifecycle must not depend on that one node.
    expect(crashProcess(net.layout, down.id)).to.equal(true);
    const out = await net.cli('deploy');
    expect(out).to.match(/market: committed version \w+ as sequence 2/);
    expect(out).to.include(`${down.id} did not order it`);
    const conn = connectTo(net.layout, org, peer);
    try {
      const contract = conn.gateway.getNetwork(CHANNEL).getContract(CHAINCODE, 'System');
      const kept = JSON.parse(
        Buffer.from(await contract.evaluateTransaction('GetHeartbeat', org.mspId)).toString(),
      ) as {
        txId: string;
      };
      expect(kept.txId).to.equal(mine.txId);
    } finally {
      conn.close();
    }
    const s = await net.status();
    expect(s.chaincodes[0]?.sequence).to.equal(2);
    // `up` brings the stopped node back (and commits fresh heartbeats, so it comes after the check above).
    await net.cli('up');
    expect((await net.status()).nodes.every((n) => n.healthy)).to.equal(true);
  });

  it('stops exactly the processes it started and keeps data; down --clean wipes it', async () => {
    const pids = (await net.status()).nodes.map((n) => n.pid).filter((p): p is number => p !== null);
    expect(pids).to.have.length(16);
    await net.cli('down');
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).to.equal(false);
    expect(existsSync(net.layout.data)).to.equal(true);
    await net.cli('down', '--clean');
    expect(existsSync(net.layout.data)).to.equal(false);
    expect(existsSync(net.layout.crypto)).to.equal(false);
  });
});
