import { hostOf, hostsPlan, removeHosts, type HostsPlan, type NetworkStatus } from '@ecf/network';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { until } from '../support/eventually';
import { kyc } from '../support/fixtures';
import { admitConsortium, Api, gatewayCli, tokenFor } from '../support/http';
import { TestNetwork } from '../support/network';

const CHANNELS = ['market', 'audit'];
const MYR = 'TrusteeMSP.MYR';
const CUT = 'OperatorB';
const reason = 'licensed for equity crowdfunding';

const person = (name: string) => ({
  fullName: `${name} Person`,
  nationalId: `NID-${name}-44017`,
  dateOfBirth: '1983-02-14',
  email: `${name}@mail.example.org`,
});

/** A peer's height on a channel, from its operations endpoint on its own host (0 while it cannot be reached). */
function heightOf(host: string, port: number, channel: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get({ host, port, path: '/metrics', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const m = new RegExp(`^ledger_blockchain_height\\{channel="${channel}"\\} (\\d+)`, 'm').exec(body);
        resolve(m ? Number(m[1]) : 0);
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Every peer at one height with one current block hash, per channel. */
function agreed(s: NetworkStatus): boolean {
  return CHANNELS.every((c) => {
    const l = s.ledgers.filter((x) => x.channel === c);
    return (
      l.length === 4 &&
      l.every((x) => x.height !== null && x.height === l[0]?.height && x.currentBlockHash === l[0]?.currentBlockHash)
    );
  });
}

/**
 * Each org on its own host (a network namespace with its own address, on a bridge): the network comes up
 * and commits across the four hosts; one host is cut off (its link down), SmartBFT orders on with the other
 * three and transfers keep committing; the link heals and the cut host catches up to identical block
 * hashes, and its gateway serves again. The catch-up time is printed, never asserted.
 */
describe('each org on its own host: one host cut off and healed', function () {
  this.timeout(1_200_000);
  const net = new TestNetwork(24_000);
  let plan: HostsPlan;
  const api: Record<string, Api> = {};
  /** The gateway of an org on its own host, as a client on the bridge reaches it. */
  const onHost = async (org: string, identity = 'gateway'): Promise<Api> => {
    const local = await tokenFor(net, org, identity);
    return new Api(`http://${hostOf(plan, org).address}:${net.org(org).ca.port + 80}`, local.token);
  };
  let payer: Api;
  let paid = 0n;
  /**
   * A transfer as a client makes one through a partition (docs/gateway.md): an answer that leaves the
   * outcome open (202 while its commit is pending, 503 or 504, 409 while the first attempt still runs) is
   * asked again with the same Idempotency-Key, which makes every attempt one write; anything else fails.
   */
  const pay = async (amount: bigint) => {
    const started = Date.now();
    const key = `host-pay-${amount}`;
    const body = { to: 'host-r', assetId: MYR, amount: amount.toString() };
    const answers: number[] = [];
    await until(
      async () => {
        const r = await payer.call('POST', '/v1/transfers', body, { 'Idempotency-Key': key });
        answers.push(r.status);
        if (r.status >= 300 && ![409, 503, 504].includes(r.status))
          throw new Error(`transfer of ${amount}: ${r.status} ${JSON.stringify(r.body)}`);
        return r.status;
      },
      (status) => status < 300 && status !== 202,
      `transfer of ${amount} commits`,
      600_000,
    );
    paid += amount;
    const took = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`      transfer of ${amount} committed in ${took}s (answers ${answers.join(', ')})`);
  };
  const balance = async (accountId: string) =>
    BigInt((await api.OperatorA?.get(`/v1/accounts/${accountId}/balances/${MYR}`))?.body.balance ?? '-1');

  before(async () => {
    plan = hostsPlan(net.topology);
    await net.cli('up', '--placement', 'hosts');
    await gatewayCli(net, 'up');
    for (const org of ['Regulator', 'Trustee', 'OperatorA', 'OperatorB']) api[org] = await onHost(org);
    const { Regulator: regulator, Trustee: trustee, OperatorA: operatorA, OperatorB: operatorB } = api;
    if (!regulator || !trustee || !operatorA || !operatorB) throw new Error('a gateway token is missing');
    await admitConsortium(regulator, operatorB, reason);
    await trustee.ok('POST', '/v1/money-tokens', { currency: 'MYR', decimals: 2 });
    for (const accountId of ['host-s', 'host-r']) {
      await operatorA.ok('POST', '/v1/accounts', {
        accountId,
        type: 'investor',
        kyc: kyc(),
        personal: person(accountId),
      });
    }
    await trustee.ok('POST', '/v1/deposits', {
      accountId: 'host-s',
      tokenId: MYR,
      amount: '100000',
      bankReference: 'DEP-host-s',
    });
    await until(
      () => balance('host-s'),
      (b) => b === 100_000n,
      'deposit visible to OperatorA',
    );
    payer = await onHost('OperatorA', 'acct-host-s');
  });

  after(async () => {
    await gatewayCli(net, 'down').catch(() => undefined);
    await net.destroy();
    // `down` removes the hosts; this also covers an `up` that failed before recording its placement.
    removeHosts(plan ?? hostsPlan(net.topology));
  });

  it('runs every org on its own host, dialled at its own address, and commits a transfer across them', async () => {
    const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const h of plan.hosts) expect(netns, h.netns).to.contain(h.netns);
    // Each org's peer answers on its own host's address only: no node is reached through loopback.
    for (const org of net.topology.orgs) {
      const peer = org.peers[0];
      if (!peer) throw new Error(`${org.name} has no peer`);
      expect(await heightOf(hostOf(plan, org.name).address, peer.operationsPort, 'market')).to.be.greaterThan(0);
      expect(await heightOf('127.0.0.1', peer.operationsPort, 'market')).to.equal(0);
    }
    await pay(5n);
    expect(await balance('host-r')).to.equal(paid);
  });

  it('keeps ordering and committing transfers with one host cut off', async () => {
    // Printed, not chosen: when the cut host's node is where OperatorA's peer takes its blocks from, its
    // commits wait for the peer to notice (blockCensorshipTimeout, docs/network.md "A host cut off").
    const log = readFileSync(net.layout.logFile(`peer0.${net.org('OperatorA').slug}`), 'utf8');
    const sources = [...log.matchAll(/BlockReceiver starting orderer-address=(\S+)/g)].map((m) => m[1]);
    console.log(
      `      OperatorA's peer takes blocks from ${sources.join(', ')}; ${CUT}'s host is ${hostOf(plan, CUT).address}`,
    );
    await net.cli('host-link', CUT, 'down');
    const cut = net.org(CUT);
    const peer = cut.peers[0];
    if (!peer) throw new Error(`${CUT} has no peer`);
    expect(await heightOf(hostOf(plan, CUT).address, peer.operationsPort, 'market')).to.equal(0);
    // Three of four SmartBFT nodes order on (after a view change if the cut node led).
    for (const amount of [7n, 11n, 13n]) await pay(amount);
    expect(await balance('host-r')).to.equal(paid);
    const reachable = (await net.status()).ledgers.filter((l) => l.height !== null);
    expect(reachable.map((l) => l.peer)).to.not.include(peer.id);
  });

  it('catches the cut host up to identical block hashes once its link heals, and its gateway serves again', async () => {
    const regulatorPeer = net.org('Regulator').peers[0];
    const cutPeer = net.org(CUT).peers[0];
    if (!regulatorPeer || !cutPeer) throw new Error('a peer is missing');
    const target = await heightOf(hostOf(plan, 'Regulator').address, regulatorPeer.operationsPort, 'market');
    const healedAt = Date.now();
    await net.cli('host-link', CUT, 'up');
    await until(
      () => heightOf(hostOf(plan, CUT).address, cutPeer.operationsPort, 'market'),
      (h) => h >= target,
      `${CUT}'s peer reaches market height ${target}`,
      300_000,
    );
    console.log(
      `      ${CUT}'s host caught up to market height ${target} ${((Date.now() - healedAt) / 1000).toFixed(1)}s after its link healed`,
    );
    const s = await until(() => net.status(), agreed, 'every peer at one height and block hash', 300_000);
    for (const c of CHANNELS) {
      const l = s.ledgers.filter((x) => x.channel === c);
      console.log(`      ${c}: height ${l[0]?.height} hash ${l[0]?.currentBlockHash} on all ${l.length} peers`);
    }
    const operatorB = api[CUT];
    if (!operatorB) throw new Error(`no gateway token for ${CUT}`);
    // A write through the healed org's own gateway: its peer endorses and commits again. The gateway's
    // connections come back on gRPC's reconnect backoff, answering 503 meanwhile; the same
    // Idempotency-Key makes the retries one write.
    const body = { accountId: 'host-b1', type: 'investor', kyc: kyc(), personal: person('host-b1') };
    const caughtUpAt = Date.now();
    await until(
      () => operatorB.call('POST', '/v1/accounts', body, { 'Idempotency-Key': 'host-b1-after-heal' }),
      (r) => r.status < 300 && r.status !== 202,
      `${CUT}'s gateway serves a write again`,
      180_000,
    );
    console.log(
      `      ${CUT}'s gateway served a write ${((Date.now() - caughtUpAt) / 1000).toFixed(1)}s after its peer caught up`,
    );
    expect((await operatorB.get('/v1/accounts/host-b1')).status).to.equal(200);
    await pay(17n);
    expect(await balance('host-r')).to.equal(paid);
  });
});
