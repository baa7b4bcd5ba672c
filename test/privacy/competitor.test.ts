import { expect } from 'chai';
import { KeyType } from '@ecf/common';
import { admitDefaultConsortium, Client, ClientPool, createInstruments } from '../support/client';
import {
  blocksSeenBy,
  compositeKey,
  enumerateAmounts,
  filesContaining,
  privateWritesSeenBy,
  sha256,
  type SeenTx,
} from '../support/adversary';
import { campaignTerms, kyc, nowSeconds } from '../support/fixtures';
import { TestNetwork } from '../support/network';

const MYR = 'TrusteeMSP.MYR';
const CLASS = 'ACME-ORD';
const reason = 'licensed for equity crowdfunding';

/** Amounts that only OperatorA's customers and their custodian know; all below 10^7, so enumerable. */
const A_ONLY = {
  aliceDeposit: '7144613',
  bobDeposit: '1000003',
  transfer: '2468135',
  withdrawal: '1234573',
  aliceUnits: '4242',
  pledge: '6300',
  /** Above the review threshold below: held, then cancelled (decision 40). */
  heldWithdrawal: '1299989',
};
const REVIEW_THRESHOLD = '1250000';
/** Balances that follow from them. */
const A_BALANCES = {
  aliceMoney: String(7144613 - 2468135 - 3333331),
  bobMoney: String(1000003 + 2468135 - 1234573 - 6300 - 57 * 977),
};
const PEOPLE = ['Alice Tan Mei Ling', 'Bob Rahman bin Yusof', 'NRIC-880808-14-5551', 'NRIC-900101-10-7772'];
/** A cancellation's reason may concern the customer: it travels in transient data and stays sealed. */
const CANCEL_REASON = 'customer asked to stop it, see case 5512';

/**
 * What a competitor learns, per kind of transaction, from the public part of a block: the account ids its
 * public reads and writes name (docs/architecture.md, "What a non-member learns"). The test asserts the
 * residual is exactly this, so a change that names more fails here.
 */
const RESIDUAL_ACCOUNTS: Readonly<Record<string, readonly string[]>> = {
  'Money:Deposit': ['acc-alice|acc-bob'],
  'Money:Withdraw': ['acc-alice|acc-bob'],
  'Money:CancelWithdrawal': ['acc-alice'],
  'Transfers:Transfer': ['acc-alice', 'acc-bob'],
  'Transfers:Instruct': ['acc-alice', 'acc-carol'],
  'Transfers:Settle': ['acc-alice', 'acc-carol'],
  'Equity:Issue': ['acc-alice'],
  'Market:PlaceOrder': ['acc-alice|acc-bob'],
  'Campaigns:Pledge': ['acc-bob'],
};

describe('a competitor holding the ledger: OperatorB’s peer, blocks and disk', function () {
  this.timeout(900_000);
  const net = new TestNetwork(19_000);
  const pool = new ClientPool(net);
  let regulator: Client;
  let trustee: Client;
  let operatorA: Client;
  let operatorB: Client;
  let seen: SeenTx[];

  const onboard = (op: Client, accountId: string, type: 'investor' | 'issuer', fullName: string, nationalId: string) =>
    op.submit('Accounts:Onboard', {
      transient: {
        accountId,
        type,
        kyc: kyc(type === 'issuer' ? 'sophisticated' : 'retail'),
        personal: { fullName, nationalId, dateOfBirth: '1988-08-08' },
        salt: 'Y29tcGV0aXRvci10ZXN0LXNhbHQ=',
      },
    });

  before(async () => {
    await net.cli('up');
    regulator = pool.get('Regulator');
    trustee = pool.get('Trustee');
    operatorA = pool.get('OperatorA');
    operatorB = pool.get('OperatorB');
    await admitDefaultConsortium(regulator, reason);
    await onboard(operatorA, 'acc-alice', 'investor', PEOPLE[0] ?? '', PEOPLE[2] ?? '');
    await onboard(operatorA, 'acc-bob', 'investor', PEOPLE[1] ?? '', PEOPLE[3] ?? '');
    await onboard(operatorA, 'acc-acme', 'issuer', 'Acme Sdn Bhd', 'SSM-2020-0001');
    await onboard(operatorB, 'acc-carol', 'investor', 'Carol Lim', 'NRIC-770707-07-7007');
    await createInstruments(trustee, CLASS, 'acc-acme');
    const deposit = (accountId: string, amount: string) =>
      trustee.submit('Money:Deposit', { transient: { accountId, tokenId: MYR, amount, bankReference: `B-${amount}` } });
    await deposit('acc-alice', A_ONLY.aliceDeposit);
    await deposit('acc-bob', A_ONLY.bobDeposit);
    await operatorA.submit('Transfers:Transfer', {
      transient: { from: 'acc-alice', to: 'acc-bob', assetId: MYR, amount: A_ONLY.transfer },
    });
    await trustee.submit('Money:Withdraw', {
      transient: { accountId: 'acc-bob', tokenId: MYR, amount: A_ONLY.withdrawal, bankReference: 'W-1' },
    });
    const instructionId = await operatorA.submit<string>('Transfers:Instruct', {
      transient: { from: 'acc-alice', to: 'acc-carol', assetId: MYR, amount: '3333331' },
    });
    await trustee.submit('Transfers:Settle', {
      args: [JSON.stringify({ instructionId, fromOperatorMspId: 'OperatorAMSP' })],
    });
    // A large withdrawal held for review, then cancelled: its amount and reason stay in A's collection.
    await regulator.submit('Money:SetWithdrawalPolicy', {
      args: [JSON.stringify({ tokenId: MYR, threshold: REVIEW_THRESHOLD, reviewSeconds: 3600, reason })],
    });
    const held = await trustee.submit<{ withdrawalId: string; status: string }>('Money:Withdraw', {
      transient: { accountId: 'acc-alice', tokenId: MYR, amount: A_ONLY.heldWithdrawal, bankReference: 'W-2' },
    });
    expect(held.status).to.equal('PENDING');
    await trustee.submit('Money:CancelWithdrawal', {
      transient: { accountId: 'acc-alice', withdrawalId: held.withdrawalId, reason: CANCEL_REASON },
    });
    await trustee.submit('Equity:Issue', {
      transient: { classId: CLASS, accountId: 'acc-alice', amount: A_ONLY.aliceUnits, purpose: 'offering' },
    });
    // Orders are public by design (class, side, price, quantity); only their owners are private.
    await operatorA.submit('Market:PlaceOrder', {
      transient: { accountId: 'acc-alice', classId: CLASS, tokenId: MYR, side: 'SELL', price: '977', quantity: '111' },
    });
    await operatorA.submit('Market:PlaceOrder', {
      transient: { accountId: 'acc-bob', classId: CLASS, tokenId: MYR, side: 'BUY', price: '977', quantity: '57' },
    });
    const terms = campaignTerms({ campaignId: 'seed', classId: CLASS, tokenId: MYR }, 600, {
      openAt: nowSeconds() - 5,
    });
    await operatorA.submit('Campaigns:Propose', { args: [JSON.stringify(terms)] });
    await operatorA.submit('Campaigns:Approve', { args: [JSON.stringify({ campaignId: 'seed' })] });
    await trustee.submit('Campaigns:Fund', { args: [JSON.stringify({ campaignId: 'seed' })] });
    await operatorA.submit('Campaigns:Pledge', {
      transient: { campaignId: 'seed', accountId: 'acc-bob', amount: A_ONLY.pledge },
    });
    // The competitor's own view: every block its own peer delivers to its admin.
    seen = (await blocksSeenBy(net.layout, net.org('OperatorB'), 'market')).filter((t) => t.valid);
  });

  after(async () => {
    pool.closeAll();
    await net.destroy();
  });

  it('finds no personal data and no private amount of OperatorA in its blocks or anywhere on its peer’s disk', async () => {
    // The scenario did commit, and through OperatorB's peer: the blocks are there.
    expect(seen.map((t) => t.fn)).to.include.members(Object.keys(RESIDUAL_ACCOUNTS));
    const needles = [
      ...PEOPLE,
      CANCEL_REASON,
      ...Object.values(A_ONLY).filter((a) => a.length >= 6),
      ...Object.values(A_BALANCES),
    ];
    const blockText = JSON.stringify(seen);
    for (const needle of needles) expect(blockText, `blocks contain ${needle}`).not.to.contain(needle);
    const peerB = net.org('OperatorB').peers[0];
    if (!peerB) throw new Error('OperatorB has no peer');
    expect(filesContaining(net.layout.nodeData(peerB.id), needles)).to.deep.equal([]);
    // The same search finds them on a member's disk: the search itself works.
    const peerA = net.org('OperatorA').peers[0];
    if (!peerA) throw new Error('OperatorA has no peer');
    const onA = filesContaining(net.layout.nodeData(peerA.id), [PEOPLE[2] ?? '']);
    expect(onA.length, 'a member peer stores the personal data').to.be.greaterThan(0);
  });

  it('cannot recompute any private key hash of OperatorA’s collection from the public ids', async () => {
    const truth = await privateWritesSeenBy(net.layout, net.org('Regulator'), 'market');
    const inA = truth.filter((w) => w.collection === 'pdcOperatorA');
    const seenHashes = new Set(
      seen.flatMap((t) =>
        t.hashed
          .filter((h) => h.collection === 'pdcOperatorA')
          .flatMap((h) => [...h.readKeyHashes, ...h.writes.map((w) => w.keyHash)]),
      ),
    );
    // Sanity: the competitor does store the hash of every key OperatorA's collection wrote.
    for (const w of inA) expect(seenHashes.has(sha256(w.key)), 'B stores the key hash').to.equal(true);

    // Every id the public ledger shows: account, asset, order, campaign and pledge ids, transaction ids,
    // years and movement sequence numbers. Every readable key of every private record type, with every
    // combination of these ids, is hashed and looked for.
    const universe = new Set<string>([
      '2026',
      '2027',
      ...Array.from({ length: 10 }, (_, i) => String(i).padStart(3, '0')),
    ]);
    for (const t of seen) {
      universe.add(t.txId);
      for (const w of t.publicWrites) for (const a of w.key.split('\u0000').slice(2)) if (a) universe.add(a);
      for (const k of t.publicReads) for (const a of k.split('\u0000').slice(2)) if (a) universe.add(a);
    }
    const ids = [...universe];
    const shapes = new Map<string, number>();
    for (const w of inA) {
      const parts = w.key.split('\u0000').slice(1, -1);
      // The seal's own key is fixed and public: its hash says only that the collection was used, which the
      // collection name in the block says anyway. Its value is 256 random bits.
      if (parts[0] === 'seal') continue;
      const [type = '', , ...blinded] = parts; // type, epoch mark, blinded ids
      shapes.set(`${type}`, Math.max(shapes.get(type) ?? 0, blinded.length));
    }
    expect([...shapes.keys()]).to.include.members([
      KeyType.BALANCE,
      KeyType.MOVEMENT,
      KeyType.PERSONAL,
      KeyType.SUPPLY,
    ]);
    let tried = 0;
    const matched: string[] = [];
    const walk = (type: string, prefix: string[], left: number): void => {
      if (left === 0) {
        tried += 1;
        if (seenHashes.has(sha256(compositeKey(type, prefix)))) matched.push(`${type}/${prefix.join('/')}`);
        return;
      }
      for (const id of ids) walk(type, [...prefix, id], left - 1);
    };
    for (const [type, arity] of shapes) walk(type, [], arity);
    // Control: the same search finds a readable key when one is in the set.
    const control = compositeKey(KeyType.BALANCE, [MYR, 'acc-alice']);
    expect(ids).to.include.members([MYR, 'acc-alice']);
    expect(seenHashes.has(sha256(control))).to.equal(false);
    expect(matched).to.deep.equal([]);
    console.log(`      ${tried} readable keys tried over ${ids.length} public ids: none matched`);
  });

  it('cannot confirm any private value of OperatorA, even knowing every field but the salt', async () => {
    const truth = (await privateWritesSeenBy(net.layout, net.org('Regulator'), 'market')).filter(
      (w) => w.collection === 'pdcOperatorA' && !w.deleted,
    );
    const valueHashes = new Set(
      seen.flatMap((t) =>
        t.hashed.filter((h) => h.collection === 'pdcOperatorA').flatMap((h) => h.writes.map((w) => w.valueHash)),
      ),
    );
    const canonical = (v: unknown): string => JSON.stringify(sortKeys(v));
    for (const w of truth) {
      expect(valueHashes.has(sha256(w.value)), 'B stores the value hash').to.equal(true);
      const record = JSON.parse(Buffer.from(w.value).toString()) as Record<string, unknown>;
      if (w.key.includes('\u0000seal\u0000')) continue; // the secret itself: 256 random bits
      expect(record, 'every private record carries a salt').to.have.property('seal');
      const { seal: _seal, ...unsealed } = record;
      expect(valueHashes.has(sha256(canonical(unsealed))), `confirmable: ${w.key.split('\u0000')[1]}`).to.equal(false);
    }

    // The attack that worked before sealing, in bounded time: enumerate Alice's balance up to 10^7.
    const aliceBalance = truth
      .map((w) => JSON.parse(Buffer.from(w.value).toString()) as Record<string, unknown>)
      .filter(
        (r) => r.accountId === 'acc-alice' && r.assetId === MYR && typeof r.amount === 'string' && !('orderId' in r),
      )
      .at(-1);
    if (!aliceBalance) throw new Error('no balance of acc-alice in the member view');
    const { seal: _s, ...bare } = aliceBalance;
    const template = canonical({ ...bare, amount: '%N%' });
    // One pass over the real hashes plus, as a control, the hash the same record would have without its
    // salt: the control is found, so the attack works, and nothing else is (the loop above showed the
    // unsalted hash is not among the real ones).
    const hits = enumerateAmounts(template, 10_000_000, new Set([...valueHashes, sha256(canonical(bare))]));
    expect(hits).to.deep.equal([Number(A_BALANCES.aliceMoney)]);
  });

  it('learns from public read sets no more than the documented residual: which accounts, never how much', async () => {
    const accountOf = (key: string) => {
      const [, type, id, rest] = key.split('\u0000');
      return type === KeyType.ACCOUNT && rest === '' ? id : undefined;
    };
    for (const [fn, expected] of Object.entries(RESIDUAL_ACCOUNTS)) {
      const txs = seen.filter((t) => t.fn === fn);
      expect(txs.length, fn).to.be.greaterThan(0);
      const named = new Set<string>();
      for (const t of txs) {
        const keys = [...t.publicReads, ...t.publicWrites.map((w) => w.key)];
        for (const k of keys) {
          const id = accountOf(k);
          if (id) named.add(id);
        }
        const text = JSON.stringify({ args: t.args, event: t.event, writes: t.publicWrites });
        for (const amount of [...Object.values(A_ONLY), ...Object.values(A_BALANCES)])
          expect(text, `${fn} shows ${amount}`).not.to.match(new RegExp(`\\b${amount}\\b`));
      }
      const allowed = new Set(expected.flatMap((e) => e.split('|')));
      for (const id of named) expect(allowed.has(id), `${fn} names ${id}`).to.equal(true);
    }
  });
});

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
