import { expect } from 'chai';
import type { WithdrawalDecision, WithdrawalPolicyView, WithdrawalRecord, WithdrawalResult } from '@ecf/common';
import { campaignTerms, ids, Market, MYR, ACME } from '../testing/market-fixture';

const j = (o: unknown) => [JSON.stringify(o)];
const WINDOW = 3600;
const policy = { tokenId: MYR, threshold: '1000', reviewSeconds: WINDOW, reason: 'review large payouts' };

describe('time-locked large withdrawals (decision 40)', () => {
  let m: Market;
  const withdraw = (amount: string, accountId = 'acc-alice') =>
    m.ok<WithdrawalResult>(ids.trustee, 'Money', 'Withdraw', [], {
      accountId,
      tokenId: MYR,
      amount,
      bankReference: `OUT-${amount}`,
    });
  const ref = (withdrawalId: string, accountId = 'acc-alice') => ({ accountId, withdrawalId });
  const get = (withdrawalId: string) =>
    m.ok<WithdrawalRecord>(ids.regulator, 'Money', 'GetWithdrawal', j(ref(withdrawalId)));

  beforeEach(async () => {
    m = await new Market().setup();
    await m.deposit('acc-alice', '5000');
    await m.ok(ids.regulator, 'Money', 'SetWithdrawalPolicy', j(policy));
  });

  it('applies the defaults until the regulator sets a policy: 15,000 whole units, one day', async () => {
    const fresh = await new Market().setup();
    const p = await fresh.ok<WithdrawalPolicyView>(ids.operatorB, 'Money', 'GetWithdrawalPolicy', j({ tokenId: MYR }));
    expect(p).to.deep.equal({ tokenId: MYR, threshold: '1500000', reviewSeconds: 86400, isDefault: true });
    const set = await m.ok<WithdrawalPolicyView>(ids.alice, 'Money', 'GetWithdrawalPolicy', j({ tokenId: MYR }));
    expect(set).to.include({ threshold: '1000', reviewSeconds: WINDOW, isDefault: false, setBy: 'RegulatorMSP' });
  });

  it('refuses a policy for a share class, a zero window, and an unknown token, writing nothing', async () => {
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Money', 'SetWithdrawalPolicy', j({ ...policy, tokenId: ACME }));
    await m.refused(
      'INVALID_ARGUMENT',
      ids.regulator,
      'Money',
      'SetWithdrawalPolicy',
      j({ ...policy, reviewSeconds: 0 }),
    );
    await m.refused(
      'NOT_FOUND',
      ids.regulator,
      'Money',
      'SetWithdrawalPolicy',
      j({ ...policy, tokenId: 'TrusteeMSP.USD' }),
    );
  });

  it('pays out at once up to the threshold', async () => {
    const r = await withdraw('1000');
    expect(r.status).to.equal('EXECUTED');
    expect(await m.balance('acc-alice', MYR)).to.equal(4000n);
    expect(await m.supply(MYR)).to.include({ supply: '4000', pendingWithdrawals: '0', consistent: true });
  });

  it('holds a withdrawal above the threshold, refuses it before the window and executes it after', async () => {
    const requestedAt = m.world.now;
    const r = await withdraw('1001');
    expect(r).to.deep.equal({ withdrawalId: r.withdrawalId, status: 'PENDING', executableFrom: requestedAt + WINDOW });
    // The amount left the balance into the hold; the supply is unchanged and still accounted for.
    expect(await m.balance('acc-alice', MYR)).to.equal(3999n);
    expect(await m.supply(MYR)).to.include({
      supply: '5000',
      held: '3999',
      pendingWithdrawals: '1001',
      consistent: true,
    });
    expect(await get(r.withdrawalId)).to.include({ status: 'PENDING', amount: '1001', bankReference: 'OUT-1001' });

    m.world.now = requestedAt + WINDOW - 1;
    const early = await m.refused('COMPLIANCE', ids.trustee, 'Money', 'ExecuteWithdrawal', [], ref(r.withdrawalId));
    expect(early).to.match(/^COMPLIANCE: REVIEW_WINDOW_OPEN: .*under review until/);

    m.world.now = requestedAt + WINDOW;
    const done = await m.ok<WithdrawalDecision>(ids.trustee, 'Money', 'ExecuteWithdrawal', [], ref(r.withdrawalId));
    expect(done).to.include({ status: 'EXECUTED', decidedBy: 'TrusteeMSP', decidedAt: requestedAt + WINDOW });
    expect(await m.balance('acc-alice', MYR)).to.equal(3999n);
    expect(await m.supply(MYR)).to.include({ supply: '3999', pendingWithdrawals: '0', consistent: true });

    const again = await m.refused('CONFLICT', ids.trustee, 'Money', 'ExecuteWithdrawal', [], ref(r.withdrawalId));
    expect(again).to.contain('already executed');
    await m.refused('CONFLICT', ids.regulator, 'Money', 'CancelWithdrawal', [], {
      ...ref(r.withdrawalId),
      reason: 'too late',
    });
  });

  it('cancels within the window, with the reason kept, and returns the hold to the balance', async () => {
    const r = await withdraw('4000');
    const cancelled = await m.ok<WithdrawalDecision>(ids.regulator, 'Money', 'CancelWithdrawal', [], {
      ...ref(r.withdrawalId),
      reason: 'suspected account takeover',
    });
    // The answer is in the block: the outcome only. The reason is kept in the sealed record.
    expect(cancelled).to.deep.equal({
      withdrawalId: r.withdrawalId,
      status: 'CANCELLED',
      decidedBy: 'RegulatorMSP',
      decidedAt: m.world.now,
    });
    expect(await get(r.withdrawalId)).to.include({ status: 'CANCELLED', reason: 'suspected account takeover' });
    expect(await m.balance('acc-alice', MYR)).to.equal(5000n);
    expect(await m.supply(MYR)).to.include({ supply: '5000', held: '5000', pendingWithdrawals: '0', consistent: true });
    // The customer's history shows the hold and its release, linked by the withdrawal id.
    const history = await m.ok<{ movements: Array<{ kind: string; delta: string; reference?: string }> }>(
      ids.alice,
      'Accounts',
      'GetHistory',
      ['acc-alice'],
    );
    expect(history.movements.slice(-2).map((mv) => [mv.kind, mv.delta, mv.reference])).to.deep.equal([
      ['withdrawal', '-4000', 'OUT-4000'],
      ['refund', '4000', r.withdrawalId],
    ]);
    await m.refused('CONFLICT', ids.trustee, 'Money', 'ExecuteWithdrawal', [], ref(r.withdrawalId));
    // The money is free again.
    await m.ok(ids.alice, 'Transfers', 'Transfer', [], {
      from: 'acc-alice',
      to: 'acc-bob',
      assetId: MYR,
      amount: '5000',
    });
  });

  it('lets the trustee cancel too, and lists the account’s withdrawals to its readers', async () => {
    const a = await withdraw('1500');
    const b = await withdraw('2000');
    await m.ok(ids.trustee, 'Money', 'CancelWithdrawal', [], { ...ref(a.withdrawalId), reason: 'bank details wrong' });
    const list = await m.ok<{ withdrawals: WithdrawalRecord[] }>(
      ids.alice,
      'Money',
      'ListWithdrawals',
      j({ accountId: 'acc-alice' }),
    );
    expect(list.withdrawals.map((w) => [w.id, w.status])).to.have.deep.members([
      [a.withdrawalId, 'CANCELLED'],
      [b.withdrawalId, 'PENDING'],
    ]);
    await m.refused('FORBIDDEN', ids.operatorB, 'Money', 'ListWithdrawals', j({ accountId: 'acc-alice' }));
    await m.refused('FORBIDDEN', ids.bob, 'Money', 'GetWithdrawal', j(ref(b.withdrawalId)));
  });

  it('keeps the held amount out of every path that spends a balance', async () => {
    await withdraw('4500'); // 500 stays free
    const over = { from: 'acc-alice', assetId: MYR, amount: '501' };
    const transfer = await m.refused('COMPLIANCE', ids.alice, 'Transfers', 'Transfer', [], { ...over, to: 'acc-bob' });
    expect(transfer).to.contain('INSUFFICIENT_BALANCE');
    const instruct = await m.refused('COMPLIANCE', ids.alice, 'Transfers', 'Instruct', [], {
      ...over,
      to: 'acc-carol',
    });
    expect(instruct).to.contain('INSUFFICIENT_BALANCE');
    const order = await m.refused('COMPLIANCE', ids.alice, 'Market', 'PlaceOrder', [], {
      accountId: 'acc-alice',
      classId: ACME,
      tokenId: MYR,
      side: 'BUY',
      price: '501',
      quantity: '1',
    });
    expect(order).to.contain('INSUFFICIENT_BALANCE');
    await m.ok(ids.acme, 'Campaigns', 'Propose', j(campaignTerms(m.world.now)));
    await m.ok(ids.operatorA, 'Campaigns', 'Approve', j({ campaignId: 'acme-seed' }));
    await m.ok(ids.trustee, 'Campaigns', 'Fund', j({ campaignId: 'acme-seed' }));
    const pledge = await m.refused('COMPLIANCE', ids.alice, 'Campaigns', 'Pledge', [], {
      campaignId: 'acme-seed',
      accountId: 'acc-alice',
      amount: '600',
    });
    expect(pledge).to.contain('INSUFFICIENT_BALANCE');
    const second = await m.refused('COMPLIANCE', ids.trustee, 'Money', 'Withdraw', [], {
      accountId: 'acc-alice',
      tokenId: MYR,
      amount: '501',
      bankReference: 'OUT-2',
    });
    expect(second).to.contain('INSUFFICIENT_BALANCE');
    // Not even the regulator's override reaches the hold: it cancels the withdrawal first.
    const forced = await m.refused('COMPLIANCE', ids.regulator, 'Supervision', 'ForcedTransfer', [], {
      ...over,
      to: 'acc-bob',
      reason: 'court order',
    });
    expect(forced).to.contain('INSUFFICIENT_BALANCE');
    // What is free still moves.
    await m.ok(ids.alice, 'Transfers', 'Transfer', [], { ...over, to: 'acc-bob', amount: '500' });
    expect(await m.supply(MYR)).to.include({ pendingWithdrawals: '4500', consistent: true });
  });

  it('refuses to offboard an account with a withdrawal under review', async () => {
    const r = await withdraw('5000');
    const status = j({ accountId: 'acc-alice', status: 'OFFBOARDED', reason: 'closed by customer' });
    const msg = await m.refused('CONFLICT', ids.operatorA, 'Accounts', 'SetStatus', status);
    expect(msg).to.contain('under review');
    m.world.now += WINDOW;
    await m.ok(ids.trustee, 'Money', 'ExecuteWithdrawal', [], ref(r.withdrawalId));
    await m.ok(ids.operatorA, 'Accounts', 'SetStatus', status);
  });

  it('applies the withdrawal rules again at execution: a frozen account is refused, and can be cancelled after the window', async () => {
    const r = await withdraw('2000');
    await m.ok(
      ids.regulator,
      'Supervision',
      'FreezeAccount',
      j({ accountId: 'acc-alice', frozen: true, reason: 'inquiry' }),
    );
    m.world.now += WINDOW;
    const frozen = await m.refused('COMPLIANCE', ids.trustee, 'Money', 'ExecuteWithdrawal', [], ref(r.withdrawalId));
    expect(frozen).to.contain('SENDER_FROZEN');
    await m.ok(ids.regulator, 'Money', 'CancelWithdrawal', [], { ...ref(r.withdrawalId), reason: 'frozen by inquiry' });
    expect(await m.balance('acc-alice', MYR)).to.equal(5000n);
  });

  it('answers NOT_FOUND for an unknown withdrawal or one named under another account', async () => {
    const r = await withdraw('2000');
    await m.refused('NOT_FOUND', ids.trustee, 'Money', 'ExecuteWithdrawal', [], ref('f'.repeat(64)));
    await m.refused('NOT_FOUND', ids.trustee, 'Money', 'ExecuteWithdrawal', [], ref(r.withdrawalId, 'acc-bob'));
  });

  it('writes the withdrawal and its hold only to the operator collection, sealed', async () => {
    const r = await m.call<WithdrawalResult>(ids.trustee, 'Money', 'Withdraw', [], {
      accountId: 'acc-alice',
      tokenId: MYR,
      amount: '3333',
      bankReference: 'OUT-P',
    });
    expect(r.ok).to.equal(true);
    const publicWrites = r.stub.attemptedWrites.filter((w) => !w.collection);
    expect(publicWrites, 'a request writes no public state').to.deep.equal([]);
    for (const w of r.stub.attemptedWrites) {
      expect(w.collection).to.equal('pdcOperatorA');
      expect(w.key, 'sealed key: ids blinded').not.to.contain('acc-alice');
    }
    expect(JSON.stringify(m.world.events.at(-1))).not.to.match(/3333|acc-alice/);
    // The outcome, too: nothing public, and the cancellation's reason only in the sealed record.
    const withdrawalId = r.value?.withdrawalId ?? '';
    const reason = 'customer reported a stolen phone';
    const cancel = await m.call(ids.regulator, 'Money', 'CancelWithdrawal', [], { ...ref(withdrawalId), reason });
    expect(cancel.ok).to.equal(true);
    expect(cancel.stub.attemptedWrites.filter((w) => !w.collection)).to.deep.equal([]);
    const event = JSON.stringify(m.world.events.at(-1));
    expect(event).to.contain('WithdrawalCancelled');
    expect(event).not.to.match(/stolen|3333|acc-alice/);
  });
});
