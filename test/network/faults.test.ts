import { connectTo, consensusLeader, crashProcess, failoverFigures, runningPid } from '@ecf/network';
import { expect } from 'chai';
import { blocksSeenBy } from '../support/adversary';
import { until } from '../support/eventually';
import { kyc } from '../support/fixtures';
import { KeyedTransferLoad, type Sender } from '../support/keyed-load';
import { admitConsortium, Api, gatewayCli, tokenFor, upWithGateways } from '../support/http';
import { TestNetwork } from '../support/network';

const CHANNEL = 'market';
const MYR = 'TrusteeMSP.MYR';
const DEPOSIT = 1_000_000n;
const reason = 'licensed for equity crowdfunding';
/** Transfers that must commit after a fault (or after all of them) before the suite moves on. */
const RECOVERED = 5;
const GOODPUT_AFTER_FAULTS = 20;

const person = (name: string) => ({
  fullName: `${name} Person`,
  nationalId: `NID-${name}-55120`,
  dateOfBirth: '1979-11-23',
  email: `${name}@mail.example.org`,
});

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/**
 * kill -9 of the SmartBFT leader, of an operator's peer and of that operator's REST gateway, one after
 * another, under bounded transfer load through the gateway. Every assertion is about integrity and
 * recovery; the stall and recovery times are printed, never asserted.
 */
describe('faults under load: leader, peer and gateway killed (integrity and recovery)', function () {
  this.timeout(1_200_000);
  const net = new TestNetwork(23_000);
  let regulator: Api;
  let trustee: Api;
  let operatorA: Api;
  let load: KeyedTransferLoad;
  const accounts: string[] = [];
  const blockTimes: number[] = [];
  let closeBlocks: () => void = () => undefined;
  let startBlock = 0;

  /** Waits until `n` keys started after `since` are answered 2xx; returns when the first of them was. */
  const committedAfter = async (since: number, n: number, what: string): Promise<number> => {
    const done = await until(
      async () => load.committedSince(since),
      (c) => c.length >= n,
      what,
      300_000,
    );
    return Math.min(...done.map((t) => t.final?.at ?? Infinity));
  };

  before(async () => {
    let operatorB: Api;
    ({ regulator, trustee, operatorA, operatorB } = await upWithGateways(net));
    await admitConsortium(regulator, operatorB, reason);
    await trustee.ok('POST', '/v1/money-tokens', { currency: 'MYR', decimals: 2 });

    // Four OperatorA investors each pay a fifth account of their own: one transfer in flight per sender and no
    // sender paying another, so the load's own transfers never conflict.
    const senders: Sender[] = [];
    for (let i = 0; i < 4; i++) {
      const from = `fault-s${i}`;
      const to = `fault-r${i}`;
      for (const accountId of [from, to]) {
        await operatorA.ok('POST', '/v1/accounts', {
          accountId,
          type: 'investor',
          kyc: kyc(),
          personal: person(accountId),
        });
        accounts.push(accountId);
      }
      await trustee.ok('POST', '/v1/deposits', {
        accountId: from,
        tokenId: MYR,
        amount: DEPOSIT.toString(),
        bankReference: `DEP-${from}`,
      });
      senders.push({ accountId: from, api: await tokenFor(net, 'OperatorA', `acct-${from}`), to });
    }
    for (const s of senders) {
      await until(
        () => balance(s.accountId),
        (b) => b === DEPOSIT,
        `deposit visible to OperatorA for ${s.accountId}`,
      );
    }
    load = new KeyedTransferLoad(senders, MYR);

    // Block arrivals on the regulator's peer: the stall figure.
    const regulatorOrg = net.org('Regulator');
    const peer = regulatorOrg.peers[0];
    if (!peer) throw new Error('the regulator has no peer');
    const conn = connectTo(net.layout, regulatorOrg, peer);
    const events = await conn.gateway.getNetwork(CHANNEL).getFilteredBlockEvents();
    closeBlocks = () => {
      events.close();
      conn.close();
    };
    void (async () => {
      for await (const b of events) if (b) blockTimes.push(Date.now());
    })().catch(() => undefined);
    // Every block from this height on comes after the load started; none before it holds a transfer.
    startBlock = (await net.status()).ledgers.find((l) => l.channel === CHANNEL)?.height ?? 0;
    load.start();
    await committedAfter(0, 10, 'transfers commit before any fault');
  });

  after(async () => {
    await load?.stop().catch(() => undefined);
    closeBlocks();
    await gatewayCli(net, 'down').catch(() => undefined);
    await net.destroy();
  });

  const balance = async (accountId: string): Promise<bigint> =>
    BigInt((await operatorA.get(`/v1/accounts/${accountId}/balances/${MYR}`)).body.balance ?? '-1');

  it('keeps ordering after kill -9 of the SmartBFT leader, and the killed node rejoins', async () => {
    const leader = await consensusLeader(net.topology, CHANNEL);
    if (!leader) throw new Error('no ordering node reports a leader');
    expect(crashProcess(net.layout, leader.node.id), leader.node.id).to.equal(true);
    const killedAt = Date.now();
    const firstCommit = await committedAfter(killedAt, RECOVERED, 'transfers commit after the leader kill');
    const after = await until(
      () => consensusLeader(net.topology, CHANNEL),
      (l) => l !== undefined && l.view > leader.view,
      'a new view',
    );
    expect(after?.leaderId).to.not.equal(leader.leaderId);
    const figures = failoverFigures(blockTimes, killedAt, [firstCommit]);
    console.log(
      `      leader ${leader.node.id} (view ${leader.view} under load until then) killed: blocks stalled ${figures ? seconds(figures.stallMs) : '?'}, ` +
        `first transfer started after the kill committed ${seconds(firstCommit - killedAt)} after it ` +
        `(new leader: consenter ${after?.leaderId}, view ${after?.view})`,
    );

    await net.cli('up');
    expect(runningPid(net.layout, leader.node.id), 'restarted by up').to.be.a('number');
    const restartedAt = Date.now();
    await committedAfter(restartedAt, RECOVERED, 'transfers commit after the restart');
  });

  it("recovers from kill -9 of OperatorA's peer: the gateway answers, then commits again after the restart", async () => {
    const peer = net.org('OperatorA').peers[0];
    if (!peer) throw new Error('OperatorA has no peer');
    expect(crashProcess(net.layout, peer.id)).to.equal(true);
    const killedAt = Date.now();
    // The outage is seen by the load: a request started after the kill gets an answer (a 503, or a failed attempt).
    await until(
      async () => load.answeredSince(killedAt),
      (a) => a.length > 0,
      'a request answered while the peer is down',
      120_000,
    );
    await net.cli('up');
    const restartedAt = Date.now();
    const firstCommit = await committedAfter(restartedAt, RECOVERED, "transfers commit after the peer's restart");
    console.log(
      `      ${peer.id} killed: down ${seconds(restartedAt - killedAt)} (kill to restart), ` +
        `first transfer committed ${seconds(firstCommit - restartedAt)} after the restart`,
    );
  });

  it("recovers from kill -9 of OperatorA's REST gateway: retries with the same key settle after its restart", async () => {
    await gatewayCli(net, 'crash', '--org', 'OperatorA');
    const killedAt = Date.now();
    await until(
      async () => load.transfers.filter((t) => t.answers.includes(0) && t.final === undefined),
      (waiting) => waiting.length > 0,
      'a request refused while the gateway is down',
      60_000,
    );
    await gatewayCli(net, 'up', '--org', 'OperatorA');
    const restartedAt = Date.now();
    const firstCommit = await committedAfter(restartedAt, RECOVERED, "transfers commit after the gateway's restart");
    console.log(
      `      gateway of OperatorA killed: down ${seconds(restartedAt - killedAt)}, ` +
        `first transfer committed ${seconds(firstCommit - restartedAt)} after the restart`,
    );
  });

  it('recovers goodput: more transfers commit after the faults', async () => {
    const since = Date.now();
    const first = await committedAfter(since, GOODPUT_AFTER_FAULTS, 'goodput after the faults');
    const done = load.committedSince(since);
    const last = Math.max(...done.map((t) => t.final?.at ?? 0));
    console.log(
      `      after the faults: ${done.length} transfers committed in ${seconds(last - since)} ` +
        `(first after ${seconds(first - since)})`,
    );
    expect(done.length).to.be.at.least(GOODPUT_AFTER_FAULTS);
  });

  it('settles every key: each executed at most once, committed on every peer alike, balances and supply exact', async () => {
    await load.stop();
    const all = load.transfers;
    expect(
      all.filter((t) => !t.final),
      'keys without a definite answer',
    ).to.deep.equal([]);
    const ok = all.filter((t) => t.final && t.final.status < 300);
    const statuses = new Map<number, number>();
    for (const s of all.flatMap((t) => t.answers)) statuses.set(s, (statuses.get(s) ?? 0) + 1);
    console.log(
      `      ${all.length} keys, ${ok.length} committed; answers by status: ` +
        [...statuses.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([s, n]) => `${s === 0 ? 'no answer' : s}: ${n}`)
          .join(', '),
    );
    // 503 (unreachable) and 504 (deadline passed) are the documented 5xx; a retry with the key settles both.
    expect(
      [...statuses.keys()].filter((s) => s >= 500 && s !== 503 && s !== 504),
      'undocumented 5xx',
    ).to.deep.equal([]);
    expect(
      all.filter((t) => t.final && t.final.status >= 300).map((t) => `${t.key}: ${t.final?.status} ${t.final?.code}`),
      'refused transfers (the senders have funds and never conflict)',
    ).to.deep.equal([]);
    const txIds = ok.map((t) => t.final?.txId);
    expect(txIds.every((id) => typeof id === 'string')).to.equal(true);
    expect(new Set(txIds).size).to.equal(ok.length);

    // Every peer reaches the same height and last block hash.
    const agreed = await until(
      () => net.status(),
      (s) => {
        const ledgers = s.ledgers.filter((l) => l.channel === CHANNEL);
        return (
          ledgers.length === 4 &&
          new Set(ledgers.map((l) => l.height)).size === 1 &&
          new Set(ledgers.map((l) => l.currentBlockHash)).size === 1 &&
          ledgers[0]?.currentBlockHash !== null
        );
      },
      'peers agree on the market ledger',
      120_000,
    );
    const height = agreed.ledgers.find((l) => l.channel === CHANNEL)?.height ?? 0;

    // Each peer holds every acknowledged transaction as VALID, and the same transactions in the same blocks.
    const seen = await Promise.all(
      net.topology.orgs.map(async (org) =>
        (await blocksSeenBy(net.layout, org, CHANNEL)).filter((t) => t.block < height),
      ),
    );
    const [reference, ...others] = seen.map((txs) => txs.map((t) => `${t.block}:${t.txId}:${t.valid}`));
    for (const other of others) expect(other).to.deep.equal(reference);
    for (const [i, txs] of seen.entries()) {
      const valid = new Set(txs.filter((t) => t.valid).map((t) => t.txId));
      const missing = txIds.filter((id) => !valid.has(id as string));
      expect(missing, `acknowledged transactions not VALID on ${net.topology.orgs[i]?.name}`).to.deep.equal([]);
    }

    // At most once per key: the ledger holds exactly one valid transfer per acknowledged key, and none other.
    const ledger = (seen[0] ?? []).filter((t) => t.block >= startBlock);
    const validTransfers = ledger.filter((t) => t.valid && t.fn === 'Transfers:Transfer').map((t) => t.txId);
    const acknowledged = new Set(txIds);
    const describe = (id: string) => {
      const t = ledger.find((x) => x.txId === id);
      return `${id} ${t ? `block ${t.block} ${t.fn} ${t.valid ? 'VALID' : 'invalid'}` : 'not after the start block'}`;
    };
    expect(
      validTransfers.filter((id) => !acknowledged.has(id)).map(describe),
      'valid transfers on the ledger that no key was answered with',
    ).to.deep.equal([]);
    expect(
      txIds.filter((id) => !validTransfers.includes(id as string)).map((id) => describe(id as string)),
      'acknowledged transactions that are not a valid transfer after the start block',
    ).to.deep.equal([]);
    expect(validTransfers.length, 'valid transfers on the ledger vs keys answered 2xx').to.equal(ok.length);

    // Balances match the model of the acknowledged transfers, and the money supply adds up.
    const model = new Map<string, bigint>(accounts.map((a) => [a, a.startsWith('fault-s') ? DEPOSIT : 0n]));
    for (const t of ok) {
      model.set(t.from, (model.get(t.from) ?? 0n) - t.amount);
      model.set(t.to, (model.get(t.to) ?? 0n) + t.amount);
    }
    for (const [accountId, expected] of model) {
      await until(
        () => balance(accountId),
        (b) => b === expected,
        `balance of ${accountId} (model ${expected})`,
      );
    }
    const supply = await regulator.get(`/v1/assets/${MYR}/supply`);
    expect(supply.status).to.equal(200);
    expect(supply.body.consistent, JSON.stringify(supply.body)).to.equal(true);
  });
});
