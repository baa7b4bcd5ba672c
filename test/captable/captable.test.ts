import { PGlite } from '@electric-sql/pglite';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientPool, createShareClass, type Client } from '../support/client';
import { until } from '../support/eventually';
import { kyc } from '../support/fixtures';
import { gatewayCli, tokenFor, type Api } from '../support/http';
import type { TestNetwork } from '../support/network';
import { sharedMarket } from '../support/shared-network';

const CLASS = 'CAP-ORD';
const salt = 'Y2FwLXRhYmxlLXRlc3Qtc2FsdC0x';
const HOLDERS = ['cap-a1', 'cap-a2', 'cap-b1'] as const;
/** A CLI's answer: its last line (log lines may come before it). */
const lastJson = (out: string): unknown => JSON.parse(out.trim().split('\n').pop() ?? '');

interface CapTable {
  asOfBlock: string | null;
  totalUnits: string;
  holders: Array<{ accountId: string; units: string; escrowed: string; total: string }>;
}
interface Movement {
  assetId: string;
  delta: string;
}

/**
 * The trustee's cap table service (decision 46) on the shared network, with its own accounts and class:
 * projected exactly once across a kill under load, rebuilt identically from block 0, as of a past block
 * equal to the balances then, reconciled with the chaincode with zero breaks, and a tampered row caught.
 */
describe('the cap table, projected from the chain by the trustee', function () {
  this.timeout(900_000);
  let net: TestNetwork;
  let pool: ClientPool;
  let trustee: Client;
  let operatorA: Client;
  let regulator: Client;
  let api: Api;

  const onboard = (op: Client, accountId: string, type: 'investor' | 'issuer') =>
    op.submit('Accounts:Onboard', {
      transient: {
        accountId,
        type,
        kyc: kyc('sophisticated'),
        personal: { fullName: accountId, nationalId: `ID-${accountId}`, dateOfBirth: '1980-01-01' },
        salt,
      },
    });
  const issue = (accountId: string, amount: string) =>
    trustee.submit('Equity:Issue', { transient: { accountId, classId: CLASS, amount, purpose: 'offering' } });
  const transfer = (from: string, to: string, amount: string) =>
    operatorA.submit('Transfers:Transfer', { transient: { from, to, assetId: CLASS, amount } });
  /** The chaincode's balances of the class, read by the regulator: { account: units }. */
  const ledger = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const accountId of HOLDERS) {
      const { balance } = await regulator.evaluate<{ balance: string }>('Transfers:GetBalance', {
        args: [JSON.stringify({ accountId, assetId: CLASS })],
      });
      if (balance !== '0') out[accountId] = balance;
    }
    return out;
  };
  const table = async (query = ''): Promise<CapTable> =>
    (await api.ok('GET', `/v1/captable/classes/${CLASS}${query}`)) as CapTable;
  const units = (t: CapTable) => Object.fromEntries(t.holders.map((h) => [h.accountId, h.total]));
  /** Waits until the projection shows exactly the chaincode's balances now. */
  const caughtUp = async (): Promise<CapTable> => {
    const expected = await ledger();
    let last: CapTable | undefined;
    await until(
      async () => (last = await table().catch(() => undefined)),
      (t) => t !== undefined && JSON.stringify(units(t)) === JSON.stringify(expected),
      `cap table equals the ledger ${JSON.stringify(expected)}`,
      120_000,
    );
    return last!;
  };
  const captable = (...args: string[]) => gatewayCli(net, 'captable', ...args, '--org', 'Trustee');

  before(async () => {
    ({ net, pool } = await sharedMarket());
    trustee = pool.get('Trustee');
    operatorA = pool.get('OperatorA');
    regulator = pool.get('Regulator');
    await onboard(operatorA, 'cap-issuer', 'issuer');
    await onboard(operatorA, 'cap-a1', 'investor');
    await onboard(operatorA, 'cap-a2', 'investor');
    await onboard(pool.get('OperatorB'), 'cap-b1', 'investor');
    await createShareClass(trustee, CLASS, 'cap-issuer');
    // The trustee's gateway and, beside it, its cap table service (what `npm start` runs).
    await gatewayCli(net, 'up', '--org', 'Trustee');
    api = await tokenFor(net, 'Trustee', 'gateway');
  });

  after(async () => {
    await gatewayCli(net, 'down', '--org', 'Trustee').catch(() => undefined);
  });

  it('answers as of a past block with the balances the chaincode had then', async () => {
    await issue('cap-a1', '1000');
    await issue('cap-b1', '500');
    const then = await caughtUp();
    const before = await ledger();
    expect(before).to.deep.equal({ 'cap-a1': '1000', 'cap-b1': '500' });
    const block = then.asOfBlock!;
    await transfer('cap-a1', 'cap-a2', '100');
    expect(units(await caughtUp())).to.deep.equal({ 'cap-a1': '900', 'cap-a2': '100', 'cap-b1': '500' });
    const past = await table(`?block=${block}`);
    expect(past.asOfBlock).to.equal(block);
    expect(units(past)).to.deep.equal(before);
    // Replayed: the chaincode's own movement history up to that point gives the same balances.
    const replayed: Record<string, string> = {};
    for (const accountId of HOLDERS) {
      const history = await regulator.evaluate<{ movements: Movement[] }>('Accounts:GetHistory', { args: [accountId] });
      const mine = history.movements.filter((m) => m.assetId === CLASS);
      // Every movement before the transfer: the issuances, one per holder.
      const sum = mine.slice(0, accountId === 'cap-a2' ? 0 : 1).reduce((s, m) => s + BigInt(m.delta), 0n);
      if (sum !== 0n) replayed[accountId] = sum.toString();
    }
    expect(units(past)).to.deep.equal(replayed);

    const conc = await api.ok('GET', `/v1/captable/classes/${CLASS}/concentration`);
    expect(conc).to.include({ holders: 3, totalUnits: '1500', largest: 6000 });
    const csv = await api.get<string>(`/v1/captable/classes/${CLASS}/register?block=${block}`);
    expect(csv.status).to.equal(200);
    expect(csv.headers.get('content-type')).to.match(/^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines.slice(1).map((l) => l.split(',').slice(2, 7).join(','))).to.deep.equal([
      'cap-a1,OperatorAMSP,1000,0,1000',
      'cap-b1,OperatorBMSP,500,0,500',
    ]);
    const history = await api.ok('GET', `/v1/captable/holders/cap-a2/positions?assetId=${CLASS}`);
    expect(history.items.map((i: { kind: string; balance: string }) => [i.kind, i.balance])).to.deep.equal([
      ['transfer', '100'],
    ]);
  });

  it('projects exactly once when the service is killed under load and restarted', async () => {
    const started = Date.now();
    const load = (async () => {
      for (let i = 0; i < 12; i++) {
        if (i % 3 === 2) await issue('cap-b1', '7');
        else await transfer(i % 2 ? 'cap-a2' : 'cap-a1', i % 2 ? 'cap-a1' : 'cap-a2', String(10 + i));
      }
    })();
    // Killed (SIGKILL) once the load is under way, and started again while it goes on.
    await until(
      () => table(),
      (t) => units(t)['cap-a1'] !== '900',
      'the projection follows the load',
      120_000,
    );
    await gatewayCli(net, 'crash', '--org', 'Trustee', '--captable');
    await gatewayCli(net, 'up', '--org', 'Trustee');
    await load;
    await caughtUp();
    console.log(`      load of 12 transactions with a kill and restart projected in ${Date.now() - started} ms`);
    // Every holder's projected history is the chaincode's movement history, one row for one movement.
    for (const accountId of HOLDERS) {
      const chain = (
        await regulator.evaluate<{ movements: Movement[] }>('Accounts:GetHistory', { args: [accountId] })
      ).movements.filter((m) => m.assetId === CLASS);
      const projected = (await api.ok('GET', `/v1/captable/holders/${accountId}/positions?assetId=${CLASS}`))
        .items as Movement[];
      expect(
        projected.map((m) => m.delta),
        accountId,
      ).to.deep.equal(chain.map((m) => m.delta));
    }
    const out = await captable('reconcile');
    expect(out).to.match(/: 0 break\(s\)/);
  });

  it('a rebuild from block 0 gives an identical database', async () => {
    const live = lastJson(await captable('digest')) as { projectedThrough: string; digest: string };
    const into = mkdtempSync(join(tmpdir(), 'ecf-captable-rebuild-'));
    try {
      const started = Date.now();
      const rebuilt = lastJson(await captable('rebuild', '--through', live.projectedThrough, '--into', into)) as {
        through: string;
        digest: string;
      };
      console.log(`      rebuilt blocks 0..${live.projectedThrough} in ${Date.now() - started} ms`);
      expect(rebuilt).to.deep.equal({ through: live.projectedThrough, digest: live.digest });
    } finally {
      rmSync(into, { recursive: true, force: true });
    }
  });

  it('reports a deliberately altered row as a break', async () => {
    await gatewayCli(net, 'down', '--org', 'Trustee', '--captable');
    const db = new PGlite(join(net.layout.gateways, net.org('Trustee').slug, 'captable'));
    try {
      const changed = await db.query(
        `UPDATE position_change SET delta = delta + 1
          WHERE (block, tx_index, n) = (SELECT block, tx_index, n FROM position_change
                                         WHERE account_id = 'cap-a2' AND asset_id = $1 AND delta <> 0
                                         ORDER BY block DESC LIMIT 1)`,
        [CLASS],
      );
      expect(changed.affectedRows).to.equal(1);
      // The projection holds no personal data: none of the holders' national ids or birth dates.
      const everything = await db.query<{ t: string }>(
        `SELECT concat_ws('|', (SELECT string_agg(p::text, '|') FROM position_change p),
                (SELECT string_agg(h::text, '|') FROM holder h), (SELECT string_agg(i::text, '|') FROM instrument i),
                (SELECT string_agg(e::text, '|') FROM open_escrow e)) AS t`,
      );
      expect(everything.rows[0]?.t).to.contain('cap-a2').and.not.to.contain('ID-cap-').and.not.to.contain('1980-01-01');
    } finally {
      await db.close();
    }
    await gatewayCli(net, 'up', '--org', 'Trustee');
    const expected = (await ledger())['cap-a2'];
    const failed = await captable('reconcile').then(
      () => expect.fail('a break must fail the command'),
      (err: Error) => err.message,
    );
    expect(failed).to.contain(
      `BREAK cap-a2 ${CLASS}: ledger ${expected}, projected ${BigInt(expected!) + 1n} (difference 1)`,
    );
    expect(failed).to.match(/: 1 break\(s\)/);
  });
});
