import { ids, Market, type ContractName } from '@ecf/chaincode/dist/testing/market-fixture';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importRegisterFile, RegisterRefused, registerReport, type Ledger } from './ledger';
import { parseRegisterCsv, registerBatches } from './register';

const fixture = () => readFileSync(join(__dirname, '../../fixtures/reconciliation/register.csv'), 'utf8');

/**
 * The trustee's calls run by the chaincode itself on the unit tests' fake stub: an evaluation is
 * simulated and then forgotten, as a peer forgets an evaluated proposal; a submission is kept.
 */
function trusteeLedger(m: Market): Ledger & { submitted: number } {
  const run = async (fn: string, opts: { args?: string[]; transient?: unknown } = {}) => {
    const [contract, method] = fn.split(':') as [ContractName, string];
    const r = await m.call(ids.trustee, contract, method, opts.args ?? [], opts.transient);
    if (!r.ok) throw new Error(r.error?.message);
    return r.value;
  };
  const ledger = {
    submitted: 0,
    evaluate: async (fn: string, opts?: { args?: string[]; transient?: unknown }) => {
      const state = new Map(m.world.state);
      const collections = new Map([...m.world.collections].map(([name, c]) => [name, new Map(c)]));
      try {
        return await run(fn, opts);
      } finally {
        m.world.state.clear();
        for (const [k, v] of state) m.world.state.set(k, v);
        m.world.collections.clear();
        for (const [k, v] of collections) m.world.collections.set(k, v);
      }
    },
    submit: async (fn: string, opts?: { transient?: unknown }) => {
      ledger.submitted++;
      return run(fn, opts);
    },
  };
  return ledger;
}

describe('a register of members file: import and reconciliation against the ledger', () => {
  let m: Market;
  let ledger: ReturnType<typeof trusteeLedger>;

  beforeEach(async () => {
    m = await new Market().setup();
    await m.ok(ids.trustee, 'Equity', 'CreateShareClass', [
      JSON.stringify({
        classId: 'ACME-PREF',
        issuerAccountId: 'acc-acme',
        kind: 'preference',
        decimals: 0,
        allowedInvestorClasses: ['retail', 'sophisticated'],
      }),
    ]);
    ledger = trusteeLedger(m);
  });

  it('reads the file by line number and batches it per class', () => {
    const entries = parseRegisterCsv(fixture());
    expect(entries[3]).to.deep.equal({ line: 4, accountId: 'acc-alice', classId: 'ACME-PREF', units: '10' });
    const batches = registerBatches('r1', entries, 2);
    expect(batches.map((b) => [b.classId, b.lines.map((l) => l.line)])).to.deep.equal([
      ['ACME-ORD', [1, 2]],
      ['ACME-ORD', [3]],
      ['ACME-PREF', [4]],
    ]);
  });

  it('refuses invalid lines, all of them by number and column, before anything is sent', () => {
    const csv = 'holder,class,units\nacc-alice,ACME-ORD,1.5\nbad holder,ACME-ORD,3\nacc-bob,ACME-ORD,0\n';
    expect(() => parseRegisterCsv(csv)).to.throw(/line 1: units; line 2: holder; line 3: units/);
  });

  it('imports the register, then reconciles it with zero breaks; a rerun changes nothing', async () => {
    const first = await importRegisterFile(ledger, 'acme-2019', fixture());
    expect(first.classes).to.deep.equal([
      { classId: 'ACME-ORD', imported: 3, alreadyImported: 0 },
      { classId: 'ACME-PREF', imported: 1, alreadyImported: 0 },
    ]);
    const again = await importRegisterFile(ledger, 'acme-2019', fixture());
    expect(again.classes.map((c) => c.imported)).to.deep.equal([0, 0]);
    expect(await m.balance('acc-bob', 'ACME-ORD')).to.equal(1200n);
    const report = await registerReport(ledger, fixture());
    expect(report.breaks).to.deep.equal([]);
    expect(report.classes).to.deep.equal([
      { classId: 'ACME-ORD', registerUnits: '1545', ledgerSupply: '1545' },
      { classId: 'ACME-PREF', registerUnits: '10', ledgerSupply: '10' },
    ]);
  });

  it('reports a changed line, a holder the ledger does not know, and units the register does not list', async () => {
    await importRegisterFile(ledger, 'acme-2019', fixture());
    const changed = fixture().replace('acc-bob,ACME-ORD,1200', 'acc-bob,ACME-ORD,1150') + 'acc-nobody,ACME-PREF,1\n';
    const report = await registerReport(ledger, changed);
    expect(report.breaks).to.deep.equal([
      {
        kind: 'HOLDING_MISMATCH',
        classId: 'ACME-ORD',
        accountId: 'acc-bob',
        lines: [2],
        register: '1150',
        ledger: '1200',
        difference: '-50',
      },
      {
        kind: 'UNKNOWN_HOLDER',
        classId: 'ACME-PREF',
        accountId: 'acc-nobody',
        lines: [5],
        register: '1',
        ledger: '0',
        difference: '1',
      },
      { kind: 'UNREGISTERED_UNITS', classId: 'ACME-ORD', register: '1495', ledger: '1545', difference: '-50' },
      { kind: 'UNREGISTERED_UNITS', classId: 'ACME-PREF', register: '11', ledger: '10', difference: '1' },
    ]);
  });

  it('refuses a register with unknown holders in any batch, naming them all, and submits nothing', async () => {
    const csv = `${fixture()}acc-zed,ACME-ORD,5\nacc-yan,ACME-PREF,7\n`;
    let refused: unknown;
    await importRegisterFile(ledger, 'acme-2019', csv).catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(RegisterRefused);
    expect((refused as RegisterRefused).holders).to.deep.equal(['acc-yan', 'acc-zed']);
    expect(ledger.submitted).to.equal(0);
    expect(await m.balance('acc-alice', 'ACME-ORD')).to.equal(0n);
  });
});
