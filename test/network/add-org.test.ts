import {
  bootstrapOrgCrypto,
  CommandError,
  ConfigUpdateRefusedError,
  fabricConfigDir,
  fetchConfig,
  nativePlacement,
  ordererChannel,
  ordererHeights,
  perOperatorCollections,
  proposeAddition,
  signUpdate,
  submitUpdate,
  type NetworkContext,
} from '@ecf/network';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blocksSeenBy, filesContaining, privateWritesSeenBy, type SeenTx } from '../support/adversary';
import { until } from '../support/eventually';
import { kyc } from '../support/fixtures';
import { admitConsortium, Api, gatewayCli, tokenFor, upWithGateways } from '../support/http';
import { TestNetwork } from '../support/network';

const MYR = 'TrusteeMSP.MYR';
const MYR2 = 'Trustee2MSP.MYR';
const D_CLASS = 'DELTA-ORD';
const reason = 'licensed for equity crowdfunding';
const person = (name: string) => ({
  fullName: `${name} Person`,
  nationalId: `NID-${name}-55120`,
  dateOfBirth: '1990-07-14',
  email: `${name}@mail.example.org`,
});

/** Each function's distinct sets of endorsing MSPs, for the log. */
const endorsersByFunction = (txs: readonly SeenTx[]): string =>
  [...new Set(txs.map((t) => `${t.fn} by ${[...t.endorsers].sort().join('+')}`))].join('; ');

/**
 * Who endorsed transactions on an operator's collection: members of it only; where the transaction also
 * wrote public state, the market policy's regulator and the operator's own trustee (decision 36). A
 * transaction that wrote only the collection needs its policy alone (the operator's peer or its trustee's).
 */
function checkEndorsers(txs: readonly SeenTx[], members: readonly string[], trustee: string): void {
  expect(txs.length).to.be.greaterThan(0);
  for (const t of txs) {
    const what = `${t.fn} ${t.txId} endorsed by ${t.endorsers.join(', ')}`;
    expect(t.endorsers.length, what).to.be.greaterThan(0);
    expect(members, what).to.include.members([...t.endorsers]);
    if (t.publicWrites.length > 0) expect(t.endorsers, what).to.include.members(['RegulatorMSP', trustee]);
  }
}

/** A folder for decoded channel configs, removed after the suite. */
const scratchDirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecf-cfg-'));
  scratchDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a consortium that grows while the market runs: new operators, a second trustee, a new consenter (add-org)', function () {
  this.timeout(1_800_000);
  const net = new TestNetwork(16_000);
  let regulator: Api;
  let trustee: Api;
  let operatorA: Api;
  let trustee2: Api;
  let operatorD: Api;
  let baseCtx: NetworkContext;
  /** The network context with the topology as it is now (the suite adds orgs to it as it goes). */
  const ctxNow = (): NetworkContext => ({ ...baseCtx, topology: net.topology });
  const timings: Array<{ org: string; seconds: number }> = [];

  const balanceOf = async (api: Api, accountId: string, assetId: string) =>
    BigInt((await api.get(`/v1/accounts/${accountId}/balances/${assetId}`)).body.balance ?? '-1');
  const balance = (api: Api, accountId: string) => balanceOf(api, accountId, MYR);

  /** The operator's topology change: the org's entry, and its peer in the audit chaincode's endorsement OR. */
  const addToTopology = (entry: { name: string; mspId: string; role: string; trustee?: string; orderers: number }) => {
    const portBase = Math.max(...net.topology.orgs.map((o) => o.ca.port)) + 100;
    net.editTopology((raw) => {
      (raw.orgs as unknown[]).push({ ...entry, portBase, peers: 1 });
      for (const cc of raw.chaincodes as Array<{ name: string; endorsementPolicy: string }>) {
        if (cc.name === 'audit')
          cc.endorsementPolicy = cc.endorsementPolicy.replace(/\)\)$/, `, '${entry.mspId}.peer'))`);
      }
    });
  };

  /** Runs add-org, prints its output and how long it took. */
  const timedAddOrg = async (name: string): Promise<string> => {
    const started = Date.now();
    const out = await net.cli('add-org', name);
    const seconds = (Date.now() - started) / 1000;
    timings.push({ org: name, seconds });
    console.log(
      out
        .split('\n')
        .map((l) => `      ${l}`)
        .join('\n'),
    );
    console.log(`      add-org ${name} took ${seconds.toFixed(1)}s`);
    expect(out).to.match(new RegExp(`${name} added in`));
    return out;
  };

  before(async () => {
    let operatorB: Api;
    ({ regulator, trustee, operatorA, operatorB } = await upWithGateways(net));
    await admitConsortium(regulator, operatorB, reason);
    await trustee.ok('POST', '/v1/money-tokens', { currency: 'MYR', decimals: 2 });
    await operatorA.ok('POST', '/v1/accounts', {
      accountId: 'ann',
      type: 'investor',
      kyc: kyc(),
      personal: person('ann'),
    });
    await trustee.ok('POST', '/v1/deposits', {
      accountId: 'ann',
      tokenId: MYR,
      amount: '500000',
      bankReference: 'DEP-ann',
    });
    await until(
      () => balance(operatorA, 'ann'),
      (b) => b === 500_000n,
      'ann holds money at OperatorA',
    );
  });

  after(async () => {
    await gatewayCli(net, 'down').catch(() => undefined);
    await net.destroy();
  });

  it('refuses a configuration update that lacks a required signature, naming whose is missing', async () => {
    // The operator's change: OperatorC in the topology, and in the audit chaincode's endorsement OR.
    const portBase = Math.max(...net.topology.orgs.map((o) => o.ca.port)) + 100;
    net.editTopology((raw) => {
      (raw.orgs as unknown[]).push({
        name: 'OperatorC',
        mspId: 'OperatorCMSP',
        role: 'operator',
        trustee: 'Trustee',
        portBase,
        peers: 1,
        orderers: 0,
      });
      for (const cc of raw.chaincodes as Array<{ name: string; endorsementPolicy: string }>) {
        if (cc.name === 'audit')
          cc.endorsementPolicy = cc.endorsementPolicy.replace(/\)\)$/, ", 'OperatorCMSP.peer'))");
      }
    });
    const bin = await net.bin();
    baseCtx = {
      topology: net.topology,
      layout: net.layout,
      bin,
      fabricConfig: fabricConfigDir(bin),
      placement: nativePlacement(net.layout),
      progress: () => undefined,
    };
    const ctx = baseCtx;
    const org = (name: string) => net.org(name);
    const members = net.topology.orgs.filter((o) => o.name !== 'OperatorC');
    await bootstrapOrgCrypto(ctx, org('OperatorC'));

    // audit: the regulator must sign. The trustee submits with OperatorA's signature only.
    const audit = await proposeAddition(ctx, 'audit', org('OperatorC'), org('Trustee'));
    const byA = await signUpdate(ctx, audit, org('OperatorA'));
    const refusedAudit = await submitUpdate(ctx, audit, org('Trustee'), {
      signatureFiles: [byA],
      policyMembers: members,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusedAudit).to.be.instanceOf(ConfigUpdateRefusedError);
    const a = refusedAudit as ConfigUpdateRefusedError;
    console.log(`      audit: ${a.message}`);
    expect(a.signedBy).to.have.members(['OperatorAMSP', 'TrusteeMSP']);
    expect(a.missing.join(' ')).to.contain('RegulatorMSP');
    expect(a.message).to.match(/missing signatures: RegulatorMSP .*; 1 more of OperatorBMSP/);
    expect(a.fabricReason).to.match(/not satisfied/);

    // market: a majority of member admins (3 of 4); the trustee alone is 2 short.
    const market = await proposeAddition(ctx, 'market', org('OperatorC'), org('Trustee'));
    const refusedMarket = await submitUpdate(ctx, market, org('Trustee'), {
      signatureFiles: [],
      policyMembers: members,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusedMarket).to.be.instanceOf(ConfigUpdateRefusedError);
    const m = refusedMarket as ConfigUpdateRefusedError;
    console.log(`      market: ${m.message}`);
    expect(m.message).to.match(/missing signatures: 2 more of RegulatorMSP, OperatorAMSP, OperatorBMSP/);

    // Nothing was written: neither channel knows OperatorCMSP.
    for (const channel of ['audit', 'market']) {
      const config = await fetchConfig(ctx, channel, org('Regulator'), scratch());
      expect(Object.keys(config.channel_group.groups.Application.groups)).not.to.include('OperatorCMSP');
    }
  });

  it('adds OperatorC with one command: channels, peer, collections, gateway, admission', async () => {
    const started = Date.now();
    const out = await net.cli('add-org', 'OperatorC');
    const seconds = (Date.now() - started) / 1000;
    console.log(
      out
        .split('\n')
        .map((l) => `      ${l}`)
        .join('\n'),
    );
    console.log(`      add-org OperatorC took ${seconds.toFixed(1)}s`);
    expect(out).to.match(/OperatorC added in/);
    expect(out).to.match(/sealing collection pdcOperatorC\b/);
    const s = await net.status();
    expect(s.nodes.filter((n) => !n.healthy).map((n) => n.id)).to.deep.equal([]);
    expect(s.nodes.map((n) => n.id)).to.include('peer0.operatorc');
    // On audit the regulator-must-sign rule now counts OperatorC's admin among the members.
    const config = await fetchConfig(ctxNow(), 'audit', net.org('Regulator'), scratch());
    for (const policy of [
      config.channel_group.policies.Admins,
      config.channel_group.groups.Application.policies.Admins,
    ]) {
      const mspIds = (policy.policy.value.identities as Array<{ principal: { msp_identifier: string } }>).map(
        (i) => i.principal.msp_identifier,
      );
      expect(mspIds).to.include.members(['RegulatorMSP', 'OperatorCMSP']);
    }
  });

  it('onboards a customer at OperatorC and moves money to it from a customer of OperatorA', async () => {
    const operatorC = await tokenFor(net, 'OperatorC', 'gateway');
    await operatorC.ok('POST', '/v1/accounts', {
      accountId: 'cid',
      type: 'investor',
      kyc: kyc(),
      personal: person('cid'),
    });
    await until(
      () => trustee.get('/v1/accounts/cid'),
      (r) => r.status === 200,
      'cid visible to the trustee',
    );
    await trustee.ok('POST', '/v1/deposits', {
      accountId: 'cid',
      tokenId: MYR,
      amount: '20000',
      bankReference: 'DEP-cid',
    });
    await until(
      () => balance(operatorC, 'cid'),
      (b) => b === 20_000n,
      'deposit visible at OperatorC',
    );
    // Across operators: OperatorA instructs for ann, the trustee settles into OperatorC's collection.
    const instructionId = (
      await operatorA.ok('POST', '/v1/instructions', {
        from: 'ann',
        to: 'cid',
        assetId: MYR,
        amount: '7500',
      })
    ).result as string;
    await until(
      () =>
        trustee.call(
          'POST',
          `/v1/instructions/${instructionId}/settlement`,
          { fromOperatorMspId: 'OperatorAMSP' },
          // Asked again until it settles: one key makes every attempt one settlement.
          { 'Idempotency-Key': `settle-${instructionId}` },
        ),
      (r) => r.status < 300 && r.status !== 202,
      'settled',
      60_000,
    ).then((r) => expect(r.body.result.outcome).to.equal('SETTLED'));
    await until(
      () => balance(operatorC, 'cid'),
      (b) => b === 27_500n,
      'cid credited at OperatorC',
    );
    await until(
      () => balance(operatorA, 'ann'),
      (b) => b === 492_500n,
      'ann debited at OperatorA',
    );
    // The regulator admitted OperatorC on chain (the last step of add-org).
    const seen = await until(
      () => regulator.get('/v1/participants/OperatorCMSP'),
      (r) => r.status === 200,
      'OperatorC admitted',
    );
    expect(JSON.stringify(seen.body)).to.contain('OperatorCMSP');
  });

  it('refuses to add a trustee while the market endorsement policy does not name it', async () => {
    addToTopology({ name: 'Trustee2', mspId: 'Trustee2MSP', role: 'trustee', orderers: 1 });
    const refused = await net.cli('add-org', 'Trustee2').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).to.be.instanceOf(CommandError);
    expect((refused as CommandError).output).to.match(
      /market's endorsementPolicy does not name the trustee Trustee2MSP/,
    );
    // Refused before anything started: no CA, peer or ordering node of Trustee2 runs.
    const s = await net.status();
    expect(s.nodes.filter((n) => n.org === 'Trustee2' && n.pid !== null)).to.deep.equal([]);
  });

  it('adds a second trustee, Trustee2, with an ordering node in the SmartBFT consenter set of both channels', async () => {
    net.editTopology((raw) => {
      for (const cc of raw.chaincodes as Array<{ name: string; endorsementPolicy: string }>) {
        if (cc.name === 'market')
          cc.endorsementPolicy = "AND('RegulatorMSP.peer', OR('TrusteeMSP.peer', 'Trustee2MSP.peer'))";
      }
    });
    const out = await timedAddOrg('Trustee2');
    expect(out).to.match(/market: consenter 5 \(orderer0\.trustee2\) added, signed by RegulatorMSP/);
    expect(out).to.match(/audit: consenter 5 \(orderer0\.trustee2\) added/);
    expect(out).to.match(/5 consenters: SmartBFT tolerates 1 faulty node/);
    for (const channel of ['market', 'audit']) {
      const config = await fetchConfig(ctxNow(), channel, net.org('Regulator'), scratch());
      const consenters = config.channel_group.groups.Orderer.values.Orderers.value.consenter_mapping as Array<{
        id: number;
        msp_id: string;
      }>;
      expect(consenters.map((c) => c.msp_id)).to.include('Trustee2MSP');
      expect(consenters).to.have.length(5);
      expect(Object.keys(config.channel_group.groups.Orderer.groups)).to.include('Trustee2MSP');
      const node = await ordererChannel(ctxNow(), net.org('Trustee2').orderers[0]!, channel);
      expect(node).to.include({ status: 'active', consensusRelation: 'consenter' });
    }
    // On audit only the regulator and a majority of the ordering orgs could change the Orderer group.
    const audit = await fetchConfig(ctxNow(), 'audit', net.org('Regulator'), scratch());
    expect(JSON.stringify(audit.channel_group.groups.Orderer.policies.Admins.policy)).to.contain('Trustee2MSP');
    const committed = (await net.status()).chaincodes.find((c) => c.name === 'market');
    console.log(`      market chaincode now at sequence ${committed?.sequence}`);
  });

  it('adds OperatorD under Trustee2; its collection has OperatorD, Trustee2 and the regulator as members', async () => {
    addToTopology({ name: 'OperatorD', mspId: 'OperatorDMSP', role: 'operator', trustee: 'Trustee2', orderers: 0 });
    const out = await timedAddOrg('OperatorD');
    expect(out).to.match(/sealing collection pdcOperatorD\b/);
    const pdc = perOperatorCollections(net.topology).find((c) => c.name === 'pdcOperatorD');
    expect(pdc?.policy).to.equal("OR('OperatorDMSP.member', 'Trustee2MSP.member', 'RegulatorMSP.member')");
    expect(pdc?.endorsementPolicy?.signaturePolicy).to.equal("OR('OperatorDMSP.peer', 'Trustee2MSP.peer')");
  });

  it("lets Trustee2 issue its own money and shares to OperatorD's customers, who then move them", async () => {
    trustee2 = await tokenFor(net, 'Trustee2', 'gateway');
    operatorD = await tokenFor(net, 'OperatorD', 'gateway');
    await until(
      () => trustee2.get('/v1/participants/Trustee2MSP'),
      (r) => r.status === 200,
      'Trustee2 admitted',
    );
    await trustee2.ok('POST', '/v1/money-tokens', { currency: 'MYR', decimals: 2 });
    for (const [accountId, type, investorClass] of [
      ['dan', 'investor', 'retail'],
      ['dee', 'issuer', 'sophisticated'],
    ] as const) {
      await operatorD.ok('POST', '/v1/accounts', {
        accountId,
        type,
        kyc: kyc(investorClass),
        personal: person(accountId),
      });
    }
    await until(
      () => trustee2.get('/v1/accounts/dee'),
      (r) => r.status === 200,
      'dee visible to Trustee2',
    );
    await trustee2.ok('POST', '/v1/share-classes', {
      classId: D_CLASS,
      issuerAccountId: 'dee',
      kind: 'ordinary',
      decimals: 0,
      allowedInvestorClasses: ['retail', 'sophisticated'],
    });
    await trustee2.ok('POST', `/v1/share-classes/${D_CLASS}/issuances`, {
      accountId: 'dan',
      amount: '40',
      purpose: 'offering',
    });
    await trustee2.ok('POST', '/v1/deposits', {
      accountId: 'dan',
      tokenId: MYR2,
      amount: '90000',
      bankReference: 'DEP-dan',
    });
    await until(
      () => balanceOf(operatorD, 'dan', MYR2),
      (b) => b === 90_000n,
      'dan funded in Trustee2MSP.MYR',
    );
    // Within Trustee2's domain: dan pays dee and hands back some units, through OperatorD's gateway.
    await operatorD.ok('POST', '/v1/transfers', { from: 'dan', to: 'dee', assetId: MYR2, amount: '12345' });
    await operatorD.ok('POST', '/v1/transfers', { from: 'dan', to: 'dee', assetId: D_CLASS, amount: '15' });
    await until(
      () => balanceOf(operatorD, 'dee', MYR2),
      (b) => b === 12_345n,
      'dee paid',
    );
    expect(await balanceOf(operatorD, 'dan', MYR2)).to.equal(90_000n - 12_345n);
    expect(await balanceOf(operatorD, 'dee', D_CLASS)).to.equal(15n);
    expect(await balanceOf(operatorD, 'dan', D_CLASS)).to.equal(25n);
    // The first trustee's money does not reach OperatorD's customers: they bank with Trustee2.
    const foreign = await trustee.call('POST', '/v1/deposits', {
      accountId: 'dan',
      tokenId: MYR,
      amount: '100',
      bankReference: 'DEP-foreign',
    });
    expect(foreign.status, JSON.stringify(foreign.body)).to.be.oneOf([403, 409, 422]);
  });

  it("keeps OperatorD's collection from the first trustee's peer, and gives it to the regulator's", async () => {
    // The chaincode: a trustee reads the customers of the operators it serves, not OperatorD's.
    for (const path of ['/v1/accounts/dan', `/v1/accounts/dan/balances/${MYR2}`]) {
      const r = await trustee.get(path);
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).to.equal(403);
    }
    expect((await trustee2.get('/v1/accounts/dan')).status).to.equal(200);
    expect((await regulator.get(`/v1/accounts/dan/balances/${MYR2}`)).body.balance).to.equal(String(90_000 - 12_345));

    // The peers: the first trustee's peer delivers no private write of pdcOperatorD, the regulator's does.
    const layout = net.layout;
    const onTrustee = (await privateWritesSeenBy(layout, net.org('Trustee'), 'market')).filter(
      (w) => w.collection === 'pdcOperatorD',
    );
    const onRegulator = (await privateWritesSeenBy(layout, net.org('Regulator'), 'market')).filter(
      (w) => w.collection === 'pdcOperatorD',
    );
    const onTrustee2 = (await privateWritesSeenBy(layout, net.org('Trustee2'), 'market')).filter(
      (w) => w.collection === 'pdcOperatorD',
    );
    console.log(
      `      private writes of pdcOperatorD delivered: Trustee ${onTrustee.length}, Regulator ${onRegulator.length}, Trustee2 ${onTrustee2.length}`,
    );
    expect(onTrustee).to.deep.equal([]);
    expect(onRegulator.length).to.be.greaterThan(0);
    expect(onTrustee2.length).to.equal(onRegulator.length);

    // Endorser selection: every transaction on OperatorD's collection was endorsed by members of it only
    // (never the first trustee), and one that also wrote public state by the regulator and Trustee2.
    const onD = (await blocksSeenBy(layout, net.org('Regulator'), 'market')).filter(
      (t) => t.valid && t.hashed.some((h) => h.collection === 'pdcOperatorD'),
    );
    console.log(`      endorsers on pdcOperatorD: ${endorsersByFunction(onD)}`);
    expect(onD.map((t) => t.fn)).to.include.members(['Accounts:Onboard', 'Money:Deposit', 'Transfers:Transfer']);
    checkEndorsers(onD, ['OperatorDMSP', 'Trustee2MSP', 'RegulatorMSP'], 'Trustee2MSP');

    // And its disk: dan's personal data is on the regulator's and Trustee2's peers, not on the Trustee's.
    const needles = [person('dan').nationalId, person('dee').nationalId];
    const disk = (org: string) => filesContaining(net.layout.nodeData(net.org(org).peers[0]!.id), needles);
    expect(disk('Trustee')).to.deep.equal([]);
    expect(disk('OperatorA')).to.deep.equal([]);
    expect(disk('Regulator').length, "the regulator's peer stores OperatorD's private data").to.be.greaterThan(0);
    expect(disk('Trustee2').length, "Trustee2's peer stores OperatorD's private data").to.be.greaterThan(0);
  });

  it("still settles the first trustee's business with its own peer under the policy of two trustees", async () => {
    await trustee.ok('POST', '/v1/deposits', {
      accountId: 'ann',
      tokenId: MYR,
      amount: '1000',
      bankReference: 'DEP-ann-2',
    });
    await until(
      () => balance(operatorA, 'ann'),
      (b) => b === 493_500n,
      'ann credited after the second trustee joined',
    );
    await operatorA.ok('POST', '/v1/accounts', {
      accountId: 'amy',
      type: 'investor',
      kyc: kyc(),
      personal: person('amy'),
    });
    await operatorA.ok('POST', '/v1/transfers', { from: 'ann', to: 'amy', assetId: MYR, amount: '500' });
    await until(
      () => balance(operatorA, 'amy'),
      (b) => b === 500n,
      'amy paid by ann',
    );
    // OperatorA's business, before and after Trustee2 joined: endorsed by members of its collection only,
    // and where it wrote public state by the regulator and the first trustee, never by Trustee2.
    const onA = (await blocksSeenBy(net.layout, net.org('Regulator'), 'market')).filter(
      (t) => t.valid && t.hashed.some((h) => h.collection === 'pdcOperatorA'),
    );
    console.log(`      endorsers on pdcOperatorA: ${endorsersByFunction(onA)}`);
    // amy's onboarding, the last on OperatorA, came after Trustee2 joined and wrote public state too.
    const lastOnboard = onA.filter((t) => t.fn === 'Accounts:Onboard').at(-1);
    expect(lastOnboard?.endorsers).to.include.members(['RegulatorMSP', 'TrusteeMSP']);
    checkEndorsers(onA, ['OperatorAMSP', 'TrusteeMSP', 'RegulatorMSP'], 'TrusteeMSP');
    // The new trustee's peer never received OperatorA's collection either.
    expect(
      filesContaining(net.layout.nodeData(net.org('Trustee2').peers[0]!.id), [person('amy').nationalId]),
    ).to.deep.equal([]);
  });

  it('keeps every peer, the new ones included, on the same height and block hash, and every consenter at one height', async () => {
    const peers = net.topology.orgs.flatMap((o) => o.peers).length;
    for (const channel of ['market', 'audit']) {
      const agreed = await until(
        async () => (await net.status()).ledgers.filter((l) => l.channel === channel),
        (ls) =>
          ls.length === peers &&
          new Set(ls.map((l) => l.height)).size === 1 &&
          new Set(ls.map((l) => l.currentBlockHash)).size === 1 &&
          ls[0]?.height !== null,
        `peers agree on ${channel}`,
        120_000,
      );
      console.log(
        `      ${channel}: ${agreed.length} peers at height ${agreed[0]?.height} ${agreed[0]?.currentBlockHash}`,
      );
      const orderers = await until(
        () => ordererHeights(ctxNow(), channel),
        (hs) =>
          hs.length === 5 &&
          hs.every((h) => h.status === 'active') &&
          new Set(hs.map((h) => h.height)).size === 1 &&
          (hs[0]?.height ?? 0) >= (agreed[0]?.height ?? Infinity),
        `consenters agree on ${channel}`,
        120_000,
      );
      console.log(`      ${channel}: consenters ${orderers.map((h) => `${h.orderer}@${h.height}`).join(', ')}`);
    }
    console.log(`      add-org timings: ${timings.map((t) => `${t.org} ${t.seconds.toFixed(1)}s`).join(', ')}`);
  });
});
