import {
  bootstrapOrgCrypto,
  CommandError,
  ConfigUpdateRefusedError,
  fabricConfigDir,
  fetchConfig,
  nativePlacement,
  proposeAddition,
  signUpdate,
  submitUpdate,
  type NetworkContext,
  type NetworkStatus,
} from '@ecf/network';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../support/eventually';
import { kyc } from '../support/fixtures';
import { admitConsortium, Api, gatewayCli, tokenFor, upWithGateways } from '../support/http';
import { TestNetwork } from '../support/network';

const MYR = 'TrusteeMSP.MYR';
const reason = 'licensed for equity crowdfunding';
const person = (name: string) => ({
  fullName: `${name} Person`,
  nationalId: `NID-${name}-55120`,
  dateOfBirth: '1990-07-14',
  email: `${name}@mail.example.org`,
});

async function status(net: TestNetwork): Promise<NetworkStatus> {
  const out = await net.cli('status', '--json').catch((err: unknown) => {
    if (err instanceof CommandError) return err.output.slice(err.output.indexOf('{'));
    throw err;
  });
  return JSON.parse(out.slice(out.indexOf('{'))) as NetworkStatus;
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

describe('admitting a new operator to the running network (add-org)', function () {
  this.timeout(1_800_000);
  const net = new TestNetwork(16_000);
  let regulator: Api;
  let trustee: Api;
  let operatorA: Api;
  let ctx: NetworkContext;

  const balance = async (api: Api, accountId: string) =>
    BigInt((await api.get(`/v1/accounts/${accountId}/balances/${MYR}`)).body.balance ?? '-1');

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
    ctx = {
      topology: net.topology,
      layout: net.layout,
      bin,
      fabricConfig: fabricConfigDir(bin),
      placement: nativePlacement(net.layout),
      progress: () => undefined,
    };
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
    const s = await status(net);
    expect(s.nodes.filter((n) => !n.healthy).map((n) => n.id)).to.deep.equal([]);
    expect(s.nodes.map((n) => n.id)).to.include('peer0.operatorc');
    // On audit the regulator-must-sign rule now counts OperatorC's admin among the members.
    const config = await fetchConfig(ctx, 'audit', net.org('Regulator'), scratch());
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
      () => trustee.call('POST', `/v1/instructions/${instructionId}/settlement`, { fromOperatorMspId: 'OperatorAMSP' }),
      (r) => r.status < 300,
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

  it('keeps every peer, the new one included, on the same height and block hash', async () => {
    for (const channel of ['market', 'audit']) {
      const agreed = await until(
        async () => (await status(net)).ledgers.filter((l) => l.channel === channel),
        (ls) =>
          ls.length === 5 &&
          new Set(ls.map((l) => l.height)).size === 1 &&
          new Set(ls.map((l) => l.currentBlockHash)).size === 1 &&
          ls[0]?.height !== null,
        `peers agree on ${channel}`,
        120_000,
      );
      console.log(
        `      ${channel}: ${agreed.length} peers at height ${agreed[0]?.height} ${agreed[0]?.currentBlockHash}`,
      );
    }
  });
});
