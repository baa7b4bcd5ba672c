import {
  connectTo,
  fabricConfigDir,
  gatewayErrorText,
  nativePlacement,
  RemovalRefusedError,
  requireRevokedAndEmpty,
  type NetworkContext,
  type Org,
} from '@ecf/network';
import { expect } from 'chai';
import { until } from '../support/eventually';
import { campaignTerms, kyc, offeringDocumentBody } from '../support/fixtures';
import { admitConsortium, Api, gatewayCli, tokenFor, upWithGateways } from '../support/http';
import { TestNetwork } from '../support/network';

const MYR = 'TrusteeMSP.MYR';
const CLASS = 'ACME-ORD';
const reason = 'licence withdrawn after the platform failed';
const EXITING = '/v1/wind-downs/OperatorBMSP';
/**
 * Customers onboarded straight on the chaincode at OperatorB besides the named ones, to give the
 * wind-down batches to walk. `ECF_WINDDOWN_CUSTOMERS=1000` measures the wind-down of a thousand.
 */
const EXTRA_CUSTOMERS = Number(process.env.ECF_WINDDOWN_CUSTOMERS ?? 30);
const person = (name: string) => ({
  fullName: `${name} Person`,
  nationalId: `NID-${name}-77031`,
  dateOfBirth: '1988-03-02',
});

/** A peer's block height on a channel, from its operations endpoint (no channel membership needed). */
async function height(org: Org, channel: string): Promise<number> {
  const peer = org.peers[0];
  if (!peer) throw new Error(`${org.name} has no peer`);
  const text = await (await fetch(`http://127.0.0.1:${peer.operationsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('ledger_blockchain_height') && l.includes(`"${channel}"`));
  return Number(line?.split(' ').pop() ?? NaN);
}

/** Runs `n` tasks, at most `width` at a time. */
async function pool(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

describe('winding down OperatorB into OperatorA, then removing OperatorB (wind-down, remove-org)', function () {
  this.timeout(3_600_000);
  const net = new TestNetwork(21_000);
  let regulator: Api;
  let trustee: Api;
  let operatorA: Api;
  let operatorB: Api;
  let beaAtB: Api;
  const named = ['ann', 'acme', 'bea', 'ben'];
  const initial: Record<string, bigint> = {};
  let ctx: NetworkContext;

  const balance = async (accountId: string, asset: string) =>
    BigInt((await regulator.get(`/v1/accounts/${accountId}/balances/${asset}`)).body.balance ?? '-1');
  const consistent = async (asset: string) => (await regulator.get(`/v1/assets/${asset}/supply`)).body;

  before(async () => {
    ({ regulator, trustee, operatorA, operatorB } = await upWithGateways(net));
    await admitConsortium(regulator, operatorB, 'licensed for equity crowdfunding');
    const bin = await net.bin();
    ctx = {
      topology: net.topology,
      layout: net.layout,
      bin,
      fabricConfig: fabricConfigDir(bin),
      placement: nativePlacement(net.layout),
      progress: () => undefined,
    };
    const onboard = (op: Api, accountId: string, type = 'investor') =>
      op.ok('POST', '/v1/accounts', { accountId, type, kyc: kyc('sophisticated'), personal: person(accountId) });
    await onboard(operatorA, 'ann');
    await onboard(operatorA, 'acme', 'issuer');
    await onboard(operatorB, 'bea');
    await onboard(operatorB, 'ben');
    await trustee.ok('POST', '/v1/money-tokens', { currency: 'MYR', decimals: 2 });
    for (const accountId of named) {
      await until(
        () => trustee.get(`/v1/accounts/${accountId}`),
        (r) => r.status === 200,
        `${accountId} visible to the trustee`,
      );
    }
    await trustee.ok('POST', '/v1/share-classes', {
      classId: CLASS,
      issuerAccountId: 'acme',
      kind: 'ordinary',
      decimals: 0,
      allowedInvestorClasses: ['retail', 'sophisticated'],
    });
    await trustee.ok('POST', `/v1/share-classes/${CLASS}/documents`, offeringDocumentBody(CLASS));
    for (const accountId of named)
      await trustee.ok('POST', '/v1/deposits', {
        accountId,
        tokenId: MYR,
        amount: '100000',
        bankReference: `D-${accountId}`,
      });
    await trustee.ok('POST', `/v1/share-classes/${CLASS}/issuances`, {
      accountId: 'bea',
      amount: '40',
      purpose: 'offering',
    });

    // More customers at OperatorB, straight on the chaincode (no CA identity needed for them), each with money.
    const b = net.org('OperatorB');
    const t = net.org('Trustee');
    const asB = connectTo(net.layout, b, b.peers[0]!);
    const asTrustee = connectTo(net.layout, t, t.peers[0]!);
    const started = Date.now();
    try {
      const accounts = asB.gateway.getNetwork('market').getContract('market', 'Accounts');
      const money = asTrustee.gateway.getNetwork('market').getContract('market', 'Money');
      await pool(EXTRA_CUSTOMERS, 8, async (i) => {
        const accountId = `bulk-${String(i).padStart(5, '0')}`;
        const payload = JSON.stringify({
          accountId,
          type: 'investor',
          kyc: kyc('sophisticated'),
          personal: person(accountId),
          salt: Buffer.from(`salt-${accountId}`.padEnd(16, '#')).toString('base64'),
        });
        // A submission the ordering service could not take under load is sent again; one that did land
        // first answers CONFLICT (already exists), which is as good.
        await until(
          () =>
            accounts.submit('Onboard', { transientData: { payload } }).then(
              () => true,
              (err: unknown) => {
                const text = gatewayErrorText(err);
                if (/already exists/.test(text)) return true;
                if (/UNAVAILABLE/.test(text)) return false;
                throw err;
              },
            ),
          (done) => done,
          `the onboarding of ${accountId}`,
          60_000,
        );
        const deposit = JSON.stringify({ accountId, tokenId: MYR, amount: '1000', bankReference: `B-${accountId}` });
        // OperatorB's peer has committed the account; the trustee's may not have yet.
        await until(
          () =>
            money.submit('Deposit', { transientData: { payload: deposit } }).then(
              () => true,
              (err: unknown) => {
                if (/NOT_FOUND|UNAVAILABLE/.test(gatewayErrorText(err))) return false;
                throw err;
              },
            ),
          (done) => done,
          `the deposit to ${accountId}`,
          60_000,
        );
      });
    } finally {
      asB.close();
      asTrustee.close();
    }
    console.log(
      `      onboarded and funded ${EXTRA_CUSTOMERS} more customers at OperatorB in ${(Date.now() - started) / 1000}s`,
    );

    // OperatorB's book: bea sells 10 units, ben pledges to an open campaign of OperatorA's issuer.
    await until(
      () => operatorB.get(`/v1/accounts/bea/balances/${CLASS}`),
      (r) => r.body?.balance === '40',
      'bea holds her units',
    );
    await operatorB.ok('POST', '/v1/orders', {
      accountId: 'bea',
      classId: CLASS,
      tokenId: MYR,
      side: 'SELL',
      price: '150',
      quantity: '10',
    });
    const terms = campaignTerms({ campaignId: 'seed', classId: CLASS, tokenId: MYR }, 7200);
    await operatorA.ok('POST', '/v1/campaigns', terms);
    await operatorA.ok('POST', '/v1/campaigns/seed/approval', {});
    await until(
      () => trustee.get('/v1/campaigns/seed'),
      (r) => r.body?.status === 'APPROVED',
      'the approval visible to the trustee',
    );
    await trustee.ok('POST', '/v1/campaigns/seed/funding', {});
    await until(
      () => operatorB.get('/v1/campaigns/seed'),
      (r) => r.body?.status === 'FUNDED',
      'the campaign is open at OperatorB',
    );
    await operatorB.ok('POST', '/v1/campaigns/seed/pledges', { accountId: 'ben', amount: '3000' });
    await until(
      () => balance('ben', MYR),
      (v) => v === 97_000n,
      'ben pledged',
    );
    beaAtB = await tokenFor(net, 'OperatorB', 'acct-bea');
    expect((await beaAtB.get(`/v1/accounts/bea/balances/${MYR}`)).status).to.equal(200);
    for (const accountId of [...named, 'bulk-00000'])
      for (const asset of [MYR, CLASS]) initial[`${accountId}/${asset}`] = await balance(accountId, asset);
  });

  after(async () => {
    await gatewayCli(net, 'down').catch(() => undefined);
    await net.destroy();
  });

  it('refuses to remove OperatorB while it is active and its book is not empty', async () => {
    const refusal = await requireRevokedAndEmpty(ctx, net.org('OperatorB')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal).to.be.instanceOf(RemovalRefusedError);
    expect((refusal as Error).message).to.match(/OperatorBMSP is active on chain: the regulator revokes it/);
  });

  it('winds OperatorB down into OperatorA: balances unchanged, supply consistent, B collection empty', async () => {
    await regulator.ok('PUT', '/v1/participants/OperatorBMSP/status', { status: 'REVOKED', reason });
    await regulator.ok('POST', '/v1/wind-downs', {
      exitingMspId: 'OperatorBMSP',
      successorMspId: 'OperatorAMSP',
      reason,
    });
    await until(
      () => trustee.get(EXITING),
      (r) => r.status === 200,
      'the wind-down is visible to the trustee',
    );
    const started = Date.now();
    let calls = 0;
    let phase = '';
    while (phase !== 'DONE') {
      const w = (await trustee.ok('GET', EXITING)) as { phase: string };
      phase = w.phase;
      calls += 1;
      if (phase === 'RELEASING') await trustee.ok('POST', `${EXITING}/releases`, { max: 50 });
      else if (phase === 'MOVING') await trustee.ok('POST', `${EXITING}/moves`, { max: 50 });
      else if (phase === 'SWEEPING') {
        const { keys } = (await trustee.ok('GET', `${EXITING}/leftovers`)) as { keys: string[] };
        if (keys.length > 0) {
          await trustee.ok('POST', `${EXITING}/sweeps`, { keys });
          continue;
        }
        // The regulator's peer holds the collection too: it must agree that nothing live is left.
        const atRegulator = await until(
          () => regulator.get(`${EXITING}/leftovers`),
          (r) => r.status === 200 && (r.body.keys as string[]).length === 0,
          "the regulator's peer holds no live record of OperatorB's collection",
        );
        expect(atRegulator.body.collection).to.equal('pdcOperatorB');
        await trustee.ok('POST', `${EXITING}/completion`, {});
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const done = (await trustee.ok('GET', EXITING)) as Record<string, unknown>;
    console.log(
      `      wind-down of ${2 + EXTRA_CUSTOMERS} customers took ${seconds.toFixed(1)}s in ${calls} steps: ${JSON.stringify(done)}`,
    );
    expect(done).to.include({
      phase: 'DONE',
      accountsMoved: 2 + EXTRA_CUSTOMERS,
      ordersCancelled: 1,
      pledgesRefunded: 1,
    });

    await until(
      () => regulator.get(EXITING),
      (r) => r.body?.phase === 'DONE',
      "the completion reached the regulator's peer",
    );
    // Every balance is what it was, plus the escrow that came back (bea's units on sale, ben's pledge).
    for (const accountId of named) {
      for (const asset of [MYR, CLASS]) {
        const back = accountId === 'bea' && asset === CLASS ? 10n : accountId === 'ben' && asset === MYR ? 3000n : 0n;
        expect(await balance(accountId, asset), `${accountId} ${asset}`).to.equal(
          (initial[`${accountId}/${asset}`] ?? 0n) + back,
        );
      }
    }
    expect(await balance('bulk-00000', MYR)).to.equal(initial[`bulk-00000/${MYR}`]);
    for (const asset of [MYR, CLASS]) {
      const report = await consistent(asset);
      expect(report.consistent, JSON.stringify(report)).to.equal(true);
      expect(report.collections).to.not.include('pdcOperatorB');
    }
    expect((await operatorA.get('/v1/accounts/bea')).body.operatorMspId).to.equal('OperatorAMSP');
  });

  it("issues a moved customer's credential at OperatorA's CA; the old one from OperatorB no longer works", async () => {
    await until(
      () => operatorA.get('/v1/accounts/bea'),
      (r) => r.body?.operatorMspId === 'OperatorAMSP',
      "bea is OperatorA's customer on its peer",
    );
    const issued = await operatorA.ok('POST', '/v1/accounts/bea/credential', {});
    expect(issued.result ?? issued).to.deep.include({ accountId: 'bea', identity: 'acct-bea' });
    const bea = await tokenFor(net, 'OperatorA', 'acct-bea');
    expect((await bea.get(`/v1/accounts/bea/balances/${MYR}`)).body.balance).to.equal(String(initial[`bea/${MYR}`]));
    await bea.ok('POST', '/v1/transfers', { to: 'ann', assetId: MYR, amount: '250' });
    await until(
      () => balance('ann', MYR),
      (v) => v === (initial[`ann/${MYR}`] ?? 0n) + 250n,
      'bea paid ann through OperatorA',
    );
    // Refused once OperatorB's peer has the move (until then it answers from the state before it).
    const old = await until(
      () => beaAtB.get(`/v1/accounts/bea/balances/${MYR}`),
      (r) => r.status !== 200,
      "bea's old credential refused",
    );
    expect(old.status, JSON.stringify(old.body)).to.equal(403);
    // The personal data moved with the account and still matches its public commitment.
    const verified = await operatorA.get('/v1/accounts/bea/personal-data/verification');
    expect(verified.body).to.include({ present: true, matchesAccount: true });
  });

  it('removes OperatorB: its peer stops receiving blocks while the others keep growing', async () => {
    await gatewayCli(net, 'down', '--org', 'OperatorB');
    net.editTopology((raw) => {
      for (const org of raw.orgs as Array<Record<string, unknown>>) if (org.name === 'OperatorB') org.removed = true;
      for (const cc of raw.chaincodes as Array<{ name: string; endorsementPolicy: string }>)
        cc.endorsementPolicy = cc.endorsementPolicy.replace(", 'OperatorBMSP.peer'", '');
    });
    const started = Date.now();
    const out = await net.cli('remove-org', 'OperatorB');
    console.log(
      out
        .split('\n')
        .map((l) => `      ${l}`)
        .join('\n'),
    );
    console.log(`      remove-org OperatorB took ${((Date.now() - started) / 1000).toFixed(1)}s`);
    expect(out).to.match(/tolerate 0 faulty node/);

    const b = (net.topology.removedOrgs ?? []).find((o) => o.name === 'OperatorB');
    if (!b) throw new Error('OperatorB is not marked removed');
    const others = net.topology.orgs;
    const grow = async (n: number) => {
      for (let i = 0; i < n; i++)
        await trustee.ok('POST', '/v1/deposits', {
          accountId: 'ann',
          tokenId: MYR,
          amount: '1',
          bankReference: `G-${Date.now()}-${i}`,
        });
    };
    // Let B's peer take whatever reached it before it was cut off, then watch it stand still.
    await grow(2);
    const frozenAt = await until(
      async () => [await height(b, 'market'), await height(b, 'market')],
      ([h1, h2]) => h1 === h2,
      "OperatorB's height settles",
    );
    const bHeight = frozenAt[0] ?? NaN;
    await grow(3);
    for (const org of others) {
      await until(
        () => height(org, 'market'),
        (h) => h >= bHeight + 3,
        `${org.name}'s market height grows past ${bHeight}`,
      );
    }
    expect(await height(b, 'market')).to.equal(bHeight);
    const heights = await Promise.all([b, ...others].map(async (o) => `${o.name} ${await height(o, 'market')}`));
    console.log(`      market heights after removal: ${heights.join(', ')}`);
    for (const asset of [MYR, CLASS]) expect((await consistent(asset)).consistent).to.equal(true);
  });
});
