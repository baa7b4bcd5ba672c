import { expect } from 'chai';
import { DEFAULT_AUDIT_POLICY, splitFiling, type AuditFiling, type AuditRecord } from '@ecf/common';
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

const SALT = Buffer.alloc(32, 7).toString('base64');
/** Arguments and transient data of a filing, as the relay submits it. */
const file = (f: AuditFiling): [string[], unknown] => {
  const { publicPart, privatePart } = splitFiling(f, SALT);
  return [[JSON.stringify(publicPart)], privatePart];
};

describe('Audit contract (audit channel)', () => {
  let m: Market;
  beforeEach(() => {
    m = new Market();
    m.world.channel = 'audit';
  });

  it('files a record once: a repeated filing of the same id writes nothing', async () => {
    const first = await m.ok<{ created: boolean; record: AuditRecord }>(
      ids.regulator,
      'Audit',
      'File',
      ...file(filing()),
    );
    expect(first.created).to.equal(true);
    expect(first.record).to.include({ filedBy: 'RegulatorMSP', type: 'TRADE' });
    const again = await m.call<{ created: boolean }>(ids.regulator, 'Audit', 'File', ...file(filing()));
    expect(again.value?.created).to.equal(false);
    expect(again.stub.attemptedWrites).to.deep.equal([]);
    await m.refused('CONFLICT', ids.regulator, 'Audit', 'File', ...file(filing({ type: 'CHECKPOINT' })));
  });

  it('lets only the regulator file or set the policy', async () => {
    for (const who of [ids.trustee, ids.operatorA, ids.alice]) {
      await m.refused('FORBIDDEN', who, 'Audit', 'File', ...file(filing()));
      await m.refused('FORBIDDEN', who, 'Audit', 'SetPolicy', [JSON.stringify(DEFAULT_AUDIT_POLICY)]);
    }
  });

  it('refuses malformed filings before any read', async () => {
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Audit', 'File', ...file(filing({ id: 'no colon' })));
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Audit', 'File', ...file(filing({ type: 'ALERT' })));
    await m.refused(
      'INVALID_ARGUMENT',
      ids.regulator,
      'Audit',
      'File',
      ...file({ ...filing(), extra: true } as AuditFiling),
    );
    // A record with parties: its account-level content only in transient data, with a salt.
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Audit', 'File', [JSON.stringify(filing())]);
    const [args, privatePart] = file(filing());
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Audit', 'File', [JSON.stringify(filing())], privatePart);
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Audit', 'File', args, {
      ...(privatePart as object),
      salt: 'short',
    });
    // A record about customers' movements never goes public for want of parties.
    for (const f of [
      filing({ parties: [] }),
      filing({ parties: [], type: 'LARGE_TRANSFER', id: `large-transfer:${tx(6)}` }),
      filing({ parties: [], type: 'ALERT', kind: 'LAYERING', id: `alert:layering:${tx(7)}` }),
    ])
      await m.refused('INVALID_ARGUMENT', ids.regulator, 'Audit', 'File', ...file(f));
    // A record without parties is public whole and takes no transient data.
    const open = filing({ parties: [], type: 'CHECKPOINT', id: `checkpoint:${tx(3)}` });
    await m.refused('INVALID_ARGUMENT', ids.regulator, 'Audit', 'File', [JSON.stringify(open)], privatePart);
  });

  it('shows an org only the records that name it; the regulator sees all; customers none', async () => {
    await m.ok(ids.regulator, 'Audit', 'File', ...file(filing()));
    await m.ok(
      ids.regulator,
      'Audit',
      'File',
      ...file(filing({ id: `alert:halt:${tx(2)}`, type: 'ALERT', kind: 'CIRCUIT_BREAKER', parties: ['OperatorBMSP'] })),
    );
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
    await m.refused('FORBIDDEN', ids.regulator, 'Audit', 'File', ...file(filing()));
  });

  it("keeps a record's accounts and amounts out of public state: only in the regulator's and each party's collection", async () => {
    const f = filing({
      id: `large-transfer:${tx(4)}.0`,
      type: 'LARGE_TRANSFER',
      parties: ['OperatorAMSP', 'OperatorBMSP'],
      subjects: ['acc-alice', 'acc-bob', 'TrusteeMSP.MYR'],
      summary: '7319 of TrusteeMSP.MYR from acc-alice to acc-bob (transfer)',
      details: { amount: '7319', originator: 'acc-alice', beneficiary: 'acc-bob' },
    });
    const response = await m.ok(ids.regulator, 'Audit', 'File', ...file(f));
    // The response is endorsed, so recorded in the block: it holds only the public part.
    expect(JSON.stringify(response)).not.to.match(/7319|acc-alice|acc-bob/);
    const publicText = [...m.world.state.values()].map((v) => v.toString('utf8')).join('\n');
    const publicKeys = [...m.world.state.keys()].join('\n');
    for (const secret of ['7319', 'acc-alice', 'acc-bob']) {
      expect(publicText).not.to.include(secret);
      expect(publicKeys).not.to.include(secret);
    }
    expect(JSON.stringify(m.world.events)).not.to.include('7319');
    const holders = [...m.world.collections.entries()]
      .filter(([, c]) => [...c.values()].some((v) => v.toString('utf8').includes('7319')))
      .map(([name]) => name)
      .sort();
    expect(holders).to.deep.equal(['auditOperatorA', 'auditOperatorB', 'auditRegulator']);
    for (const c of holders) expect(m.world.collection(c).size).to.equal(1);

    // Every reader gets the whole record back, from its own collection.
    for (const who of [ids.regulator, ids.operatorA, ids.operatorB]) {
      const record = await m.ok<AuditRecord>(who, 'Audit', 'Get', [f.id]);
      expect(record).to.deep.include({ summary: f.summary, details: f.details, subjects: f.subjects });
      expect(record).not.to.have.property('salt');
      expect(record).not.to.have.property('private');
      const found = await m.ok<AuditRecord[]>(who, 'Audit', 'Search', [JSON.stringify({ subject: 'acc-bob' })]);
      expect(found.map((r) => r.id)).to.deep.equal([f.id]);
    }
    await m.refused('NOT_FOUND', ids.trustee, 'Audit', 'Get', [f.id]);
    expect(await m.ok(ids.trustee, 'Audit', 'Search', [JSON.stringify({ subject: 'acc-bob' })])).to.deep.equal([]);

    // A peer the private part has not reached yet says so instead of answering a record without content.
    m.world.collection('auditOperatorB').clear();
    await m.refused('UNAVAILABLE', ids.operatorB, 'Audit', 'Get', [f.id]);
  });

  it('keeps a record without parties public whole (it restates public market facts)', async () => {
    const f = filing({
      id: `checkpoint:${tx(5)}`,
      type: 'CHECKPOINT',
      parties: [],
      subjects: [],
      summary: 'market block 9',
    });
    await m.ok(ids.regulator, 'Audit', 'File', ...file(f));
    expect([...m.world.state.values()].map((v) => v.toString('utf8')).join('')).to.include('market block 9');
    expect(await m.ok<AuditRecord>(ids.regulator, 'Audit', 'Get', [f.id])).to.deep.include({
      summary: 'market block 9',
    });
  });
});
