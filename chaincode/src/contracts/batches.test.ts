import { expect } from 'chai';
import { ACCOUNT_BATCH_MAX, operatorCollection } from '@ecf/common';
import { ids, Market, MYR, personal, YEAR } from '../testing/market-fixture';

/** Bulk onboarding and deposits (decision 62): each entry under its single transaction's rules, all or nothing. */
describe('Accounts:OnboardBatch and Money:DepositBatch', () => {
  let m: Market;
  beforeEach(async () => {
    m = await new Market().setup();
  });

  const entry = (accountId: string, over: Record<string, unknown> = {}) => ({
    accountId,
    type: 'investor',
    kyc: { validUntil: m.world.now + YEAR, investorClass: 'retail', jurisdiction: 'MY' },
    personal: personal(accountId),
    salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
    ...over,
  });
  const deposit = (accountId: string, amount = '100') => ({ accountId, amount, bankReference: `IN-${accountId}` });

  it('opens every account of a batch as Onboard would: public record, private personal data, one event each', async () => {
    const idsOpened = ['bb-1', 'bb-2', 'bb-3'];
    const out = await m.ok<{ opened: number }>(ids.operatorA, 'Accounts', 'OnboardBatch', [], {
      accounts: idsOpened.map((id) => entry(id)),
    });
    expect(out.opened).to.equal(3);
    for (const id of idsOpened) {
      const account = await m.ok<{ operatorMspId: string; status: string }>(ids.operatorA, 'Accounts', 'GetAccount', [
        id,
      ]);
      expect(account).to.include({ operatorMspId: 'OperatorAMSP', status: 'ACTIVE' });
      const p = await m.ok<{ personal: { fullName: string } }>(ids.operatorA, 'Accounts', 'GetPersonalData', [id]);
      expect(p.personal.fullName).to.equal(id);
    }
    const privateText = [...m.world.collection(operatorCollection('OperatorAMSP')).values()].map(String).join('\n');
    expect(privateText).to.contain('ID-bb-2');
    const publicText = [...m.world.state.values()].map(String).join('\n');
    expect(publicText).not.to.contain('ID-bb-2');
  });

  it('refuses the whole batch, writing nothing, when one account exists, repeats, or has expired KYC', async () => {
    expect(
      await m.refused('CONFLICT', ids.operatorA, 'Accounts', 'OnboardBatch', [], {
        accounts: [entry('bb-1'), entry('acc-alice')],
      }),
    ).to.contain('acc-alice already exists');
    expect(
      await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Accounts', 'OnboardBatch', [], {
        accounts: [entry('bb-1'), entry('bb-1')],
      }),
    ).to.contain('each accountId once');
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Accounts', 'OnboardBatch', [], {
      accounts: [
        entry('bb-1'),
        entry('bb-2', { kyc: { validUntil: m.world.now, investorClass: 'retail', jurisdiction: 'MY' } }),
      ],
    });
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Accounts', 'OnboardBatch', [], { accounts: [] });
    await m.refused('INVALID_ARGUMENT', ids.operatorA, 'Accounts', 'OnboardBatch', [], {
      accounts: Array.from({ length: ACCOUNT_BATCH_MAX + 1 }, (_, i) => entry(`bb-${i}`)),
    });
    await m.refused('FORBIDDEN', ids.trustee, 'Accounts', 'OnboardBatch', [], { accounts: [entry('bb-1')] });
    await m.refused('NOT_FOUND', ids.operatorA, 'Accounts', 'GetAccount', ['bb-1']);
  });

  it('mints every deposit of a batch, with one supply record per collection, and supply stays consistent', async () => {
    await m.ok(ids.trustee, 'Money', 'DepositBatch', [], {
      tokenId: MYR,
      deposits: [deposit('acc-alice', '250'), deposit('acc-bob', '70'), deposit('acc-carol', '5')],
    });
    expect(await m.balance('acc-alice', MYR)).to.equal(250n);
    expect(await m.balance('acc-bob', MYR)).to.equal(70n);
    expect(await m.balance('acc-carol', MYR)).to.equal(5n);
    const supply = await m.supply(MYR);
    expect(supply).to.include({ supply: '325', consistent: true });
    const history = await m.ok<{ movements: Array<{ delta: string; kind: string }> }>(
      ids.alice,
      'Accounts',
      'GetHistory',
      ['acc-alice'],
    );
    expect(history.movements.map((mv) => [mv.delta, mv.kind])).to.deep.equal([['250', 'deposit']]);
  });

  it('refuses the whole batch, minting nothing, for one bad deposit, a repeated account, or a caller not the trustee', async () => {
    await m.ok(ids.operatorA, 'Accounts', 'SetStatus', [
      JSON.stringify({ accountId: 'acc-bob', status: 'SUSPENDED', reason: 'under review' }),
    ]);
    await m.refused('COMPLIANCE', ids.trustee, 'Money', 'DepositBatch', [], {
      tokenId: MYR,
      deposits: [deposit('acc-alice'), deposit('acc-bob')],
    });
    await m.refused('NOT_FOUND', ids.trustee, 'Money', 'DepositBatch', [], {
      tokenId: MYR,
      deposits: [deposit('acc-alice'), deposit('acc-nobody')],
    });
    await m.refused('INVALID_ARGUMENT', ids.trustee, 'Money', 'DepositBatch', [], {
      tokenId: MYR,
      deposits: [deposit('acc-alice'), deposit('acc-alice')],
    });
    await m.refused('FORBIDDEN', ids.operatorA, 'Money', 'DepositBatch', [], {
      tokenId: MYR,
      deposits: [deposit('acc-alice')],
    });
    expect(await m.balance('acc-alice', MYR)).to.equal(0n);
    expect((await m.supply(MYR)).supply).to.equal('0');
  });
});
