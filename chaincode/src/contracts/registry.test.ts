import { expect } from 'chai';
import { ids, Market } from '../testing/market-fixture';

const status = (mspId: string, s: string, reason = 'supervisory decision') => [
  JSON.stringify({ mspId, status: s, reason }),
];

describe('Registry: the regulator → trustee → operator hierarchy', () => {
  let m: Market;
  beforeEach(async () => {
    m = await new Market().setup();
  });

  it('records admitted participants with their trustee link and emits an event', async () => {
    const op = await m.ok<{ kind: string; trusteeMspId: string; status: string }>(
      ids.regulator,
      'Registry',
      'GetParticipant',
      ['OperatorAMSP'],
    );
    expect(op).to.include({ kind: 'operator', trusteeMspId: 'TrusteeMSP', status: 'ACTIVE' });
    expect(m.world.events.some((e) => e.name === 'ParticipantAdmitted')).to.equal(true);
    const all = await m.ok<unknown[]>(ids.operatorB, 'Registry', 'ListParticipants');
    expect(all).to.have.length(3);
  });

  it('refuses to admit twice, to admit the regulator, or an operator of a non-trustee', async () => {
    const admit = (body: object) => [JSON.stringify({ reason: 'new licence', ...body })];
    await m.refused(
      'CONFLICT',
      ids.regulator,
      'Registry',
      'AdmitParticipant',
      admit({ mspId: 'OperatorAMSP', kind: 'operator', trusteeMspId: 'TrusteeMSP' }),
    );
    await m.refused(
      'CONFLICT',
      ids.regulator,
      'Registry',
      'AdmitParticipant',
      admit({ mspId: 'RegulatorMSP', kind: 'trustee' }),
    );
    await m.refused(
      'INVALID_ARGUMENT',
      ids.regulator,
      'Registry',
      'AdmitParticipant',
      admit({ mspId: 'OperatorCMSP', kind: 'operator', trusteeMspId: 'OperatorAMSP' }),
    );
    await m.refused(
      'NOT_FOUND',
      ids.regulator,
      'Registry',
      'AdmitParticipant',
      admit({ mspId: 'OperatorCMSP', kind: 'operator', trusteeMspId: 'NobodyMSP' }),
    );
    await m.refused(
      'INVALID_ARGUMENT',
      ids.regulator,
      'Registry',
      'AdmitParticipant',
      admit({ mspId: 'OperatorCMSP', kind: 'operator' }),
    );
  });

  it('cascades an operator suspension to its accounts, and lifting it restores them', async () => {
    await m.deposit('acc-alice', '500');
    const transfer = { from: 'acc-alice', to: 'acc-bob', assetId: 'TrusteeMSP.MYR', amount: '100' };
    await m.ok(ids.regulator, 'Registry', 'SetParticipantStatus', status('OperatorAMSP', 'SUSPENDED'));
    expect(await m.refused('COMPLIANCE', ids.alice, 'Transfers', 'Transfer', [], transfer)).to.contain(
      'SENDER_OPERATOR_SUSPENDED',
    );
    await m.refused('FORBIDDEN', ids.operatorA, 'Accounts', 'Onboard', [], {});
    expect(
      await m.refused('COMPLIANCE', ids.trustee, 'Money', 'Deposit', [], {
        accountId: 'acc-alice',
        tokenId: 'TrusteeMSP.MYR',
        amount: '1',
        bankReference: 'B',
      }),
    ).to.contain('RECEIVER_OPERATOR_SUSPENDED');
    await m.ok(ids.regulator, 'Registry', 'SetParticipantStatus', status('OperatorAMSP', 'ACTIVE'));
    await m.ok(ids.alice, 'Transfers', 'Transfer', [], transfer);
    expect(await m.balance('acc-bob', 'TrusteeMSP.MYR')).to.equal(100n);
  });

  it('cascades a trustee suspension to the money it holds', async () => {
    await m.deposit('acc-alice', '500');
    await m.ok(ids.regulator, 'Registry', 'SetParticipantStatus', status('TrusteeMSP', 'SUSPENDED'));
    const msg = await m.refused('COMPLIANCE', ids.alice, 'Transfers', 'Transfer', [], {
      from: 'acc-alice',
      to: 'acc-bob',
      assetId: 'TrusteeMSP.MYR',
      amount: '1',
    });
    expect(msg).to.contain('CUSTODIAN_SUSPENDED');
    await m.refused('FORBIDDEN', ids.trustee, 'Money', 'Deposit', [], {
      accountId: 'acc-alice',
      tokenId: 'TrusteeMSP.MYR',
      amount: '1',
      bankReference: 'B1',
    });
    await m.ok(ids.regulator, 'Registry', 'SetParticipantStatus', status('TrusteeMSP', 'ACTIVE'));
    await m.deposit('acc-alice', '1');
  });

  it('lets a trustee suspend and reinstate its operators, but not lift the regulator’s suspension or revoke', async () => {
    await m.ok(ids.trustee, 'Registry', 'SetParticipantStatus', status('OperatorBMSP', 'SUSPENDED'));
    await m.ok(ids.trustee, 'Registry', 'SetParticipantStatus', status('OperatorBMSP', 'ACTIVE'));
    await m.refused('FORBIDDEN', ids.trustee, 'Registry', 'SetParticipantStatus', status('OperatorBMSP', 'REVOKED'));
    await m.ok(ids.regulator, 'Registry', 'SetParticipantStatus', status('OperatorBMSP', 'SUSPENDED'));
    await m.refused('FORBIDDEN', ids.trustee, 'Registry', 'SetParticipantStatus', status('OperatorBMSP', 'ACTIVE'));
    await m.refused('FORBIDDEN', ids.operatorA, 'Registry', 'SetParticipantStatus', status('OperatorBMSP', 'ACTIVE'));
    await m.refused('CONFLICT', ids.regulator, 'Registry', 'SetParticipantStatus', status('OperatorBMSP', 'SUSPENDED'));
  });

  it('makes revocation final and locks the revoked org out', async () => {
    await m.ok(ids.regulator, 'Registry', 'SetParticipantStatus', status('OperatorBMSP', 'REVOKED'));
    await m.refused('FORBIDDEN', ids.operatorB, 'Registry', 'ListParticipants');
    await m.refused('FORBIDDEN', ids.carol, 'Accounts', 'GetAccount', ['acc-carol']);
    await m.refused('CONFLICT', ids.regulator, 'Registry', 'SetParticipantStatus', status('OperatorBMSP', 'ACTIVE'));
  });
});
