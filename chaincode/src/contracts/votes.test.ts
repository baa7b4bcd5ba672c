import { expect } from 'chai';
import fc from 'fast-check';
import { ACME, ids, Market } from '../testing/market-fixture';
import { cast, CLOSE_IN, countAndPublish, propose, RECORD_IN } from '../votes/voting-fixture';

const transfer = (m: Market, who: typeof ids.alice, from: string, to: string, amount: string) =>
  m.ok(who, 'Transfers', 'Transfer', [], { from, to, assetId: ACME, amount });

describe('Votes: shareholder resolutions', () => {
  let m: Market;
  beforeEach(async () => {
    m = await new Market().setup();
    await m.issue('acc-alice', '100');
    await m.issue('acc-bob', '50');
    await m.issue('acc-carol', '30');
  });

  it('counts units held at the record time, a cross-operator delegation, and publishes receipts', async () => {
    await propose(m);
    await transfer(m, ids.alice, 'acc-alice', 'acc-bob', '20'); // before the record time: alice 80, bob 70
    m.world.now += RECORD_IN + 1;
    await transfer(m, ids.alice, 'acc-alice', 'acc-bob', '40'); // after it: changes nothing in the vote
    await m.ok(ids.carol, 'Votes', 'Delegate', [], {
      resolutionId: 'res-1',
      accountId: 'acc-carol',
      proxyAccountId: 'acc-bob',
    });
    await m.refused('CONFLICT', ids.carol, 'Votes', 'Cast', [], {
      resolutionId: 'res-1',
      accountId: 'acc-carol',
      choice: 'AGAINST',
      nonce: 'bm9uY2Utb2YtY2Fyb2wuLi4uLi4=',
    });
    expect((await cast(m, ids.bob, 'acc-bob', 'FOR')).ok).to.equal(true);
    expect((await cast(m, ids.alice, 'acc-alice', 'AGAINST')).ok).to.equal(true);
    const again = await cast(m, ids.bob, 'acc-bob', 'AGAINST');
    expect(again.error?.message).to.match(/^CONFLICT: acc-bob has already voted/);
    await m.refused('CONFLICT', ids.trustee, 'Votes', 'Publish', [JSON.stringify({ resolutionId: 'res-1' })]);
    m.world.now += CLOSE_IN;
    const { tally } = await countAndPublish(m);
    // 80 (alice) + 70 (bob) + 30 (carol) at the record time; carol's 30 follow bob's ballot.
    expect(tally).to.deep.include({
      eligible: '180',
      for: '100',
      against: '80',
      abstain: '0',
      quorumMet: true,
      passed: true,
    });
    const bob = await m.ok<{ receipt: string; counted: boolean }>(ids.bob, 'Votes', 'GetBallot', [
      JSON.stringify({ resolutionId: 'res-1', accountId: 'acc-bob' }),
    ]);
    expect(bob.counted).to.equal(true);
    expect(tally.receipts).to.include(bob.receipt).and.have.length(2);
  });

  it('lets a principal revoke its delegation before the close and vote itself, once', async () => {
    await propose(m);
    m.world.now += RECORD_IN;
    const ref = { resolutionId: 'res-1', accountId: 'acc-alice' };
    await m.ok(ids.alice, 'Votes', 'Delegate', [], { ...ref, proxyAccountId: 'acc-carol' });
    await m.refused('CONFLICT', ids.alice, 'Votes', 'Delegate', [], { ...ref, proxyAccountId: 'acc-bob' });
    expect((await cast(m, ids.carol, 'acc-carol', 'FOR')).ok).to.equal(true);
    await m.ok(ids.operatorA, 'Votes', 'RevokeDelegation', [], ref);
    expect((await cast(m, ids.alice, 'acc-alice', 'AGAINST')).ok).to.equal(true);
    await m.refused('CONFLICT', ids.alice, 'Votes', 'Delegate', [], { ...ref, proxyAccountId: 'acc-bob' });
    m.world.now += CLOSE_IN;
    await m.refused('CONFLICT', ids.alice, 'Votes', 'RevokeDelegation', [], ref);
    const { tally } = await countAndPublish(m);
    expect(tally).to.deep.include({ eligible: '180', for: '30', against: '100', quorumMet: true, passed: false });
  });

  it('counts a delegation to an unknown proxy as not voted, without failing the count', async () => {
    await propose(m);
    m.world.now += RECORD_IN;
    const r = await m.call(ids.carol, 'Votes', 'Delegate', [], {
      resolutionId: 'res-1',
      accountId: 'acc-carol',
      proxyAccountId: 'acc-nobody',
    });
    expect(r.ok, r.error?.message).to.equal(true);
    expect((await cast(m, ids.alice, 'acc-alice', 'FOR')).ok).to.equal(true);
    m.world.now += CLOSE_IN;
    const { tally } = await countAndPublish(m);
    expect(tally).to.deep.include({ eligible: '180', for: '100', against: '0', passed: true });
  });

  it('misses quorum when too few units vote, and refuses voting outside the window', async () => {
    await propose(m, 'res-1', { quorumBps: 6000 });
    expect((await cast(m, ids.carol, 'acc-carol', 'FOR')).error?.message).to.match(/^CONFLICT: voting .* is not open/);
    m.world.now += RECORD_IN;
    expect((await cast(m, ids.carol, 'acc-carol', 'FOR')).ok).to.equal(true);
    m.world.now += CLOSE_IN;
    expect((await cast(m, ids.bob, 'acc-bob', 'FOR')).error?.message).to.match(/^CONFLICT/);
    const { tally } = await countAndPublish(m);
    expect(tally).to.deep.include({ eligible: '180', for: '30', quorumMet: false, passed: false });
  });

  it('refuses a record time in the past and a proposal by another operator', async () => {
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Votes', 'Propose', [
      JSON.stringify({
        resolutionId: 'res-x',
        classId: ACME,
        title: 'Backdated',
        recordTime: m.world.now - 1,
        opensAt: m.world.now,
        closesAt: m.world.now + 10,
        quorumBps: 1,
        majorityBps: 5000,
      }),
    ]);
    const r = await m.call(ids.operatorB, 'Votes', 'Propose', [
      JSON.stringify({
        resolutionId: 'res-x',
        classId: ACME,
        title: 'Not the issuer’s operator',
        recordTime: m.world.now + 5,
        opensAt: m.world.now + 5,
        closesAt: m.world.now + 10,
        quorumBps: 1,
        majorityBps: 5000,
      }),
    ]);
    expect(r.error?.message).to.match(/^FORBIDDEN/);
  });

  it('refuses a count whose evidence leaves out a movement after the record time', async () => {
    await propose(m);
    m.world.now += RECORD_IN + 1;
    await transfer(m, ids.alice, 'acc-alice', 'acc-bob', '40');
    m.world.now += CLOSE_IN;
    const q = { resolutionId: 'res-1', operatorMspId: 'OperatorAMSP', max: 10 };
    const { evidence } = await m.ok<{ evidence: Array<{ accountId: string; after: string[] }> }>(
      ids.trustee,
      'Votes',
      'CountEvidence',
      [JSON.stringify(q)],
    );
    const forged = evidence.map((e) => (e.accountId === 'acc-bob' ? { ...e, after: [] } : e));
    await m.refused('INVALID_ARGUMENT', ids.trustee, 'Votes', 'Count', [], { ...q, evidence: forged });
    await m.refused('FORBIDDEN', ids.operatorA, 'Votes', 'CountEvidence', [JSON.stringify(q)]);
  });

  it('keeps a ballot within the voter’s operator domain', async () => {
    await propose(m);
    m.world.now += RECORD_IN;
    expect((await cast(m, ids.alice, 'acc-alice', 'FOR')).ok).to.equal(true);
    const ref = [JSON.stringify({ resolutionId: 'res-1', accountId: 'acc-alice' })];
    for (const reader of [ids.alice, ids.operatorA, ids.trustee, ids.regulator])
      expect((await m.ok<{ choice: string }>(reader, 'Votes', 'GetBallot', ref)).choice).to.equal('FOR');
    for (const outsider of [ids.operatorB, ids.carol, ids.bob])
      expect((await m.call(outsider, 'Votes', 'GetBallot', ref)).error?.message).to.match(/^FORBIDDEN/);
    const r = await cast(m, ids.alice, 'acc-alice', 'FOR');
    expect(JSON.stringify(r.stub.event ?? '')).not.to.match(/FOR|acc-alice/);
  });

  describe('property: the tally equals the holdings at the record time, and no unit counts twice', () => {
    const HOLDERS = ['acc-alice', 'acc-bob', 'acc-carol'] as const;
    const USERS = { 'acc-alice': ids.alice, 'acc-bob': ids.bob, 'acc-carol': ids.carol } as const;
    type Holder = (typeof HOLDERS)[number];
    const holder = fc.constantFrom(...HOLDERS);
    const moveStep = fc.record({
      pair: fc.constantFrom(['acc-alice', 'acc-bob'], ['acc-bob', 'acc-alice']) as fc.Arbitrary<[Holder, Holder]>,
      amount: fc.integer({ min: 1, max: 40 }),
    });
    const voteStep = fc.record({
      who: holder,
      act: fc.constantFrom('FOR', 'AGAINST', 'ABSTAIN', 'delegate', 'revoke'),
      proxy: holder,
    });

    it('holds for random transfers around the record time and random ballots and delegations', async function () {
      this.timeout(120_000);
      await fc.assert(
        fc.asyncProperty(
          fc.array(moveStep, { maxLength: 4 }),
          fc.array(moveStep, { maxLength: 4 }),
          fc.array(voteStep, { maxLength: 8 }),
          async (before, after, votes) => {
            const mk = await new Market().setup();
            await mk.issue('acc-alice', '100');
            await mk.issue('acc-bob', '50');
            await mk.issue('acc-carol', '30');
            await propose(mk);
            const move = async (s: { pair: [Holder, Holder]; amount: number }) => {
              const [from, to] = s.pair;
              await mk.call(USERS[from], 'Transfers', 'Transfer', [], {
                from,
                to,
                assetId: ACME,
                amount: String(s.amount),
              });
            };
            for (const s of before) await move(s);
            const atRecord = new Map<Holder, bigint>();
            for (const h of HOLDERS) atRecord.set(h, await mk.balance(h, ACME));
            mk.world.now += RECORD_IN + 1;
            for (const s of after) await move(s);
            // The model: the last successful act of each holder decides where its units go.
            const ballots = new Map<Holder, string>();
            const delegations = new Map<Holder, Holder>();
            for (const v of votes) {
              const ref = { resolutionId: 'res-1', accountId: v.who };
              if (v.act === 'delegate') {
                const r = await mk.call(USERS[v.who], 'Votes', 'Delegate', [], { ...ref, proxyAccountId: v.proxy });
                if (r.ok) delegations.set(v.who, v.proxy);
              } else if (v.act === 'revoke') {
                if ((await mk.call(USERS[v.who], 'Votes', 'RevokeDelegation', [], ref)).ok) delegations.delete(v.who);
              } else if ((await cast(mk, USERS[v.who], v.who, v.act)).ok) {
                expect(ballots.has(v.who) || delegations.has(v.who), 'a second ballot or a delegated one').to.equal(
                  false,
                );
                ballots.set(v.who, v.act);
              }
            }
            mk.world.now += CLOSE_IN;
            const { tally } = await countAndPublish(mk, 'res-1', 1);
            const expected = { FOR: 0n, AGAINST: 0n, ABSTAIN: 0n };
            for (const h of HOLDERS) {
              const choice = ballots.get(delegations.get(h) ?? h);
              if (choice) expected[choice as keyof typeof expected] += atRecord.get(h) ?? 0n;
            }
            expect(tally.eligible).to.equal('180');
            expect([tally.for, tally.against, tally.abstain]).to.deep.equal(
              [expected.FOR, expected.AGAINST, expected.ABSTAIN].map(String),
            );
            expect(BigInt(tally.for) + BigInt(tally.against) + BigInt(tally.abstain) <= 180n).to.equal(true);
          },
        ),
        { numRuns: 25 },
      );
    });
  });
});
