import type { AuditRecord } from '@ecf/common';
import { expect } from 'chai';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { blocksSeenBy, filesContaining } from '../support/adversary';
import { Client } from '../support/client';
import { until } from '../support/eventually';
import { kyc, sleep } from '../support/fixtures';
import { launchChromium, openDashboard } from '../support/dashboard';
import { admitConsortium, Api, gatewayCli, tokenFor, upWithGateways } from '../support/http';
import { TestNetwork } from '../support/network';

const MYR = 'TrusteeMSP.MYR';
const CLASS = 'WASH-ORD';
const reason = 'licensed for equity crowdfunding';
const person = (nationalId: string, name: string) => ({ fullName: name, nationalId, dateOfBirth: '1975-05-05' });

describe('the audit channel: relay, supervision and the dashboard on the real network', function () {
  this.timeout(900_000);
  const net = new TestNetwork(17_000);
  let regulator: Api;
  let trustee: Api;
  let operatorA: Api;
  let operatorB: Api;
  let browser: Browser | undefined;

  const records = async (api: Api, query = ''): Promise<AuditRecord[]> => {
    const out: AuditRecord[] = [];
    let cursor: string | undefined;
    do {
      const sep = query ? '&' : '?';
      const res = await api.get(`/v1/audit/records${query}${cursor ? `${sep}cursor=${cursor}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      out.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return out;
  };
  /**
   * Waits until the relay has filed everything committed on the market channel so far, and at least the
   * block of `write`: a write through another org's gateway is committed on that org's peer first, and
   * the relay follows the regulator's peer, which may not have that block yet.
   */
  const caughtUp = async (write?: { blockNumber: string }) => {
    const height = BigInt((await regulator.get('/v1/audit/status')).body.marketHeight);
    const target = [height - 1n, BigInt(write?.blockNumber ?? 0)].reduce((a, b) => (a > b ? a : b));
    await until(
      () => regulator.get('/v1/audit/status'),
      (r) => r.status === 200 && r.body.filedThrough !== null && BigInt(r.body.filedThrough) >= target,
      'relay caught up',
      120_000,
    );
  };

  before(async () => {
    ({ regulator, trustee, operatorA, operatorB } = await upWithGateways(net));
    await regulator.ok('PUT', '/v1/audit/policy', {
      largeTransferThresholds: { [MYR]: '500000' },
      checkpointEvery: 5,
      roundTripWindowSeconds: 3600,
      layeringCancels: 3,
      layeringWindowSeconds: 300,
    });
    await admitConsortium(regulator, operatorB, reason);
    const onboard = (op: Api, accountId: string, type: string, personal: object, investorClass?: string) =>
      op.ok('POST', '/v1/accounts', { accountId, type, kyc: kyc(investorClass), personal });
    await onboard(operatorA, 'issuer', 'issuer', person('C-1', 'Issuer Co'), 'sophisticated');
    // One person, two accounts at two operators: the beneficial owner the wash-trade rule looks for.
    await onboard(operatorA, 'x1', 'investor', person('S7777777A', 'Wash Person'));
    await onboard(operatorB, 'x2', 'investor', person('s7777777a', 'Wash Person'));
    await onboard(operatorA, 'ann', 'investor', person('A-1', 'Ann'));
    await onboard(operatorA, 'ben', 'investor', person('B-1', 'Ben'));
    await until(
      () => trustee.get('/v1/accounts/x2'),
      (r) => r.status === 200,
      'accounts visible to the trustee',
    );
    await trustee.ok('POST', '/v1/money-tokens', { currency: 'MYR', decimals: 2 });
    await trustee.ok('POST', '/v1/share-classes', {
      classId: CLASS,
      issuerAccountId: 'issuer',
      kind: 'ordinary',
      decimals: 0,
      allowedInvestorClasses: ['retail', 'sophisticated'],
    });
    await trustee.ok('POST', `/v1/share-classes/${CLASS}/issuances`, {
      accountId: 'x1',
      amount: '100',
      purpose: 'offering',
    });
    await trustee.ok('POST', '/v1/deposits', { accountId: 'x2', tokenId: MYR, amount: '10000', bankReference: 'D-x2' });
    await trustee.ok('POST', '/v1/deposits', {
      accountId: 'ann',
      tokenId: MYR,
      amount: '900000',
      bankReference: 'D-ann',
    });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await gatewayCli(net, 'down').catch(() => undefined);
    await net.destroy();
  });

  it('a wash trade between two accounts of one person raises exactly one alert', async () => {
    await until(
      () => operatorA.get(`/v1/accounts/x1/balances/${CLASS}`),
      (r) => r.body?.balance === '100',
      'units',
    );
    await operatorA.ok('POST', '/v1/orders', {
      accountId: 'x1',
      classId: CLASS,
      tokenId: MYR,
      side: 'SELL',
      price: '10',
      quantity: '5',
    });
    await sleep(1100);
    await until(
      () => operatorB.get(`/v1/accounts/x2/balances/${MYR}`),
      (r) => r.body?.balance === '10000',
      'money',
    );
    await operatorB.ok('POST', '/v1/orders', {
      accountId: 'x2',
      classId: CLASS,
      tokenId: MYR,
      side: 'BUY',
      price: '10',
      quantity: '5',
    });
    await until(
      () => trustee.get(`/v1/share-classes/${CLASS}/order-book`),
      (r) => r.body?.bids?.length === 1 && r.body?.asks?.length === 1,
      'book',
    );
    const matched = await trustee.ok('POST', `/v1/share-classes/${CLASS}/matching`, {});
    expect(matched.result.fills).to.equal(1);
    await caughtUp(matched);
    const alerts = await records(regulator, '?type=ALERT');
    expect(alerts.map((a) => a.kind)).to.deep.equal(['WASH_TRADE_SAME_OWNER']);
    const trades = await records(regulator, '?type=TRADE');
    expect(trades).to.have.length(1);
    expect(trades[0]?.details).to.include({ buyer: 'x2', seller: 'x1', quantity: '5', price: '10' });
    expect(alerts[0]?.source.txIds).to.deep.equal(trades[0]?.source.txIds);
  });

  it('a large transfer files one travel-rule report, which only the parties and the regulator can read', async () => {
    await caughtUp(
      await operatorA.ok('POST', '/v1/transfers', { from: 'ann', to: 'ben', assetId: MYR, amount: '600000' }),
    );
    const reports = (await records(regulator, '?type=LARGE_TRANSFER')).filter((r) => r.details.kind === 'transfer');
    expect(reports.map((r) => [r.details.originator, r.details.beneficiary, r.details.amount])).to.deep.equal([
      ['ann', 'ben', '600000'],
    ]);
    const deposit = (await records(regulator, '?type=LARGE_TRANSFER')).filter((r) => r.details.kind === 'deposit');
    expect(deposit.map((r) => r.details.beneficiary)).to.deep.equal(['ann']);
    const id = reports[0]!.id;
    // The relay's filing is committed on the regulator's peer first; OperatorA reads through its own.
    await until(
      () => operatorA.get(`/v1/audit/records/${id}`),
      (r) => r.status === 200,
      'A reads its report',
    );
    expect((await operatorB.get(`/v1/audit/records/${id}`)).status).to.equal(404);
    const seenByB = await records(operatorB);
    expect(
      seenByB.every((r) => r.parties.includes('OperatorBMSP')),
      'B reads only records naming it',
    ).to.equal(true);
    expect(
      seenByB.some((r) => r.kind === 'WASH_TRADE_SAME_OWNER'),
      'B is a party to the wash trade',
    ).to.equal(true);
    const aliceLike = await tokenFor(net, 'OperatorA', 'acct-ann');
    expect((await aliceLike.get('/v1/audit/records')).status).to.equal(403);
  });

  it('keeps the accounts and amount of a report off a non-party’s peer: not in its audit blocks, not on its disk', async () => {
    const id = (await records(regulator, '?type=LARGE_TRANSFER')).find((r) => r.details.amount === '600000')?.id;
    if (!id) throw new Error('no large-transfer report of 600000');
    // OperatorB's own peer delivers the filing transaction to its admin, as it does every audit block.
    const seenByB = await until(
      () => blocksSeenBy(net.layout, net.org('OperatorB'), 'audit'),
      (txs) => txs.some((t) => t.fn === 'Audit:File' && t.args.some((a) => a.includes(id))),
      'B stores the filing',
    );
    const filing = seenByB.find((t) => t.fn === 'Audit:File' && t.args.some((a) => a.includes(id)));
    expect(filing?.hashed.map((h) => h.collection).sort()).to.deep.equal(['auditOperatorA', 'auditRegulator']);
    const text = JSON.stringify(seenByB);
    for (const needle of ['600000', '900000', '"ann"', '"ben"', 'from ann to ben']) {
      expect(text, `B's audit blocks contain ${needle}`).not.to.contain(needle);
    }
    const peerOf = (org: string) => {
      const peer = net.org(org).peers[0];
      if (!peer) throw new Error(`${org} has no peer`);
      return net.layout.nodeData(peer.id);
    };
    const needles = ['"amount":"600000"', '"amount":"900000"', 'from ann to ben'];
    expect(filesContaining(peerOf('OperatorB'), needles)).to.deep.equal([]);
    // The same search finds the report on the regulator's and the party's disks: the search itself works.
    // (Its summary is the control: the amounts' repeated digits may be compressed away on disk.)
    expect(filesContaining(peerOf('Regulator'), ['from ann to ben']).length).to.be.greaterThan(0);
    expect(filesContaining(peerOf('OperatorA'), ['from ann to ben']).length).to.be.greaterThan(0);
  });

  it('files every report exactly once across real kills of the relay', async () => {
    const relayStarts = () =>
      readFileSync(net.layout.logFile('gateway.relay.regulator'), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"relay following the market channel"'))
        .map((line) => JSON.parse(line) as { observeFrom: string });
    const burst: string[] = [];
    let last: { blockNumber: string } | undefined;
    const kills = [3, 7, 11];
    for (let i = 0; i < 14; i++) {
      const [from, to] = i % 2 === 0 ? ['ben', 'ann'] : ['ann', 'ben'];
      const res = await operatorA.ok('POST', '/v1/transfers', { from, to, assetId: MYR, amount: '500000' });
      burst.push(res.txId);
      last = res;
      if (kills.includes(i)) {
        const before = relayStarts().length;
        await gatewayCli(net, 'crash', '--org', 'Regulator', '--relay');
        await sleep(300 * kills.indexOf(i));
        await gatewayCli(net, 'up', '--org', 'Regulator');
        // `up` does not wait for the relay to stream; the next kill must find it following the chain, or
        // it would only test a kill during start-up, where nothing has been filed yet.
        await until(
          async () => relayStarts().length,
          (n) => n > before,
          'relay following again',
          60_000,
        );
      }
    }
    await caughtUp(last);
    const reports = (await records(regulator, '?type=LARGE_TRANSFER')).filter((r) =>
      burst.includes(r.source.txIds[0] ?? ''),
    );
    const perTx = new Map<string, number>();
    for (const r of reports) perTx.set(r.source.txIds[0]!, (perTx.get(r.source.txIds[0]!) ?? 0) + 1);
    expect(burst.map((t) => perTx.get(t) ?? 0)).to.deep.equal(burst.map(() => 1));
    const ids = (await records(regulator)).map((r) => r.id);
    expect(new Set(ids).size).to.equal(ids.length);

    // Every restart resumed from the relay's saved observer (owner-only file), not by replaying block 0.
    const starts = relayStarts();
    expect(starts.length).to.be.greaterThan(kills.length);
    expect(starts.slice(-kills.length).map((s) => BigInt(s.observeFrom) > 0n)).to.deep.equal(kills.map(() => true));
    const saved = statSync(join(net.layout.gateways, 'regulator', 'relay-observer.json'));
    expect(saved.mode & 0o777).to.equal(0o600);
  });

  it('records supervisory actions, verifies the market against its checkpoints, and catches an altered one', async () => {
    await caughtUp(
      await regulator.ok('PUT', '/v1/accounts/x2/freeze', { frozen: true, reason: 'wash trading investigation' }),
    );
    const actions = await records(regulator, '?type=SUPERVISORY_ACTION');
    expect(actions.some((a) => a.details.action === 'FREEZE' && a.parties.includes('OperatorBMSP'))).to.equal(true);

    const verified = await regulator.get('/v1/audit/verification');
    expect(verified.body.ok, JSON.stringify(verified.body)).to.equal(true);
    expect(verified.body.checked).to.be.greaterThan(1);

    // A checkpoint that does not match the chain (as if it, or the chain, had been altered).
    const real = (await records(regulator, '?type=CHECKPOINT'))[0]!;
    const filer = new Client(net.layout, net.org('Regulator'), 'gateway', [], 'audit', 'audit');
    try {
      await filer.submit('Audit:File', {
        args: [
          JSON.stringify({
            id: `checkpoint:altered:${real.source.blockNumber}`,
            type: 'CHECKPOINT',
            source: real.source,
            parties: [],
            subjects: [],
            summary: 'altered copy',
            details: { ...real.details, blockHash: 'f'.repeat(64) },
            observedAt: real.observedAt,
          }),
        ],
      });
    } finally {
      filer.close();
    }
    const broken = await regulator.get('/v1/audit/verification');
    expect(broken.body.ok).to.equal(false);
    expect(broken.body.mismatches.map((m: { recordId: string }) => m.recordId)).to.deep.equal([
      `checkpoint:altered:${real.source.blockNumber}`,
    ]);
  });

  it('reports transparency figures as JSON and CSV', async () => {
    const json = await regulator.get('/v1/audit/transparency');
    expect(json.status).to.equal(200);
    expect(json.body.volumes).to.deep.equal([{ classId: CLASS, trades: 1, units: '5', value: '50' }]);
    expect(json.body.participants).to.include({ 'operator:ACTIVE': 2, 'trustee:ACTIVE': 1 });
    expect(json.body.concentration.hhi).to.equal(5000);
    const csv = await fetch(`${regulator.base}/v1/audit/transparency?format=csv`, {
      headers: { Authorization: `Bearer ${regulator.token}` },
    });
    expect(csv.headers.get('content-type')).to.match(/text\/csv/);
    const text = await csv.text();
    expect(text.split('\n')[0]).to.equal('section,key,metric,value');
    expect(text).to.contain(`volume,${CLASS},trades,1`);
    expect((await operatorA.get('/v1/audit/transparency')).status).to.equal(403);
  });

  it('shows alerts live in the dashboard and drills down to the transactions behind them (headless Chromium)', async () => {
    browser = await launchChromium();
    const page = await openDashboard(browser, net, regulator);
    const alert = page.locator('#alerts li', { hasText: 'WASH_TRADE_SAME_OWNER' });
    await alert.waitFor({ timeout: 30_000 });
    expect(Number(await page.locator('#chart').getAttribute('data-bars'))).to.be.greaterThan(0);
    await alert.click();
    await page.locator('#drill-rows tr', { hasText: 'Market:Match' }).waitFor({ timeout: 30_000 });

    // A new filing arrives through the live feed without reloading the page.
    await regulator.ok('PUT', '/v1/accounts/x2/freeze', { frozen: false, reason: 'investigation closed' });
    await page.locator('#feed li', { hasText: 'UNFREEZE x2' }).waitFor({ timeout: 60_000 });
  });

  it('a sale bought back within the window raises a round-trip alert; a burst of cancellations around trades raises layering', async () => {
    await trustee.ok('POST', `/v1/share-classes/${CLASS}/issuances`, {
      accountId: 'ann',
      amount: '10',
      purpose: 'offering',
    });
    await until(
      () => operatorA.get(`/v1/accounts/ann/balances/${CLASS}`),
      (r) => r.body?.balance === '10',
      'ann units',
    );
    const order = (accountId: string, side: string, price: string) =>
      operatorA.ok('POST', '/v1/orders', { accountId, classId: CLASS, tokenId: MYR, side, price, quantity: '2' });
    const cross = async (seller: string, buyer: string) => {
      await order(seller, 'SELL', '10');
      await sleep(1100);
      await order(buyer, 'BUY', '10');
      await until(
        () => trustee.get(`/v1/share-classes/${CLASS}/order-book`),
        (r) => r.body?.bids?.length >= 1,
        'bid',
      );
      const matched = await trustee.ok('POST', `/v1/share-classes/${CLASS}/matching`, {});
      expect(matched.result.fills).to.equal(1);
      return matched;
    };
    await cross('ann', 'ben');
    await until(
      () => operatorA.get(`/v1/accounts/ben/balances/${CLASS}`),
      (r) => r.body?.balance === '2',
      'ben units',
    );
    // Ben places and withdraws three orders in quick succession between the two trades.
    for (let i = 0; i < 3; i++) {
      const orderId = (await order('ben', 'BUY', '1')).result;
      await operatorA.ok('DELETE', `/v1/share-classes/${CLASS}/orders/${orderId}?accountId=ben`);
    }
    await caughtUp(await cross('ben', 'ann'));
    const alerts = await records(regulator, '?type=ALERT');
    const roundTrips = alerts.filter((a) => a.kind === 'WASH_TRADE_ROUND_TRIP');
    expect(roundTrips.map((a) => [a.details.seller, a.details.buyer])).to.deep.equal([['ben', 'ann']]);
    expect(roundTrips[0]?.source.txIds).to.have.length(2);
    const layering = alerts.filter((a) => a.kind === 'LAYERING');
    expect(layering.length).to.be.greaterThan(0);
    expect(layering.every((a) => a.details.account === 'ben' && Number(a.details.cancellations) >= 3)).to.equal(true);
    expect(alerts.filter((a) => a.kind === 'WASH_TRADE_SAME_OWNER')).to.have.length(1);
  });
});
