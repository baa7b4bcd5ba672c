import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { KeyType } from '@ecf/common';
import { canonicalJson } from '../ledger/codec';
import { ACME, ids, Market, MYR, testSecret } from '../testing/market-fixture';

const SEP = '\u0000';
const key = (type: string, ...attrs: string[]) => `${SEP}${type}${SEP}${attrs.map((a) => `${a}${SEP}`).join('')}`;
const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

describe('Privacy: sealed collections (blinded keys, salted values)', () => {
  let m: Market;
  beforeEach(async () => {
    m = await new Market().setup();
    await m.deposit('acc-alice', '71446130');
    await m.issue('acc-bob', '25');
    await m.ok(ids.alice, 'Transfers', 'Transfer', [], {
      from: 'acc-alice',
      to: 'acc-bob',
      assetId: MYR,
      amount: '2468135',
    });
  });

  const records = (collection: string) =>
    [...m.world.collection(collection).entries()].filter(([k]) => !k.startsWith(`${SEP}seal${SEP}`));

  it('stores no public id in a private key and a salt in every private value', async () => {
    const stored = records('pdcOperatorA');
    expect(stored.length).to.be.greaterThan(8);
    for (const [k, v] of stored) {
      expect(k).not.to.match(/acc-|TrusteeMSP|ACME|[0-9a-f]{64}/);
      expect(JSON.parse(v.toString()))
        .to.have.property('seal')
        .that.matches(/^[0-9a-f]{32}$/);
    }
  });

  it('makes no private hash recomputable from the record formats and the public ids', async () => {
    // What a competitor would try: the readable key of each record, and the exact value without its seal.
    const guessedKeys = new Set(
      [
        key(KeyType.BALANCE, MYR, 'acc-alice'),
        key(KeyType.BALANCE, MYR, 'acc-bob'),
        key(KeyType.BALANCE, ACME, 'acc-bob'),
        key(KeyType.PERSONAL, 'acc-alice'),
      ].map(sha),
    );
    for (const [k, v] of records('pdcOperatorA')) {
      expect(guessedKeys.has(sha(k))).to.equal(false);
      const { seal, ...unsealed } = JSON.parse(v.toString()) as Record<string, unknown>;
      expect(seal).to.be.a('string');
      expect(sha(canonicalJson(unsealed))).not.to.equal(sha(v));
    }
  });

  it('gives equal values under different keys, and one key across versions, different hashes', async () => {
    await m.deposit('acc-carol', '5');
    await m.deposit('acc-carol', '5');
    // Two deposits of 5: two movements and two supply records with the same content, each hashed apart.
    const values = records('pdcOperatorB').map(([, v]) => sha(v));
    // personal data, balance, 2 movements, the movement counter, 2 supply records
    expect(values.length).to.equal(7);
    expect(new Set(values).size).to.equal(values.length);
  });

  it('reads back what it sealed: balances, history and the supply check', async () => {
    expect(await m.balance('acc-alice', MYR)).to.equal(71446130n - 2468135n);
    expect(await m.balance('acc-bob', MYR)).to.equal(2468135n);
    const h = await m.ok<{ movements: Array<{ delta: string; seal?: string }> }>(ids.alice, 'Accounts', 'GetHistory', [
      'acc-alice',
    ]);
    expect(h.movements.map((mv) => mv.delta).sort()).to.deep.equal(['-2468135', '71446130']);
    expect(
      h.movements.every((mv) => mv.seal === undefined),
      'readers never see the salt',
    ).to.equal(true);
    expect(await m.supply(MYR)).to.include({ supply: '71446130', consistent: true });
  });

  it('keeps deposit and withdrawal amounts out of public state', async () => {
    const publicText = [...m.world.state.values()].map(String).join('\n');
    expect(publicText).not.to.contain('71446130');
    expect(publicText).not.to.contain('2468135');
  });

  it('lets only the regulator seal, once, and refuses private writes to an unsealed collection', async () => {
    const fresh = new Market();
    await fresh.refused('FORBIDDEN', ids.trustee, 'Privacy', 'Seal', [], {
      collection: 'pdcOperatorA',
      secret: testSecret('pdcOperatorA'),
    });
    await fresh.refused('INVALID_ARGUMENT', ids.regulator, 'Privacy', 'Seal', [], {
      collection: 'pdcOperatorA',
      secret: 'dG9vIHNob3J0',
    });
    await fresh.seal(['pdcOperatorA']);
    await fresh.refused('CONFLICT', ids.regulator, 'Privacy', 'Seal', [], {
      collection: 'pdcOperatorA',
      secret: testSecret('other'),
    });
    const other = new Market();
    await other.seal(['pdcOperatorA']);
    const reason = 'licensed by the regulator';
    await other.ok(ids.regulator, 'Registry', 'AdmitParticipant', [
      JSON.stringify({ mspId: 'TrusteeMSP', kind: 'trustee', reason }),
    ]);
    await other.ok(ids.regulator, 'Registry', 'AdmitParticipant', [
      JSON.stringify({ mspId: 'OperatorBMSP', kind: 'operator', trusteeMspId: 'TrusteeMSP', reason }),
    ]);
    const msg = await other.refused('CONFLICT', ids.operatorB, 'Accounts', 'Onboard', [], {
      accountId: 'acc-carol',
      type: 'investor',
      kyc: { validUntil: other.world.now + 86400, investorClass: 'retail', jurisdiction: 'MY' },
      personal: { fullName: 'Carol', nationalId: 'X1', dateOfBirth: '1990-01-01' },
      salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
    });
    expect(msg).to.contain('pdcOperatorB is not sealed');
  });

  it('migrates records written before sealing under sealed keys and purges the readable ones', async () => {
    const collection = m.world.collection('pdcOperatorA');
    const legacyBalance = key(KeyType.BALANCE, MYR, 'acc-acme');
    const legacyMovement = key(KeyType.MOVEMENT, 'acc-acme', 'tx-before', '000');
    collection.set(
      legacyBalance,
      Buffer.from(canonicalJson({ v: 1, accountId: 'acc-acme', assetId: MYR, amount: '700' })),
    );
    collection.set(
      legacyMovement,
      Buffer.from(
        canonicalJson({
          v: 1,
          txId: 'tx-before',
          accountId: 'acc-acme',
          assetId: MYR,
          delta: '700',
          kind: 'deposit',
          at: 1,
        }),
      ),
    );
    const listed = await m.ok<{ keys: string[] }>(ids.regulator, 'Privacy', 'ListLegacy', [
      JSON.stringify({ collection: 'pdcOperatorA', limit: 50 }),
    ]);
    expect(listed.keys.sort()).to.deep.equal([legacyBalance, legacyMovement].sort());
    await m.refused('FORBIDDEN', ids.operatorA, 'Privacy', 'Migrate', [], {
      collection: 'pdcOperatorA',
      keys: listed.keys,
    });
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Privacy', 'Migrate', [], {
      collection: 'pdcOperatorA',
      keys: [key('participant', 'OperatorAMSP')],
    });
    const r = await m.ok<{ migrated: number }>(ids.regulator, 'Privacy', 'Migrate', [], {
      collection: 'pdcOperatorA',
      keys: listed.keys,
    });
    expect(r.migrated).to.equal(2);
    expect(collection.has(legacyBalance)).to.equal(false);
    expect(collection.has(legacyMovement)).to.equal(false);
    expect(await m.balance('acc-acme', MYR)).to.equal(700n);
    const h = await m.ok<{ movements: Array<{ txId: string }> }>(ids.acme, 'Accounts', 'GetHistory', ['acc-acme']);
    expect(h.movements.map((mv) => mv.txId)).to.deep.equal(['tx-before']);
    const again = await m.ok<{ keys: string[] }>(ids.regulator, 'Privacy', 'ListLegacy', [
      JSON.stringify({ collection: 'pdcOperatorA', limit: 50 }),
    ]);
    expect(again.keys).to.deep.equal([]);
    await m.refused('NOT_FOUND', ids.regulator, 'Privacy', 'Migrate', [], {
      collection: 'pdcOperatorA',
      keys: [legacyBalance],
    });
  });
});
