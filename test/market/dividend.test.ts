import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { ClassDocument, Distribution, DocumentVerification } from '@ecf/common';
import { blocksSeenBy } from '../support/adversary';
import type { Client } from '../support/client';
import { until } from '../support/eventually';
import { nowSeconds, offeringDocumentBody, offeringFile, sleep } from '../support/fixtures';
import { sharedMarket, SHARED_MONEY, type SharedMarket } from '../support/shared-network';
import { balanceOf, consistentSupply, marketClients, setUpClass } from '../support/market-steps';

const MYR = SHARED_MONEY;
const CLASS = 'div-CLS';
const salt = 'ZGl2aWRlbmQtdGVzdC1zYWx0LTE=';
/** Holdings chosen so that their amounts cannot be mistaken for anything else in a block. */
const ANN_UNITS = '314';
const CAT_UNITS = '271';

describe('documents and a dividend across both operators on the real network', function () {
  this.timeout(600_000);
  let market: SharedMarket;
  let regulator: Client;
  let trustee: Client;
  let operatorA: Client;
  let operatorB: Client;

  const balance = async (accountId: string, assetId: string) => BigInt(await balanceOf(regulator, accountId, assetId));
  const consistent = async () => {
    for (const assetId of [MYR, CLASS]) await consistentSupply(regulator, assetId);
  };

  before(async () => {
    market = await sharedMarket();
    const clients = marketClients(market.pool);
    ({ regulator, trustee, operatorA, operatorB } = clients);
    // The class comes with its offering document, attested by the trustee.
    await setUpClass(clients, {
      classId: CLASS,
      issuer: 'div-iss',
      investors: [
        { accountId: 'div-ann', operator: 'operatorA' },
        { accountId: 'div-ben', operator: 'operatorA' },
        { accountId: 'div-cat', operator: 'operatorB' },
      ],
      salt,
      units: { 'div-ann': ANN_UNITS, 'div-cat': CAT_UNITS },
      deposits: { 'div-iss': '100000' },
      tokenId: MYR,
    });
  });

  it('replaces an offering document, keeps the old one in the history, and verifies files on a competitor’s peer', async () => {
    const first = offeringDocumentBody(CLASS);
    const v2File = Buffer.from(`offering document of ${CLASS}, second edition`);
    const v2 = await operatorA.submit<ClassDocument>('Documents:Attach', {
      args: [
        JSON.stringify({
          ...first,
          classId: CLASS,
          documentId: 'div-offering-v2',
          sha256: createHash('sha256').update(v2File).digest('hex'),
          replaces: first.documentId,
        }),
      ],
    });
    expect(v2.attestations.map((a) => a.role)).to.deep.equal(['operator']);
    await regulator.submit('Documents:Attest', {
      args: [JSON.stringify({ classId: CLASS, documentId: 'div-offering-v2' })],
    });
    const history = await until(
      () => operatorB.evaluate<ClassDocument[]>('Documents:List', { args: [JSON.stringify({ classId: CLASS })] }),
      (docs) => docs.some((d) => d.attestations.length === 2),
      'the acknowledgement on OperatorB’s peer',
    );
    expect(history.map((d) => [d.documentId, d.status])).to.deep.equal([
      [first.documentId, 'REPLACED'],
      ['div-offering-v2', 'CURRENT'],
    ]);
    const verify = (documentId: string, file: Buffer) =>
      operatorB.evaluate<DocumentVerification>('Documents:Verify', {
        args: [JSON.stringify({ classId: CLASS, documentId, contentBase64: file.toString('base64') })],
      });
    expect(await verify('div-offering-v2', v2File)).to.include({ matches: true, status: 'CURRENT' });
    expect(await verify(first.documentId, offeringFile(CLASS))).to.include({ matches: true, status: 'REPLACED' });
    expect((await verify('div-offering-v2', offeringFile(CLASS))).matches).to.equal(false);
  });

  it('pays the holders at the record time across both operators; a transfer after it changes nobody’s payment', async () => {
    const recordAt = nowSeconds() + 6;
    const declared = await operatorA.submit<Distribution>('Distributions:Declare', {
      args: [
        JSON.stringify({
          distributionId: 'div-2026',
          classId: CLASS,
          tokenId: MYR,
          amountPerUnit: '2.5',
          declaredUnits: '1000',
          recordAt,
          payAt: recordAt,
        }),
      ],
    });
    expect(declared).to.include({ status: 'DECLARED', escrowed: '2500' });
    expect(await balance('div-iss', MYR)).to.equal(100000n - 2500n);
    await consistent();
    // Transaction times are this machine's clock: wait until it is past the record time.
    await sleep(Math.max(0, (recordAt + 1 - nowSeconds()) * 1000));
    // After the record time: Ann sells 100 units to Ben, and Cat sends 71 to Ann across operators.
    await operatorA.submit('Transfers:Transfer', {
      transient: { from: 'div-ann', to: 'div-ben', assetId: CLASS, amount: '100' },
    });
    const instructionId = await operatorB.submit<string>('Transfers:Instruct', {
      transient: { from: 'div-cat', to: 'div-ann', assetId: CLASS, amount: '71' },
    });
    await trustee.submit('Transfers:Settle', {
      args: [JSON.stringify({ instructionId, fromOperatorMspId: 'OperatorBMSP' })],
    });
    await consistent();
    let batches = 0;
    const started = Date.now();
    let d: Distribution = declared;
    while (d.status !== 'PAID') {
      d = await trustee.submit<Distribution>('Distributions:Pay', {
        args: [JSON.stringify({ distributionId: 'div-2026', max: 2 })],
      });
      batches += 1;
      if (batches > 100) throw new Error('the distribution did not finish');
    }
    // At least two batches, and each operator's customers paid: resumed from the public cursor.
    expect(batches).to.be.greaterThan(1);
    console.log(
      `      paid in ${batches} batches of 2 over ${d.accountsWalked} accounts in ${Date.now() - started} ms`,
    );
    // 314 × 2.5 = 785 and 271 × 2.5 = 677.5, rounded down: the issuer gets 2500 − 1462 back, in the last
    // batch, which the regulator's peer may commit a moment after the trustee's.
    await until(
      () => balance('div-iss', MYR),
      (b) => b === 100000n - 1462n,
      'the residual back with the issuer',
    );
    expect(await balance('div-ann', MYR)).to.equal(785n);
    expect(await balance('div-ben', MYR)).to.equal(0n);
    expect(await balance('div-cat', MYR)).to.equal(677n);
    await consistent();

    // OperatorB's peer holds every block: the declaration and the payments show no holder's units or amount.
    const seen = (await blocksSeenBy(market.net.layout, market.net.org('OperatorB'), 'market')).filter(
      (t) => t.valid && t.fn.startsWith('Distributions:'),
    );
    expect(seen.map((t) => t.fn)).to.include.members(['Distributions:Declare', 'Distributions:Pay']);
    for (const t of seen) {
      const text = JSON.stringify({ args: t.args, event: t.event, writes: t.publicWrites, response: t.response });
      for (const secret of [ANN_UNITS, CAT_UNITS, '785', '677', '1462', '1038'])
        expect(text, `${t.fn} shows ${secret}`).not.to.match(new RegExp(`\\b${secret}\\b`));
    }
  });
});
