import { expect } from 'chai';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { connectTo, type Layout, type Org } from '@ecf/network';
import { beneficialOwnerHash } from '@ecf/common';
import { readFileSync } from 'node:fs';
import { Client, createShareClass } from '../support/client';
import type { TestNetwork } from '../support/network';
import { sharedMarket } from '../support/shared-network';
import { blocksSeenBy, filesContaining, privateWritesSeenBy, sha256, type SeenTx } from '../support/adversary';
import { campaignTerms } from '../support/fixtures';
import { createMoneyToken, onboardAccount } from '../support/market-steps';
import { until } from '../support/eventually';
import { gatewayCli } from '../support/http';

/**
 * Decision 49 from OperatorA's seat, written by an adversarial reviewer from the docs alone: one person P
 * holds an account at OperatorA and one at OperatorB (same national id, written differently); OperatorA,
 * with everything its org has (admin, gateway identity, its peer's blocks, private data and disk, queries
 * signed by its identities on any peer), tries to learn that P invests at B, which B account is P's, and
 * any figure of P at B. Each test pins one sentence of decision 49 in both directions: what A cannot learn
 * (no shared key or value hash, no read version, no figure, no answer to its queries), and what the docs say
 * it can: which B investments the caps refused (passively), its own customer's usage elsewhere by probing
 * the headroom in the customer's name, and the customer's B account by holding the customer at the cap.
 */

const CAP = '60000';
const SALT = Buffer.from('lad-salt-0123456789abcdef').toString('base64');
const NID = 'NID-P-8812';
const DOB = '1985-05-05';
const ALL_ORGS = ['RegulatorMSP', 'TrusteeMSP', 'OperatorAMSP', 'OperatorBMSP'];

interface Check {
  status: string;
  code?: string;
  message?: string;
}

interface VersionedTx {
  txId: string;
  block: number;
  txNum: number;
  publicReads: Array<{ key: string; version?: string }>;
  hashedReads: Array<{ collection: string; keyHash: string; version?: string }>;
}

describe('decision 49 from OperatorA: an adversary with OperatorA org artifacts', function () {
  this.timeout(1_800_000);
  let net: TestNetwork;
  let regulator: Client;
  let trustee: Client;
  let opA: Client;
  let opB: Client;
  let adminA: Client;
  let gatewayA: Client;
  let token = '';
  const classId = 'lad-class';
  const campaignId = 'lad-camp';
  const issuer = 'lad-issuer';
  const pA = 'lad-p-at-a';
  const pB = 'lad-p-at-b';
  const qB = 'lad-q-at-b';
  // Ground truth, kept apart from what the adversary computes.
  const truth = {
    pBPledgeWithin: '',
    pBPledgeOver: '',
    pBBuy: '',
    qBPledge: '',
    pBUsage: 0n,
    pBLate: '',
    pBLateBuy: '',
    pAPledge: '',
  };
  // What the headroom probe below found, used by the linking attack after it.
  let estimatedElsewhere: bigint | undefined;
  const clients: Client[] = [];
  const open = (org: string, identity = 'gateway'): Client => {
    const c = new Client(net.layout, net.org(org), identity, ALL_ORGS);
    clients.push(c);
    return c;
  };

  const sealKeyHash = async (): Promise<string> => {
    const seen = await blocksSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin');
    const mine = await privateWritesSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin');
    const sealTx = seen.filter((t) => t.fn === 'Privacy:Seal').map((t) => t.txId);
    const w = mine.find((x) => x.collection === 'pdcOperatorA' && sealTx.includes(x.txId));
    return sha256(w?.key ?? 'seal');
  };
  const check = (operator: Client, accountId: string, investmentId: string): Promise<Check> =>
    operator.evaluate<Check>('Limits:GetCheck', { transient: { accountId, investmentId } });
  const decided = (operator: Client, accountId: string, investmentId: string): Promise<Check> =>
    until(
      () => check(operator, accountId, investmentId),
      (c) => c.status !== 'PENDING',
      `decision on ${investmentId}`,
      60_000,
    );
  const pledge = async (operator: Client, accountId: string, amount: string): Promise<string> =>
    idOf(await operator.submit('Campaigns:Pledge', { transient: { campaignId, accountId, amount } }));
  const idOf = (r: unknown): string =>
    typeof r === 'string'
      ? r
      : String((r as Record<string, unknown>).pledgeId ?? (r as Record<string, unknown>).orderId ?? JSON.stringify(r));

  before(async () => {
    net = (await sharedMarket()).net;
    regulator = open('Regulator');
    trustee = open('Trustee');
    opA = open('OperatorA');
    opB = open('OperatorB');
    adminA = open('OperatorA', 'admin');
    gatewayA = opA;
    // A token of its own: the caps set here bind no other suite's pledges on the shared network.
    token = await createMoneyToken(trustee, 'SGD');
    await regulator.submit('Limits:SetPolicy', {
      args: [
        JSON.stringify({ tokenId: token, totalPerYear: CAP, perIssuerPerYear: CAP, reason: 'retail investor caps' }),
      ],
    });
    await onboardAccount(opA, issuer, 'issuer', SALT, { investorClass: 'sophisticated' });
    await onboardAccount(opA, pA, 'investor', SALT, { nationalId: NID, dateOfBirth: DOB });
    // Same person at B, national id written differently (case, spaces).
    await onboardAccount(opB, pB, 'investor', SALT, { nationalId: ` ${NID.toLowerCase()} `, dateOfBirth: DOB });
    await onboardAccount(opB, qB, 'investor', SALT, { nationalId: 'NID-Q-4411', dateOfBirth: '1990-02-02' });
    await createShareClass(trustee, classId, issuer);
    const terms = campaignTerms({ campaignId, classId, tokenId: token }, 3600, { maxUnits: '1000' });
    await opA.submit('Campaigns:Propose', { args: [JSON.stringify(terms)] });
    await opA.submit('Campaigns:Approve', { args: [JSON.stringify({ campaignId })] });
    await trustee.submit('Campaigns:Fund', { args: [JSON.stringify({ campaignId })] });
    await trustee.submit('Money:DepositBatch', {
      transient: {
        tokenId: token,
        deposits: [pA, pB, qB].map((accountId) => ({ accountId, amount: '500000', bankReference: `DEP-${accountId}` })),
      },
    });
    // The trustee's keeper runs in its service process.
    await gatewayCli(net, 'up', '--org', 'Trustee');

    // The honest world: P at B within the cap, P at A, P at B over the cap, Q at B, P's capped buy at B.
    truth.pBPledgeWithin = await pledge(opB, pB, '23700');
    expect((await decided(opB, pB, truth.pBPledgeWithin)).status).to.equal('CONFIRMED');
    truth.pAPledge = await pledge(opA, pA, '20000');
    expect((await decided(opA, pA, truth.pAPledge)).status).to.equal('CONFIRMED');
    truth.pBPledgeOver = await pledge(opB, pB, '30000');
    const over = await decided(opB, pB, truth.pBPledgeOver);
    expect(over.status).to.equal('REFUSED');
    console.log('      B over-cap refusal as B sees it:', JSON.stringify(over));
    truth.qBPledge = await pledge(opB, qB, '11300');
    expect((await decided(opB, qB, truth.qBPledge)).status).to.equal('CONFIRMED');
    truth.pBBuy = idOf(
      await opB.submit('Market:PlaceOrder', {
        transient: { accountId: pB, classId, tokenId: token, side: 'BUY', price: '100', quantity: '10' },
      }),
    );
    expect((await decided(opB, pB, truth.pBBuy)).status).to.equal('CONFIRMED');
    truth.pBUsage = 23700n + 1000n;
  });

  after(async () => {
    for (const c of clients.splice(0)) c.close();
    await gatewayCli(net, 'down', '--org', 'Trustee').catch(() => undefined);
  });

  it('queries signed by OperatorA identities, on every peer, answer nothing about P at B', async () => {
    const answers: string[] = [];
    for (const who of [adminA, gatewayA]) {
      for (const on of ALL_ORGS) {
        const tries: Array<[string, { args?: string[]; transient?: unknown }]> = [
          ['Limits:GetUsage', { args: [JSON.stringify({ accountId: pB, tokenId: token })] }],
          ['Limits:GetUsage', { args: [JSON.stringify({ accountId: pA, tokenId: token, issuerAccountId: issuer })] }],
          ['Limits:Review', { args: [JSON.stringify({})] }],
          ['Limits:GetCheck', { transient: { accountId: pB, investmentId: truth.pBPledgeWithin } }],
          ['Limits:GetCheck', { transient: { accountId: pB, investmentId: truth.pBPledgeOver } }],
          ['Limits:GetCheck', { transient: { accountId: pA, investmentId: truth.pBPledgeOver } }],
          ['Campaigns:ListPledges', { transient: { campaignId, accountId: pB } }],
          ['Accounts:GetPersonalData', { args: [pB] }],
        ];
        for (const [fn, opts] of tries) {
          const r = await who.evaluate(fn, { ...opts, on: [on] }).then(
            (v) => `ANSWERED ${JSON.stringify(v)}`,
            (e: Error) => `refused ${e.message.slice(0, 160)}`,
          );
          answers.push(`${who === adminA ? 'admin' : 'gateway'} ${fn} on ${on}: ${r}`);
        }
      }
    }
    for (const a of answers) console.log('     ', a);
    expect(answers.filter((a) => a.includes('ANSWERED'))).to.deep.equal([]);
  });

  it('no key hash, value hash or read version links P at A to P at B in the blocks on A', async () => {
    const seen = await blocksSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin');
    const pubReadsAccount = (t: SeenTx, acc: string) => t.publicReads.some((k) => k.includes(acc));
    const aSide = seen.filter((t) => t.valid && (pubReadsAccount(t, pA) || touches(t, 'pdcOperatorA')) && isLimits(t));
    const bSide = seen.filter((t) => t.valid && (pubReadsAccount(t, pB) || touches(t, 'pdcOperatorB')) && isLimits(t));
    const keys = (txs: SeenTx[], coll: string) =>
      new Set(
        txs.flatMap((t) =>
          t.hashed
            .filter((h) => h.collection === coll)
            .flatMap((h) => [...h.readKeyHashes, ...h.writes.map((w) => w.keyHash)]),
        ),
      );
    const sealHash = await sealKeyHash();
    const aKeys = keys(aSide, 'pdcOperatorA');
    const bKeys = keys(bSide, 'pdcOperatorB');
    const sharedKeys = [...aKeys].filter((k) => bKeys.has(k) && k !== sealHash);
    const vals = (txs: SeenTx[]) =>
      new Set(
        txs.flatMap((t) =>
          t.hashed.flatMap((h) => h.writes.filter((w) => !w.deleted && w.valueHash).map((w) => w.valueHash)),
        ),
      );
    const bVals = vals(bSide);
    const sharedVals = [...vals(aSide)].filter((v) => bVals.has(v));
    console.log(
      `      A-side txs ${aSide.length}, B-side txs ${bSide.length}; shared key hashes ${sharedKeys.length}, value hashes ${sharedVals.length}`,
    );
    for (const t of seen.filter((x) => x.fn.startsWith('Limits:Decide')))
      console.log(
        `      Decide block ${t.block} ${t.hashed.map((h) => `${h.collection}:r${h.readKeyHashes.length}w${h.writes.length}`).join(' ')} pubW ${t.publicWrites.length} answer ${t.response.payload}`,
      );
    expect(sharedKeys).to.deep.equal([]);
    expect(sharedVals).to.deep.equal([]);
    // Every tx touching pdcOperatorB: no OperatorA endorser, never both operator collections at once.
    for (const t of seen.filter((x) => touches(x, 'pdcOperatorB') && isLimits(x))) {
      expect(t.endorsers, `${t.fn} ${t.txId}`).to.not.include('OperatorAMSP');
      expect(touches(t, 'pdcOperatorA') && touches(t, 'pdcOperatorB'), `${t.fn} touches both`).to.equal(false);
      expect(touches(t, 'investorLimits'), `${t.fn} touches investorLimits`).to.equal(false);
    }
    // Read versions: does a B-side transaction read anything that an A-side transaction of P wrote?
    const versions = await versionedSeenBy(net.layout, net.org('OperatorA'), 'market');
    const aPos = new Set(
      aSide
        .filter((t) => t.publicReads.some((k) => k.includes(pA)) || t.fn.startsWith('Limits:Decide'))
        .map((t) => t.txId),
    );
    const posOf = new Map(versions.map((v) => [`${v.block}:${v.txNum}`, v.txId]));
    const links: string[] = [];
    for (const t of bSide) {
      const v = versions.find((x) => x.txId === t.txId);
      for (const r of [...(v?.publicReads ?? []), ...(v?.hashedReads ?? [])]) {
        const writer = r.version ? posOf.get(r.version) : undefined;
        if (writer && aPos.has(writer))
          links.push(`${t.fn} ${t.txId} read ${JSON.stringify(r)} written by A-side ${writer}`);
      }
    }
    for (const l of links) console.log('      version link:', l);
    expect(links).to.deep.equal([]);
  });

  it('the two operator collections are sealed apart: one logical key in both has unrelated hashes', async () => {
    // A deposit batch writes one supply record per collection under the same logical key (asset, txId), so
    // with one shared secret A could recompute B-side key hashes from its own sealed keys.
    const seen = await blocksSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin');
    const mine = await privateWritesSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin');
    const batch = seen.find((t) => t.fn === 'Money:DepositBatch' && t.valid);
    expect(batch, 'the deposit batch on A').to.not.equal(undefined);
    const hashesIn = (coll: string) =>
      new Set(batch!.hashed.filter((h) => h.collection === coll).flatMap((h) => h.writes.map((w) => w.keyHash)));
    const aPlain = mine.filter((w) => w.txId === batch!.txId && w.collection === 'pdcOperatorA').map((w) => w.key);
    const aHashes = hashesIn('pdcOperatorA');
    const bHashes = hashesIn('pdcOperatorB');
    console.log(`      batch writes: A ${aHashes.size} keys (${aPlain.length} plain on A), B ${bHashes.size} keys`);
    // Self-check: A's plain keys are what its hashes are of.
    expect(aPlain.map((k) => sha256(k)).every((h) => aHashes.has(h))).to.equal(true);
    expect(aPlain.length).to.be.greaterThan(0);
    expect(aPlain.map((k) => sha256(k)).filter((h) => bHashes.has(h))).to.deep.equal([]);
  });

  it("OperatorA's peer disk and blocks hold no figure, person or owner hash of P at B", async () => {
    const owner = beneficialOwnerHash({ nationalId: NID, dateOfBirth: DOB });
    const peerA = net.org('OperatorA').peers[0]!;
    // P's national id and owner hash are A's own data (its personal record and its claim); only B-side
    // data counts: B's spelling of the id, B's amounts, B's account's personal record.
    const found = filesContaining(net.layout.nodeData(peerA.id), [
      owner,
      NID,
      ` ${NID.toLowerCase()} `,
      '"23700"',
      '"30000"',
      '"11300"',
    ]);
    for (const f of found) console.log('      on disk:', f.needle, f.file);
    expect(found.filter((f) => f.needle !== NID && f.needle !== owner)).to.deep.equal([]);
    const log = readFileSync(net.layout.logFile(peerA.id), 'latin1');
    for (const needle of [owner, NID.toLowerCase(), '23700', pB])
      if (log.includes(needle)) console.log('      in A peer log:', needle);
    expect([owner, '23700'].filter((n) => log.includes(n))).to.deep.equal([]);
    const seen = await blocksSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin');
    const publicText = seen
      .filter((t) => touches(t, 'pdcOperatorB'))
      .map((t) => JSON.stringify([t.args, t.event, t.response, t.publicWrites]))
      .join('\n');
    for (const needle of ['23700', '30000', '24700', owner, NID.toLowerCase(), 'LIMIT_EXCEEDED']) {
      expect(publicText.includes(needle), `B-side public parts name ${needle}`).to.equal(false);
    }
  });

  it('OperatorA sees which B investments the caps refused, and whose, but nothing more (decision 49, passively)', async () => {
    const seen = await blocksSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin');
    // P's pledge over the cap at B: its refusal is public by its shape, and its pledge named the account.
    // (Other suites on the shared network have refusals of their own: only this suite's accounts count.)
    expect(refusedAccountsAtB(seen).filter((a) => a.startsWith('lad-'))).to.deep.equal([pB]);
  });

  it("OperatorA computes its own customer's usage at other operators by probing the headroom in its name (decision 49, actively)", async () => {
    // A pledges in its customer's name (the operator may) and withdraws what was confirmed.
    let lo = 0n; // headroom >= lo
    let hi = BigInt(CAP) - 20000n; // headroom <= hi (A knows its own 20000)
    const probe = async (amount: bigint): Promise<boolean> => {
      const id = await pledge(opA, pA, amount.toString());
      const c = await decided(opA, pA, id);
      if (c.status === 'REFUSED') {
        console.log(`      probe ${amount}: REFUSED ${c.code} "${c.message}"`);
        for (const n of ['24700', '23700', (BigInt(CAP) - 20000n - truth.pBUsage).toString(), '44700'])
          expect(c.message ?? '', 'refusal message names a figure').to.not.include(n);
        return false;
      }
      await opA.submit('Campaigns:WithdrawPledge', { transient: { campaignId, accountId: pA, pledgeId: id } });
      console.log(`      probe ${amount}: ${c.status}`);
      return true;
    };
    const started = Date.now();
    while (hi > lo) {
      const mid = lo + ((hi - lo) / 200n + 1n) * 100n;
      if (await probe(mid)) lo = mid;
      else hi = mid - 100n;
    }
    const usageElsewhere = BigInt(CAP) - 20000n - lo;
    estimatedElsewhere = usageElsewhere;
    console.log(
      `      A's estimate of P's usage at other operators: ${usageElsewhere} (true: ${truth.pBUsage}), ${Math.round((Date.now() - started) / 1000)} s`,
    );
    // The documented residual, to the price step: what the regulator's LIMIT_PROBING alert is for.
    expect(usageElsewhere, "A computed P's exact usage at B").to.equal(truth.pBUsage);
  });

  it("OperatorA singles out P's B account by holding P at the cap and watching B's refusals (decision 49, actively)", async () => {
    const before = (await blocksSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin')).length;
    // Fill P's headroom exactly (found as in the probe above: cap - own - usage elsewhere).
    const fill = BigInt(CAP) - 20000n - (estimatedElsewhere ?? truth.pBUsage);
    const id = await pledge(opA, pA, fill.toString());
    expect((await decided(opA, pA, id)).status).to.equal('CONFIRMED');
    // The world goes on at B: Q pledges, P pledges a little and places a small buy.
    const q2 = await pledge(opB, qB, '5000');
    truth.pBLate = await pledge(opB, pB, '100');
    truth.pBLateBuy = idOf(
      await opB.submit('Market:PlaceOrder', {
        transient: { accountId: pB, classId, tokenId: token, side: 'BUY', price: '100', quantity: '1' },
      }),
    );
    await decided(opB, qB, q2);
    await decided(opB, pB, truth.pBLate);
    await decided(opB, pB, truth.pBLateBuy);
    const seen = (await blocksSeenBy(net.layout, net.org('OperatorA'), 'market', 'admin')).slice(before);
    const refused = refusedAccountsAtB(seen);
    const cancelled = seen
      .filter(
        (t) =>
          t.fn.startsWith('Limits:Decide') &&
          t.publicWrites.some((w) => w.key.includes('order') && w.value.includes('CANCELLED')),
      )
      .map((t) => t.txId);
    console.log(
      '      after filling P, B accounts A sees refused:',
      JSON.stringify(refused),
      'orders cancelled by Decide:',
      cancelled.length,
    );
    expect(refused, "B accounts refused while A held P at the cap (P's B account singled out)").to.deep.equal([pB]);
  });
});

const touches = (t: SeenTx, coll: string): boolean => t.hashed.some((h) => h.collection === coll);
const isLimits = (t: SeenTx): boolean =>
  /Campaigns:Pledge|Campaigns:WithdrawPledge|Market:PlaceOrder|Market:CancelOrder|Limits:/.test(t.fn);

/** From public parts only: the B accounts whose capped pledge or buy a Limits:Decide cancelled or refunded. */
function refusedAccountsAtB(seen: readonly SeenTx[]): string[] {
  const accountOfInvestment = new Map<string, string>();
  for (const t of seen.filter((x) => x.fn === 'Campaigns:Pledge' || x.fn === 'Market:PlaceOrder')) {
    const acc = t.publicReads
      .find((k) => k.includes('account'))
      ?.split('\u0000')
      .filter(Boolean)
      .pop();
    for (const w of t.publicWrites) {
      const parts = w.key.split('\u0000').filter(Boolean);
      if (acc) accountOfInvestment.set(parts[parts.length - 1] ?? '', acc);
    }
    accountOfInvestment.set(t.response.payload.replace(/"/g, ''), acc ?? '?');
  }
  const out = new Set<string>();
  for (const t of seen.filter((x) => x.fn.startsWith('Limits:Decide') && touches(x, 'pdcOperatorB'))) {
    for (const w of t.publicWrites) {
      const refusedPledge = w.deleted && w.key.includes('pledgeref');
      const cancelledOrder = !w.deleted && w.value.includes('CANCELLED');
      if (!refusedPledge && !cancelledOrder) continue;
      const parts = w.key.split('\u0000').filter(Boolean);
      const acc = accountOfInvestment.get(parts[parts.length - 1] ?? '');
      if (acc) out.add(acc);
    }
  }
  return [...out].sort();
}

/** Each transaction's reads with the (block:txNum) version that wrote what it read, as A's peer delivers it. */
async function versionedSeenBy(layout: Layout, org: Org, channel: string): Promise<VersionedTx[]> {
  const conn = connectTo(layout, org, org.peers[0]!, 'admin');
  const out: VersionedTx[] = [];
  try {
    const network = conn.gateway.getNetwork(channel);
    const info = common.BlockchainInfo.deserializeBinary(
      await network.getContract('qscc').evaluateTransaction('GetChainInfo', channel),
    );
    const height = BigInt(info.getHeight());
    const events = await network.getBlockEvents({ startBlock: 0n });
    try {
      for await (const block of events) {
        const n = Number(block.getHeader()?.getNumber() ?? 0);
        (block.getData()?.getDataList_asU8() ?? []).forEach((bytes, txNum) => {
          const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
          const ch = common.ChannelHeader.deserializeBinary(
            payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
          );
          if (ch.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return;
          const action = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()[0];
          if (!action) return;
          const ap = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
          const cc = peer.ChaincodeAction.deserializeBinary(
            peer.ProposalResponsePayload.deserializeBinary(
              ap.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array(),
            ).getExtension_asU8(),
          );
          const v: VersionedTx = { txId: ch.getTxId(), block: n, txNum, publicReads: [], hashedReads: [] };
          const rw = ledger.rwset.TxReadWriteSet.deserializeBinary(cc.getResults_asU8());
          for (const ns of rw.getNsRwsetList()) {
            const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
            for (const r of kv.getReadsList()) {
              const ver = r.getVersion();
              v.publicReads.push({
                key: r.getKey(),
                ...(ver ? { version: `${ver.getBlockNum()}:${ver.getTxNum()}` } : {}),
              });
            }
            for (const c of ns.getCollectionHashedRwsetList()) {
              const h = ledger.rwset.kvrwset.HashedRWSet.deserializeBinary(c.getHashedRwset_asU8());
              for (const r of h.getHashedReadsList()) {
                const ver = r.getVersion();
                v.hashedReads.push({
                  collection: c.getCollectionName(),
                  keyHash: Buffer.from(r.getKeyHash_asU8()).toString('hex'),
                  ...(ver ? { version: `${ver.getBlockNum()}:${ver.getTxNum()}` } : {}),
                });
              }
            }
          }
          out.push(v);
        });
        if (BigInt(n) + 1n >= height) break;
      }
    } finally {
      events.close();
    }
  } finally {
    conn.close();
  }
  return out;
}
