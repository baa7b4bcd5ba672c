import { expect } from 'chai';
import type { CorporateAction } from '@ecf/common';
import type { Client } from '../support/client';
import { eventually } from '../support/eventually';
import { nowSeconds, pastClose } from '../support/fixtures';
import { sharedMarket, SHARED_MONEY } from '../support/shared-network';
import { balanceOf, consistentSupply, marketClients, setUpClass } from '../support/market-steps';

const MYR = SHARED_MONEY;
const CLASS = 'spl-ORD';
const salt = 'c3BsaXRzLXRlc3Qtc2FsdC0xMjM0NTY=';

/**
 * Corporate actions on the real network, across both operators (decisions 52–54): a 2:1 split with open
 * orders, an oversubscribed tender offer, a delisting with a final redemption. Its own accounts and class
 * (`spl-`) on the shared network; the class's lock and delisting are its own.
 */
describe('corporate actions on the real network: split, tender offer, delisting', function () {
  this.timeout(900_000);
  let regulator: Client;
  let trustee: Client;
  let operatorA: Client;
  let operatorB: Client;

  const balance = async (accountId: string, assetId: string) => BigInt(await balanceOf(regulator, accountId, assetId));
  const supply = async (assetId: string) => BigInt((await consistentSupply(regulator, assetId)).supply);
  const runToDone = async (actionId: string) => {
    const started = Date.now();
    let batches = 0;
    for (let i = 0; i < 50; i++) {
      batches += 1;
      const a = await trustee.submit<CorporateAction>('CorporateActions:Advance', {
        args: [JSON.stringify({ actionId, max: 50 })],
      });
      if (a.phase === 'DONE') {
        console.log(`      ${actionId}: ${batches} batches in ${Date.now() - started} ms`);
        return a;
      }
    }
    throw new Error(`${actionId} did not finish`);
  };
  const order = (op: Client, accountId: string, side: 'BUY' | 'SELL', price: string, quantity: string) =>
    op.submit<string>('Market:PlaceOrder', {
      transient: { accountId, classId: CLASS, tokenId: MYR, side, price, quantity },
    });
  const holdings = async () => ({
    ann: await balance('spl-ann', CLASS),
    ben: await balance('spl-ben', CLASS),
    cat: await balance('spl-cat', CLASS),
    issuer: await balance('spl-issuer', CLASS),
  });

  before(async () => {
    const clients = marketClients((await sharedMarket()).pool);
    ({ regulator, trustee, operatorA, operatorB } = clients);
    await setUpClass(clients, {
      classId: CLASS,
      issuer: 'spl-issuer',
      investors: [
        { accountId: 'spl-ann', operator: 'operatorA' },
        { accountId: 'spl-ben', operator: 'operatorA', investorClass: 'sophisticated' },
        { accountId: 'spl-cat', operator: 'operatorB' },
      ],
      salt,
      units: { 'spl-ann': '100', 'spl-ben': '50', 'spl-cat': '30', 'spl-issuer': '200' },
      deposits: { 'spl-ann': '100000', 'spl-cat': '100000', 'spl-issuer': '100000' },
      tokenId: MYR,
    });
  });

  it('splits 2:1 across both operators, cancelling the open orders and releasing their escrow', async () => {
    const sell = await order(operatorB, 'spl-cat', 'SELL', '105', '10');
    const buy = await order(operatorA, 'spl-ann', 'BUY', '95', '5');
    await eventually(async () => String(await balance('spl-cat', CLASS)), '20', "the sell order's units in escrow");
    const before = await supply(CLASS);
    await operatorA.submit('CorporateActions:AnnounceSplit', {
      args: [
        JSON.stringify({ actionId: 'spl-split', classId: CLASS, numerator: 2, denominator: 1, reason: 'two for one' }),
      ],
    });
    const done = await runToDone('spl-split');
    expect(done).to.include({ ordersCancelled: 2, residualUnits: '0' });
    for (const id of [sell, buy]) {
      const o = await operatorB.evaluate<{ status: string }>('Market:GetOrder', { args: [CLASS, id] });
      expect(o.status).to.equal('CANCELLED');
    }
    expect(await holdings()).to.deep.equal({ ann: 200n, ben: 100n, cat: 60n, issuer: 400n });
    expect(await balance('spl-ann', MYR)).to.equal(100000n); // the buy order's escrow came back
    expect(await supply(CLASS)).to.equal(before * 2n);
    await supply(MYR);
    // The class is unlocked: it trades again after the split.
    const asset = await operatorB.evaluate<{ lockedBy?: string; halted: boolean }>('Registry:GetAsset', {
      args: [CLASS],
    });
    expect(asset.lockedBy).to.equal(undefined);
  });

  it('scales an oversubscribed tender offer pro rata exactly, burning what it buys', async () => {
    const closesAt = nowSeconds() + 20;
    const offered = await operatorA.submit<CorporateAction>('CorporateActions:AnnounceTender', {
      args: [
        JSON.stringify({
          actionId: 'spl-tender',
          classId: CLASS,
          tokenId: MYR,
          price: '10',
          maxUnits: '60',
          closesAt,
          reason: 'return capital',
        }),
      ],
    });
    expect(offered.phase).to.equal('ANNOUNCED');
    await Promise.all([
      operatorA.submit('CorporateActions:Tender', {
        transient: { actionId: 'spl-tender', accountId: 'spl-ann', units: '80' },
      }),
      operatorB.submit('CorporateActions:Tender', {
        transient: { actionId: 'spl-tender', accountId: 'spl-cat', units: '40' },
      }),
    ]);
    const before = await supply(CLASS);
    await pastClose({ closeAt: closesAt });
    const done = await runToDone('spl-tender');
    // 120 tendered for 60: each tender exactly halved, whichever comes first in the index.
    expect(done).to.include({ unitsTendered: '120', unitsBought: '60' });
    expect(await holdings()).to.deep.equal({ ann: 160n, ben: 100n, cat: 40n, issuer: 400n });
    expect(await balance('spl-ann', MYR)).to.equal(100000n + 400n);
    expect(await balance('spl-cat', MYR)).to.equal(100000n + 200n);
    expect(await balance('spl-issuer', MYR)).to.equal(100000n - 600n);
    expect(await supply(CLASS)).to.equal(before - 60n);
    await supply(MYR);
  });

  it('delists the class with a final redemption and keeps every record', async () => {
    await operatorA.submit('CorporateActions:AnnounceDelisting', {
      args: [
        JSON.stringify({
          actionId: 'spl-delist',
          classId: CLASS,
          redemption: { tokenId: MYR, price: '5' },
          reason: 'going private',
        }),
      ],
    });
    const done = await runToDone('spl-delist');
    expect(done.accountsSkipped).to.equal(0);
    expect(await holdings()).to.deep.equal({ ann: 0n, ben: 0n, cat: 0n, issuer: 0n });
    expect(await balance('spl-ann', MYR)).to.equal(100400n + 160n * 5n);
    expect(await balance('spl-ben', MYR)).to.equal(100n * 5n);
    expect(await balance('spl-cat', MYR)).to.equal(100200n + 40n * 5n);
    expect(await balance('spl-issuer', MYR)).to.equal(99400n - 300n * 5n);
    expect(await supply(CLASS)).to.equal(0n);
    await supply(MYR);
    const refused = await operatorA
      .submit('Market:PlaceOrder', {
        transient: { accountId: 'spl-ann', classId: CLASS, tokenId: MYR, side: 'BUY', price: '5', quantity: '1' },
      })
      .then(
        () => 'placed',
        (e: Error) => e.message,
      );
    expect(refused).to.match(/INSTRUMENT_HALTED/);
    const kept = await operatorB.evaluate<CorporateAction[]>('CorporateActions:ListForClass', { args: [CLASS] });
    expect(kept.map((a) => `${a.id}:${a.phase}`).sort()).to.deep.equal([
      'spl-delist:DONE',
      'spl-split:DONE',
      'spl-tender:DONE',
    ]);
  });
});
