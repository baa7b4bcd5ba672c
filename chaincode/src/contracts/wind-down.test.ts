import { expect } from 'chai';
import fc from 'fast-check';
import { ACME, campaignTerms, ids, Market, MYR } from '../testing/market-fixture';
import { SEAL_TYPE } from '../ledger/seal';
import { operatorTypesWritten } from '../testing/fake-stub';
import { LEFT_WITH_THE_EXITING, OPERATOR_RECORD_TYPES } from '../wind-down/book';

const reason = 'licence withdrawn by the regulator';
const EXITING = { exitingMspId: 'OperatorBMSP' };
const REVOKE_B = { mspId: 'OperatorBMSP', status: 'REVOKED' };
const j = (o: unknown) => [JSON.stringify(o)];
const dave = { mspId: 'OperatorBMSP', attrs: { role: 'investor', account: 'acc-dave' } };
/** Carol's credential once the successor's CA has issued it. */
const carolAtA = { mspId: 'OperatorAMSP', attrs: { role: 'investor', account: 'acc-carol' } };
const ACCOUNTS = ['acc-alice', 'acc-bob', 'acc-carol', 'acc-dave', 'acc-acme'];

interface WindDownView {
  phase: string;
  accountsMoved: number;
  ordersCancelled: number;
  pledgesRefunded: number;
  recordsSwept: number;
  cursor?: string;
}

/** Drives the wind-down the way the trustee's client does: each phase in batches until it changes. */
async function windDown(m: Market, max = 1): Promise<WindDownView> {
  for (let i = 0; i < 200; i++) {
    const w = await m.ok<WindDownView>(ids.trustee, 'WindDown', 'Get', j(EXITING));
    switch (w.phase) {
      case 'RELEASING':
        await m.ok(ids.trustee, 'WindDown', 'Release', j({ ...EXITING, max }));
        break;
      case 'MOVING':
        await m.ok(ids.trustee, 'WindDown', 'MoveAccounts', j({ ...EXITING, max }));
        break;
      case 'SWEEPING': {
        const { keys } = await m.ok<{ keys: string[] }>(
          ids.trustee,
          'WindDown',
          'ListLeftovers',
          j({ ...EXITING, limit: 3 }),
        );
        if (keys.length === 0) await m.ok(ids.trustee, 'WindDown', 'Complete', j(EXITING));
        else await m.ok(ids.trustee, 'WindDown', 'Sweep', [], { ...EXITING, keys });
        break;
      }
      default:
        return w;
    }
    for (const asset of [MYR, ACME])
      expect((await m.supply(asset)).consistent, `${asset} in ${w.phase}`).to.equal(true);
  }
  throw new Error('the wind-down did not finish');
}

async function holdingsOf(m: Market): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const a of ACCOUNTS) for (const asset of [MYR, ACME]) out[`${a}/${asset}`] = String(await m.balance(a, asset));
  return out;
}

/** A market whose OperatorB has two customers with money, shares, an open order, a pledge and a transfer in flight. */
async function busyMarket(): Promise<{ m: Market; incoming: string; outgoing: string }> {
  const m = await new Market().setup();
  await m.onboard(ids.operatorB, 'acc-dave', 'investor', 'sophisticated');
  for (const a of ACCOUNTS) await m.deposit(a, '50000');
  await m.issue('acc-carol', '40');
  await m.issue('acc-bob', '40');
  await m.ok(ids.carol, 'Market', 'PlaceOrder', [], {
    accountId: 'acc-carol',
    classId: ACME,
    tokenId: MYR,
    side: 'SELL',
    price: '120',
    quantity: '10',
  });
  await m.ok(dave, 'Market', 'PlaceOrder', [], {
    accountId: 'acc-dave',
    classId: ACME,
    tokenId: MYR,
    side: 'BUY',
    price: '90',
    quantity: '5',
  });
  await m.ok(ids.acme, 'Campaigns', 'Propose', j(campaignTerms(m.world.now)));
  await m.ok(ids.operatorA, 'Campaigns', 'Approve', j({ campaignId: 'acme-seed' }));
  await m.ok(ids.trustee, 'Campaigns', 'Fund', j({ campaignId: 'acme-seed' }));
  await m.ok(dave, 'Campaigns', 'Pledge', [], { campaignId: 'acme-seed', accountId: 'acc-dave', amount: '3000' });
  await m.ok(ids.alice, 'Campaigns', 'Pledge', [], { campaignId: 'acme-seed', accountId: 'acc-alice', amount: '2000' });
  const incoming = await m.ok<string>(ids.alice, 'Transfers', 'Instruct', [], {
    from: 'acc-alice',
    to: 'acc-carol',
    assetId: MYR,
    amount: '700',
  });
  const outgoing = await m.ok<string>(ids.carol, 'Transfers', 'Instruct', [], {
    from: 'acc-carol',
    to: 'acc-bob',
    assetId: MYR,
    amount: '300',
  });
  return { m, incoming, outgoing };
}

// A root hook: it runs after every unit suite, so it sees every record type the chaincode wrote.
after('every record type of an operator collection has a wind-down rule', () => {
  const unclassified = [...operatorTypesWritten].filter(
    (t) => t !== SEAL_TYPE && !OPERATOR_RECORD_TYPES.includes(t) && !LEFT_WITH_THE_EXITING.includes(t),
  );
  expect(unclassified, 'add each to OPERATOR_RECORD_TYPES or LEFT_WITH_THE_EXITING').to.deep.equal([]);
  expect(operatorTypesWritten.size).to.be.greaterThan(10);
});

describe('WindDown: an operator exits into a successor of the same trustee', () => {
  it('is named by the regulator only for a suspended or revoked operator and a successor of its trustee', async () => {
    const m = await new Market().setup();
    const name = { ...EXITING, successorMspId: 'OperatorAMSP', reason };
    expect(await m.refused('CONFLICT', ids.regulator, 'WindDown', 'NameSuccessor', j(name))).to.match(
      /suspend or revoke/,
    );
    await m.ok(
      ids.regulator,
      'Registry',
      'SetParticipantStatus',
      j({ mspId: 'OperatorBMSP', status: 'SUSPENDED', reason }),
    );
    await m.refused(
      'INVALID_ARGUMENT',
      ids.regulator,
      'WindDown',
      'NameSuccessor',
      j({ ...name, successorMspId: 'OperatorBMSP' }),
    );
    await m.refused(
      'INVALID_ARGUMENT',
      ids.regulator,
      'WindDown',
      'NameSuccessor',
      j({ ...name, successorMspId: 'TrusteeMSP' }),
    );
    await m.ok(ids.regulator, 'Registry', 'AdmitParticipant', j({ mspId: 'Trustee2MSP', kind: 'trustee', reason }));
    await m.ok(
      ids.regulator,
      'Registry',
      'AdmitParticipant',
      j({ mspId: 'OperatorCMSP', kind: 'operator', trusteeMspId: 'Trustee2MSP', reason }),
    );
    expect(
      await m.refused(
        'CONFLICT',
        ids.regulator,
        'WindDown',
        'NameSuccessor',
        j({ ...name, successorMspId: 'OperatorCMSP' }),
      ),
    ).to.match(/not served by/);
    await m.ok(ids.regulator, 'WindDown', 'NameSuccessor', j(name));
    await m.refused('CONFLICT', ids.regulator, 'WindDown', 'NameSuccessor', j(name));
    // Each step belongs to its phase.
    await m.refused('CONFLICT', ids.trustee, 'WindDown', 'MoveAccounts', j({ ...EXITING, max: 5 }));
    await m.refused('CONFLICT', ids.trustee, 'WindDown', 'Complete', j(EXITING));
  });

  it('moves every account with its holdings, person and history; money and units are conserved', async () => {
    const { m, incoming, outgoing } = await busyMarket();
    const carolBefore = await m.ok<{ personal: unknown }>(ids.operatorB, 'Accounts', 'GetPersonalData', ['acc-carol']);
    await m.ok(
      ids.regulator,
      'Registry',
      'SetParticipantStatus',
      j({ mspId: 'OperatorBMSP', status: 'REVOKED', reason }),
    );
    await m.ok(ids.regulator, 'WindDown', 'NameSuccessor', j({ ...EXITING, successorMspId: 'OperatorAMSP', reason }));
    const before = await holdingsOf(m);

    const done = await windDown(m);
    expect(done).to.include({ phase: 'DONE', accountsMoved: 2, ordersCancelled: 2, pledgesRefunded: 1 });
    expect(done.cursor).to.equal('acc-dave');

    const after = await holdingsOf(m);
    // Escrow came back: carol's 10 units on sale, dave's 5 × 90 bid and his 3000 pledge. Nothing else moved.
    expect(after).to.deep.equal({
      ...before,
      'acc-carol/ACME-ORD': String(BigInt(before['acc-carol/ACME-ORD'] ?? '0') + 10n),
      'acc-dave/TrusteeMSP.MYR': String(BigInt(before['acc-dave/TrusteeMSP.MYR'] ?? '0') + 450n + 3000n),
    });
    for (const asset of [MYR, ACME]) expect((await m.supply(asset)).consistent).to.equal(true);

    // The exiting collection holds nothing but purged history; the successor holds the customers.
    expect([...m.world.collection('pdcOperatorB').keys()]).to.deep.equal([]);
    expect([...m.world.purged].filter((k) => k.startsWith('pdcOperatorB/')).length).to.be.greaterThan(10);
    const carol = await m.ok<{ operatorMspId: string }>(ids.operatorA, 'Accounts', 'GetAccount', ['acc-carol']);
    expect(carol.operatorMspId).to.equal('OperatorAMSP');
    expect(await m.ok(ids.operatorA, 'Accounts', 'GetPersonalData', ['acc-carol'])).to.deep.equal(carolBefore);
    const verified = await m.ok<{ matchesAccount: boolean }>(ids.operatorA, 'Accounts', 'VerifyPersonalData', [
      'acc-carol',
    ]);
    expect(verified.matchesAccount).to.equal(true);
    const history = await m.ok<{ movements: Array<{ kind: string }> }>(ids.operatorA, 'Accounts', 'GetHistory', [
      'acc-carol',
    ]);
    expect(history.movements.map((mv) => mv.kind)).to.include.members(['deposit', 'issue', 'order', 'instruction']);

    // The retail cap's usage moved too: 40 of carol's 1000 units a year are used.
    const issue = (amount: string) => ({ classId: ACME, accountId: 'acc-carol', amount, purpose: 'offering' });
    await m.refused('COMPLIANCE', ids.trustee, 'Equity', 'Issue', [], issue('961'));
    await m.ok(ids.trustee, 'Equity', 'Issue', [], issue('960'));

    // The credential follows the account: the successor's identity acts, the exiting operator's does not.
    await m.ok(carolAtA, 'Transfers', 'Transfer', [], { from: 'acc-carol', to: 'acc-bob', assetId: MYR, amount: '5' });
    await m.refused('FORBIDDEN', ids.carol, 'Transfers', 'GetBalance', j({ accountId: 'acc-carol', assetId: MYR }));
    await m.refused('FORBIDDEN', ids.operatorB, 'Accounts', 'GetAccount', ['acc-carol']);

    // Instructions in flight settle afterwards: the outgoing one from the successor's collection.
    await m.ok(ids.trustee, 'Transfers', 'Settle', j({ instructionId: incoming, fromOperatorMspId: 'OperatorAMSP' }));
    await m.ok(ids.trustee, 'Transfers', 'Settle', j({ instructionId: outgoing, fromOperatorMspId: 'OperatorAMSP' }));
    for (const asset of [MYR, ACME]) {
      const report = await m.supply(asset);
      expect(report.consistent, JSON.stringify(report)).to.equal(true);
      expect(report.inTransit).to.equal('0');
    }
  });

  it('carries a withdrawal held for review with its account, and the trustee executes it at the successor', async () => {
    const { m } = await busyMarket();
    const policy = { tokenId: MYR, threshold: '1000', reviewSeconds: 3600, reason: 'review large payouts' };
    await m.ok(ids.regulator, 'Money', 'SetWithdrawalPolicy', j(policy));
    const requestedAt = m.world.now;
    const { withdrawalId } = await m.ok<{ withdrawalId: string }>(ids.trustee, 'Money', 'Withdraw', [], {
      accountId: 'acc-dave',
      tokenId: MYR,
      amount: '1001',
      bankReference: 'OUT-dave',
    });
    await m.ok(ids.regulator, 'Registry', 'SetParticipantStatus', j({ ...REVOKE_B, reason }));
    await m.ok(ids.regulator, 'WindDown', 'NameSuccessor', j({ ...EXITING, successorMspId: 'OperatorAMSP', reason }));
    expect(await windDown(m)).to.include({ phase: 'DONE' });

    expect([...m.world.collection('pdcOperatorB').keys()]).to.deep.equal([]);
    expect(await m.supply(MYR)).to.include({ pendingWithdrawals: '1001', consistent: true });
    const ref = { accountId: 'acc-dave', withdrawalId };
    const held = await m.ok<{ status: string }>(ids.operatorA, 'Money', 'GetWithdrawal', j(ref));
    expect(held).to.include({ status: 'PENDING', amount: '1001' });
    m.world.now = requestedAt + policy.reviewSeconds;
    await m.ok(ids.trustee, 'Money', 'ExecuteWithdrawal', [], ref);
    expect(await m.supply(MYR)).to.include({ pendingWithdrawals: '0', consistent: true });
  });

  it('refuses a wind-down step from anyone but the custodian trustee, and a rerun repeats nothing', async () => {
    const { m } = await busyMarket();
    await m.ok(
      ids.regulator,
      'Registry',
      'SetParticipantStatus',
      j({ mspId: 'OperatorBMSP', status: 'SUSPENDED', reason }),
    );
    await m.ok(ids.regulator, 'WindDown', 'NameSuccessor', j({ ...EXITING, successorMspId: 'OperatorAMSP', reason }));
    for (const who of [ids.regulator, ids.operatorA, ids.operatorB, ids.alice])
      await m.refused('FORBIDDEN', who, 'WindDown', 'Release', j({ ...EXITING, max: 5 }));
    // A suspended operator's customers cannot pledge, trade or send meanwhile.
    const pledge = await m.call(dave, 'Campaigns', 'Pledge', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-dave',
      amount: '100',
    });
    expect(pledge.ok).to.equal(false);
    await m.ok(ids.trustee, 'WindDown', 'Release', j({ ...EXITING, max: 50 }));
    await m.ok(ids.trustee, 'WindDown', 'MoveAccounts', j({ ...EXITING, max: 1 }));
    const w = await m.ok<WindDownView>(ids.trustee, 'WindDown', 'MoveAccounts', j({ ...EXITING, max: 1 }));
    expect(w).to.include({ phase: 'MOVING', accountsMoved: 2 });
    const last = await m.ok<WindDownView>(ids.trustee, 'WindDown', 'MoveAccounts', j({ ...EXITING, max: 1 }));
    expect(last).to.include({ phase: 'SWEEPING', accountsMoved: 2 });
    const { keys } = await m.ok<{ keys: string[] }>(ids.regulator, 'WindDown', 'ListLeftovers', j({ ...EXITING }));
    const first = await m.ok<WindDownView>(ids.trustee, 'WindDown', 'Sweep', [], { ...EXITING, keys });
    const again = await m.ok<WindDownView>(ids.trustee, 'WindDown', 'Sweep', [], { ...EXITING, keys });
    expect(again.recordsSwept).to.equal(first.recordsSwept);
    await m.refused('INVALID_ARGUMENT', ids.trustee, 'WindDown', 'Sweep', [], {
      ...EXITING,
      keys: ['\u0000seal\u0000'],
    });
  });

  it('waits for a campaign that is settling: its tally runs over the pledges as they were', async () => {
    const { m } = await busyMarket();
    m.world.now += 11 * 86400;
    await m.ok(ids.trustee, 'Campaigns', 'Settle', j({ campaignId: 'acme-seed', batchSize: 1 }));
    await m.ok(
      ids.regulator,
      'Registry',
      'SetParticipantStatus',
      j({ mspId: 'OperatorBMSP', status: 'SUSPENDED', reason }),
    );
    await m.ok(ids.regulator, 'WindDown', 'NameSuccessor', j({ ...EXITING, successorMspId: 'OperatorAMSP', reason }));
    await m.ok(ids.trustee, 'WindDown', 'Release', j({ ...EXITING, max: 2 })); // the two orders
    expect(await m.refused('CONFLICT', ids.trustee, 'WindDown', 'Release', j({ ...EXITING, max: 2 }))).to.match(
      /settling/,
    );
    for (let i = 0; i < 10; i++) await m.call(ids.trustee, 'Campaigns', 'Settle', j({ campaignId: 'acme-seed' }));
    expect((await windDown(m, 5)).phase).to.equal('DONE');
  });

  it('keeps supply consistent and every balance whole after random activity (property-based)', async () => {
    const action = fc.record({
      who: fc.constantFrom('acc-carol', 'acc-dave', 'acc-alice'),
      kind: fc.constantFrom('order', 'instruct', 'deposit', 'pledge'),
      amount: fc.integer({ min: 1, max: 30 }),
    });
    const users = { 'acc-carol': ids.carol, 'acc-dave': dave, 'acc-alice': ids.alice } as const;
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 12 }), fc.integer({ min: 1, max: 4 }), async (actions, max) => {
        const { m } = await busyMarket();
        for (const a of actions) {
          const user = users[a.who];
          if (a.kind === 'deposit') await m.deposit(a.who, String(a.amount * 10));
          else if (a.kind === 'pledge')
            await m.call(user, 'Campaigns', 'Pledge', [], {
              campaignId: 'acme-seed',
              accountId: a.who,
              amount: String(100 * a.amount),
            });
          else if (a.kind === 'instruct')
            await m.call(user, 'Transfers', 'Instruct', [], {
              from: a.who,
              to: a.who === 'acc-alice' ? 'acc-dave' : 'acc-alice',
              assetId: MYR,
              amount: String(a.amount),
            });
          else
            await m.call(user, 'Market', 'PlaceOrder', [], {
              accountId: a.who,
              classId: ACME,
              tokenId: MYR,
              side: 'BUY',
              price: '50',
              quantity: String(a.amount),
            });
        }
        const total = async (asset: string) => {
          const r = await m.supply(asset);
          return { supply: r.supply, all: BigInt(r.held) + BigInt(r.inTransit) + BigInt(r.escrowed) };
        };
        const beforeMyr = await total(MYR);
        await m.ok(
          ids.regulator,
          'Registry',
          'SetParticipantStatus',
          j({ mspId: 'OperatorBMSP', status: 'SUSPENDED', reason }),
        );
        await m.ok(
          ids.regulator,
          'WindDown',
          'NameSuccessor',
          j({ ...EXITING, successorMspId: 'OperatorAMSP', reason }),
        );
        await windDown(m, max);
        expect(await total(MYR)).to.deep.equal(beforeMyr);
        expect(m.world.collection('pdcOperatorB').size).to.equal(0);
      }),
      { numRuns: 15, seed: 37 },
    );
  });
  it('carries imported register lines to the successor, so a rerun of the import issues nothing again', async () => {
    const m = await new Market().setup();
    const register = {
      registerId: 'acme-legacy',
      classId: ACME,
      lines: [
        { line: 1, accountId: 'acc-alice', units: '30' },
        { line: 2, accountId: 'acc-carol', units: '45' },
      ],
    };
    await m.ok(ids.trustee, 'Equity', 'ImportRegister', [], register);
    await m.ok(
      ids.regulator,
      'Registry',
      'SetParticipantStatus',
      j({ mspId: 'OperatorBMSP', status: 'SUSPENDED', reason }),
    );
    await m.ok(ids.regulator, 'WindDown', 'NameSuccessor', j({ ...EXITING, successorMspId: 'OperatorAMSP', reason }));
    expect((await windDown(m, 5)).phase).to.equal('DONE');
    const rerun = await m.ok(ids.trustee, 'Equity', 'ImportRegister', [], register);
    expect(rerun).to.include({ imported: 0, alreadyImported: 2 });
    expect(await m.balance('acc-carol', ACME)).to.equal(45n);
    expect(await m.supply(ACME)).to.include({ supply: '75', consistent: true });
  });
});
