import { expect } from 'chai';
import type { ImportRegisterResult } from '@ecf/common';
import { ACME, ids, Market, YEAR } from '../testing/market-fixture';

const REGISTER = 'acme-legacy-2019';

describe('legacy register import as the opening issuance (decision 47)', () => {
  let m: Market;
  const lines = [
    { line: 1, accountId: 'acc-alice', units: '300' },
    { line: 2, accountId: 'acc-bob', units: '1200' },
    { line: 3, accountId: 'acc-carol', units: '45' },
  ];
  const batch = (over: Record<string, unknown> = {}) => ({ registerId: REGISTER, classId: ACME, lines, ...over });
  const importBatch = (payload: unknown) =>
    m.ok<ImportRegisterResult>(ids.trustee, 'Equity', 'ImportRegister', [], payload);
  const balances = async () =>
    Promise.all(['acc-alice', 'acc-bob', 'acc-carol'].map((a) => m.balance(a, ACME).then(String)));

  beforeEach(async () => {
    m = await new Market().setup();
  });

  it("issues every line to its holder, at both operators, and keeps the class's supply consistent", async () => {
    const r = await importBatch(batch());
    expect(r).to.deep.equal({ registerId: REGISTER, classId: ACME, imported: 3, alreadyImported: 0 });
    expect(await balances()).to.deep.equal(['300', '1200', '45']);
    expect(await m.supply(ACME)).to.include({ supply: '1545', held: '1545', consistent: true });
  });

  it('changes nothing when rerun, whole or in part', async () => {
    await importBatch(batch({ lines: lines.slice(0, 2) }));
    const again = await importBatch(batch());
    expect(again).to.include({ imported: 1, alreadyImported: 2 });
    const third = await importBatch(batch());
    expect(third).to.include({ imported: 0, alreadyImported: 3 });
    expect(await balances()).to.deep.equal(['300', '1200', '45']);
    expect(await m.supply(ACME)).to.include({ supply: '1545', consistent: true });
  });

  it('refuses unknown holders, naming every one, and writes nothing', async () => {
    const message = await m.refused('NOT_FOUND', ids.trustee, 'Equity', 'ImportRegister', [], {
      ...batch(),
      lines: [...lines, { line: 4, accountId: 'acc-zed', units: '1' }, { line: 5, accountId: 'acc-yan', units: '2' }],
    });
    expect(message).to.match(/UNKNOWN_HOLDERS/);
    expect(message).to.contain('acc-yan, acc-zed');
    expect(await balances()).to.deep.equal(['0', '0', '0']);
  });

  it('refuses a line imported before with other units or another holder, and writes nothing', async () => {
    await importBatch(batch());
    for (const changed of [
      { line: 2, accountId: 'acc-bob', units: '1201' },
      { line: 2, accountId: 'acc-carol', units: '1200' },
    ]) {
      const message = await m.refused('CONFLICT', ids.trustee, 'Equity', 'ImportRegister', [], {
        ...batch(),
        lines: [changed],
      });
      expect(message).to.contain('line 2');
    }
    expect(await balances()).to.deep.equal(['300', '1200', '45']);
  });

  it('refuses a second register for a class already opened from one', async () => {
    await importBatch(batch());
    await m.refused('CONFLICT', ids.trustee, 'Equity', 'ImportRegister', [], batch({ registerId: 'another' }));
  });

  it("applies the holders' receiver rules: an expired KYC, and a retail cap over the holder's lines together", async () => {
    await m.refused(
      'COMPLIANCE: INVESTMENT_CAP_EXCEEDED',
      ids.trustee,
      'Equity',
      'ImportRegister',
      [],
      batch({
        lines: [
          { line: 1, accountId: 'acc-alice', units: '600' },
          { line: 2, accountId: 'acc-alice', units: '500' },
        ],
      }),
    );
    m.world.now += 2 * YEAR;
    await m.refused('COMPLIANCE: RECEIVER_KYC_EXPIRED', ids.trustee, 'Equity', 'ImportRegister', [], batch());
  });

  it('refuses a register with a line number twice', async () => {
    await m.refused('INVALID_ARGUMENT', ids.trustee, 'Equity', 'ImportRegister', [], {
      ...batch(),
      lines: [lines[0], { ...lines[1], line: 1 }],
    });
  });
});
