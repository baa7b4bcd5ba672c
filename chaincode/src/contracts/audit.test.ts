import { expect } from 'chai';
import { DEFAULT_AUDIT_POLICY, type AuditFiling, type AuditRecord } from '@ecf/common';
import { ids, Market } from '../testing/market-fixture';

const tx = (n: number) => n.toString(16).padStart(64, '0');
const filing = (over: Partial<AuditFiling> = {}): AuditFiling => ({
  id: `trade:${tx(1)}.0`,
  type: 'TRADE',
  source: { blockNumber: '12', txIds: [tx(1)] },
  parties: ['OperatorAMSP'],
  subjects: ['ACME', 'acc-alice'],
  summary: '15 ACME at 120',
  details: { price: '120', quantity: '15' },
  observedAt: 1_767_225_600,
  ...over,
});

describe('Audit contract (audit channel)', () => {
  let m: Market;
  beforeEach(() => {
    m = new Market();
    m.world.channel = 'audit';
  });

  it('files a record once: a repeated filing of the same id writes nothing', async () => {
    const first = await m.ok<{ created: boolean; record: AuditRecord }>(ids.regulator, 'Audit', 'File', [
      JSON.stringify(filing()),
    ]);
    expect(first.created).to.equal(true);
    expect(first.record).to.include({ filedBy: 'RegulatorMSP', type: 'TRADE' });
    const again = await m.call<{ created: boolean }>(ids.regulator, 'Audit', 'File', [JSON.stringify(filing())]);
    expect(again.value?.created).to.equal(false);
    expect(again.stub.attemptedWrites).to.deep.equal([]);
    await m.refused('CONFLICT', ids.regulator, 'Audit', 'File', [JSON.stringify(filing({ type: 'CHECKPOINT' }))]);
  });

  it('lets only the regulator file or set the policy', async () => {
    for (const who of [ids.trustee, ids.operatorA, ids.alice]) {
      await m.refused('FORBIDDEN', who, 'Audit', 'File', [JSON.stringify(filing())]);
      await m.refused('FORBIDDEN', who, 'Audit', 'SetPolicy', [JSON.stringify(DEFAULT_AUDIT_POLICY)]);
    }
  });

  it('refuses malformed filings before any read', async () => {
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Audit', 'File', [JSON.stringify(filing({ id: 'no colon' }))]);
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Audit', 'File', [JSON.stringify(filing({ type: 'ALERT' }))]);
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Audit', 'File', [JSON.stringify({ ...filing(), extra: true })]);
  });

  it('shows an org only the records that name it; the regulator sees all; customers none', async () => {
    await m.ok(ids.regulator, 'Audit', 'File', [JSON.stringify(filing())]);
    await m.ok(ids.regulator, 'Audit', 'File', [
      JSON.stringify(
        filing({ id: `alert:halt:${tx(2)}`, type: 'ALERT', kind: 'CIRCUIT_BREAKER', parties: ['OperatorBMSP'] }),
      ),
    ]);
    const all = await m.ok<AuditRecord[]>(ids.regulator, 'Audit', 'Search', [JSON.stringify({})]);
    expect(all.map((r) => r.id)).to.have.length(2);
    const a = await m.ok<AuditRecord[]>(ids.operatorA, 'Audit', 'Search', [JSON.stringify({})]);
    expect(a.map((r) => r.type)).to.deep.equal(['TRADE']);
    const bySubject = await m.ok<AuditRecord[]>(ids.operatorB, 'Audit', 'Search', [
      JSON.stringify({ subject: 'ACME' }),
    ]);
    expect(bySubject.map((r) => r.type)).to.deep.equal(['ALERT']);
    await m.refused('NOT_FOUND', ids.operatorB, 'Audit', 'Get', [`trade:${tx(1)}.0`]);
    await m.refused('FORBIDDEN', ids.alice, 'Audit', 'Search', [JSON.stringify({})]);
    const alerts = await m.ok<AuditRecord[]>(ids.trustee, 'Audit', 'Search', [JSON.stringify({ type: 'ALERT' })]);
    expect(alerts).to.deep.equal([]);
  });

  it('keeps the policy the regulator sets, with defaults before', async () => {
    expect(await m.ok(ids.operatorA, 'Audit', 'GetPolicy')).to.deep.equal(DEFAULT_AUDIT_POLICY);
    const policy = { ...DEFAULT_AUDIT_POLICY, largeTransferThresholds: { 'TrusteeMSP.MYR': '100000' } };
    await m.ok(ids.regulator, 'Audit', 'SetPolicy', [JSON.stringify(policy)]);
    expect(await m.ok(ids.trustee, 'Audit', 'GetPolicy')).to.deep.equal(policy);
  });

  it('binds each contract to its channel', async () => {
    await m.refused('FORBIDDEN', ids.regulator, 'Registry', 'AdmitParticipant', [
      JSON.stringify({ mspId: 'TrusteeMSP', kind: 'trustee', reason: 'licensed' }),
    ]);
    m.world.channel = 'market';
    await m.refused('FORBIDDEN', ids.regulator, 'Audit', 'File', [JSON.stringify(filing())]);
  });
});
