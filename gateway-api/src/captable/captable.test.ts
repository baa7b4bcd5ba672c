import { Role } from '@ecf/common';
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import request from 'supertest';
import { createLogger } from '../log';
import { FakeFabric, harness } from '../testing/fake-fabric';
import { bearer } from '../testing/fixtures';
import { block, chain, CLASS, movement, MYR, tx } from '../testing/captable-chain';
import { capTableApi } from './api';
import { migrate, MIGRATIONS } from './migrations';
import { factsOf } from './projection';
import { CapTableProjector } from './projector';
import { capTable, concentration, digest, positionHistory, registerCsv } from './queries';
import { reconcile } from './reconcile';
import { memoryDatabase, openDatabase, type Sql } from './sql';
import { applyBlock, projectedThrough } from './store';
import { Writable } from 'node:stream';

const quiet = createLogger({ org: 'Trustee', stream: new Writable({ write: (_c, _e, cb) => cb() }) });

/**
 * The same suite on each database the service supports: PGlite always, and a PostgreSQL server when
 * ECF_CAPTABLE_TEST_DATABASE_URL names one (scripts/with-postgres.sh starts a throwaway cluster for it).
 */
const backends: Array<[string, () => Promise<Sql>]> = [['PGlite', memoryDatabase]];
// Its own variable: the suite empties the database, so it must never pick up a real deployment's URL.
const serverUrl = process.env.ECF_CAPTABLE_TEST_DATABASE_URL;
if (serverUrl) backends.push(['a PostgreSQL server', () => openDatabase({ url: serverUrl })]);

/** Each test starts from an empty database (a new PGlite takes seconds to start, so they are reused). */
async function empty(sql: Sql): Promise<Sql> {
  await sql.query('DROP SCHEMA public CASCADE');
  await sql.query('CREATE SCHEMA public');
  return sql;
}

/** The holders' units of a class as { account: total }. */
const totals = async (sql: Sql, asOf: Parameters<typeof capTable>[2] = {}) =>
  Object.fromEntries((await capTable(sql, CLASS, asOf)).holders.map((h) => [h.accountId, h.total]));

async function project(sql: Sql, blocks = chain()): Promise<FakeFabric> {
  const fabric = new FakeFabric();
  fabric.chain = blocks;
  await new CapTableProjector({ market: fabric, sql, logger: quiet }).run(new AbortController().signal);
  return fabric;
}

for (const [name, open] of backends) {
  describe(`cap table projection on ${name}`, function () {
    this.timeout(60_000);
    let sql: Sql;
    let other: Sql;
    before(async () => {
      sql = await open();
      other = await memoryDatabase();
    });
    beforeEach(async () => {
      await migrate(await empty(sql));
    });
    after(async () => {
      await sql.close();
      await other.close();
    });

    it('migrates in numbered steps, once each', async () => {
      const fresh = await empty(sql);
      expect(await migrate(fresh, MIGRATIONS.slice(0, 1))).to.deep.equal([1]);
      // A later start runs only the steps added since.
      expect(await migrate(fresh)).to.deep.equal(MIGRATIONS.slice(1).map((m) => m.version));
      expect(await migrate(fresh)).to.deep.equal([]);
      const versions = await fresh.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY 1');
      expect(versions.map((v) => Number(v.version))).to.deep.equal(MIGRATIONS.map((m) => m.version));
    });

    it('projects every movement of valid transactions, with open-order units still the seller’s', async () => {
      await project(sql);
      expect(await projectedThrough(sql)).to.equal(7n);
      expect(await totals(sql)).to.deep.equal({ ann: '70', ben: '35', cat: '45' });
      const now = await capTable(sql, CLASS);
      expect(now.issuerAccountId).to.equal('issuer');
      expect(now.totalUnits).to.equal('150');
      expect(now.holders.find((h) => h.accountId === 'ben')).to.deep.equal({
        accountId: 'ben',
        operatorMspId: 'OperatorBMSP',
        units: '35',
        escrowed: '0',
        total: '35',
      });
      // The money token's holders, from the same movements.
      const money = await capTable(sql, MYR);
      expect(money.holders.map((h) => [h.accountId, h.units])).to.deep.equal([
        ['ben', '650'],
        ['cat', '50'],
      ]);
    });

    it('answers as of a past block or time', async () => {
      await project(sql);
      expect(await totals(sql, { block: 2n })).to.deep.equal({ ann: '100', ben: '50' });
      expect(await totals(sql, { block: 4n })).to.deep.equal({ ann: '70', ben: '50', cat: '30' });
      // While the sell order is open, its units stay the seller's.
      const open = await capTable(sql, CLASS, { block: 5n });
      expect(open.holders.find((h) => h.accountId === 'ben')).to.include({ units: '30', escrowed: '20', total: '50' });
      expect(await totals(sql, { block: 6n })).to.deep.equal({ ann: '70', ben: '35', cat: '45' });
      expect(await totals(sql, { at: 3500 })).to.deep.equal({ ann: '70', ben: '50', cat: '30' });
      expect((await capTable(sql, CLASS, { at: 3500 })).asOfBlock).to.equal('3');
      expect((await capTable(sql, CLASS, { at: 10 })).holders).to.deep.equal([]);
      await capTable(sql, CLASS, { block: 8n }).then(
        () => expect.fail('a block not yet projected must be refused'),
        (err: Error) => expect(err.message).to.contain('not projected yet'),
      );
    });

    it('gives a holder’s position history with running balances', async () => {
      await project(sql);
      const ben = await positionHistory(sql, 'ben', CLASS);
      expect(ben.items.map((i) => [i.block, i.kind, i.delta, i.escrowDelta, i.balance, i.escrowed])).to.deep.equal([
        ['2', 'issue', '50', '0', '50', '0'],
        ['5', 'order', '-20', '0', '30', '0'],
        ['5', 'escrow', '0', '20', '30', '20'],
        ['6', 'escrow', '0', '-15', '30', '5'],
        ['7', 'escrow', '0', '-5', '30', '0'],
        ['7', 'refund', '5', '0', '35', '0'],
      ]);
      expect((await positionHistory(sql, 'ben')).items.map((i) => i.assetId)).to.include(MYR);
    });

    it('counts holders and measures concentration exactly', async () => {
      await project(sql);
      expect(await concentration(sql, CLASS)).to.deep.equal({
        assetId: CLASS,
        asOfBlock: '7',
        holders: 3,
        totalUnits: '150',
        largest: 4666, // 70 / 150
        top5: 10_000,
        top10: 10_000,
        herfindahl: 3622, // (70² + 45² + 35²) / 150² = 0.3622…
      });
    });

    it('exports a register of members as CSV', async () => {
      await project(sql);
      const csv = await registerCsv(sql, CLASS, { block: 5n });
      expect(csv.split('\r\n')).to.deep.equal([
        'register_of,as_of_block,holder_account,operator,units_held,units_in_open_orders,total_units,entered_on,last_change_on',
        `${CLASS},5,ann,OperatorAMSP,70,0,70,1970-01-01,1970-01-01`,
        `${CLASS},5,ben,OperatorBMSP,30,20,50,1970-01-01,1970-01-01`,
        `${CLASS},5,cat,OperatorAMSP,30,0,30,1970-01-01,1970-01-01`,
        '',
      ]);
    });

    it('writes a block once: a repeat is skipped, a gap refused, a failed block leaves nothing', async () => {
      const blocks = chain();
      for (const b of blocks.slice(0, 3)) expect(await applyBlock(sql, factsOf(b))).to.equal(true);
      const before = await digest(sql);
      expect(await applyBlock(sql, factsOf(blocks[2]!))).to.equal(false);
      expect(await digest(sql)).to.equal(before);
      await applyBlock(sql, factsOf(blocks[4]!)).then(
        () => expect.fail('a gap must be refused'),
        (err: Error) => expect(err.message).to.contain('gap'),
      );
      // A movement the schema cannot hold fails its block's transaction: none of its rows stay.
      const bad = block(3, [
        tx('z3', 3000, [
          movement('ann', CLASS, '1', 'transfer'),
          movement('ann', CLASS, `1${'0'.repeat(25)}`, 'transfer'),
        ]),
      ]);
      await applyBlock(sql, factsOf(bad)).then(
        () => expect.fail('a bad block must fail'),
        () => undefined,
      );
      expect(await digest(sql)).to.equal(before);
      expect(await projectedThrough(sql)).to.equal(2n);
    });

    it('a projection killed between blocks and restarted equals one run straight through', async () => {
      const straight = await empty(other);
      await migrate(straight);
      await project(straight);
      // Killed: the database fails in the middle of block 5's transaction.
      const fabric = new FakeFabric();
      fabric.chain = chain();
      const failing: Sql = {
        ...sql,
        query: sql.query,
        transaction: (fn) =>
          sql.transaction(async (t) => {
            const out = await fn({
              query: async (text, params) => {
                const rows = await t.query(text, params);
                if (text.includes('INSERT INTO position_change') && params?.[0] === '5') throw new Error('killed');
                return rows as never;
              },
            });
            return out;
          }),
      };
      const projector = new CapTableProjector({ market: fabric, sql: failing, logger: quiet });
      await projector.run(new AbortController().signal).then(
        () => expect.fail('the kill must stop it'),
        (err: Error) => expect(err.message).to.equal('killed'),
      );
      expect(await projectedThrough(sql)).to.equal(4n);
      await new CapTableProjector({ market: fabric, sql, logger: quiet }).run(new AbortController().signal);
      expect(await digest(sql)).to.equal(await digest(straight));
      const [count] = await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM position_change');
      expect(count?.n).to.equal('14');
    });

    it('a rebuild up to a block stops there', async () => {
      const fabric = new FakeFabric();
      fabric.chain = chain();
      await new CapTableProjector({ market: fabric, sql, logger: quiet }).run(new AbortController().signal, 3n);
      expect(await projectedThrough(sql)).to.equal(3n);
    });

    it('reconciles with the chaincode’s balances: zero breaks, and an altered row is a break', async () => {
      const fabric = await project(sql);
      const ledger: Record<string, Array<{ assetId: string; balance: string }>> = {
        ann: [{ assetId: CLASS, balance: '70' }],
        ben: [
          { assetId: CLASS, balance: '35' },
          { assetId: MYR, balance: '650' },
        ],
        cat: [
          { assetId: CLASS, balance: '45' },
          { assetId: MYR, balance: '50' },
        ],
        issuer: [],
      };
      fabric.answer('Transfers:GetPortfolio', (call) => {
        const { accountId } = JSON.parse(call.args?.[0] ?? '{}') as { accountId: string };
        return { accountId, positions: ledger[accountId] ?? [] };
      });
      const run = () =>
        reconcile({
          sql,
          market: fabric,
          identity: 'gateway',
          operators: ['OperatorAMSP', 'OperatorBMSP'],
          caughtUp: async () => undefined,
          deadline: () => Date.now() + 1000,
        });
      expect(await run()).to.deep.equal({ projectedThrough: '7', holdersChecked: 4, breaks: [] });
      await sql.query(
        "UPDATE position_change SET delta = delta + 3 WHERE account_id = 'cat' AND asset_id = $1 AND kind = 'trade'",
        [CLASS],
      );
      expect((await run()).breaks).to.deep.equal([
        { accountId: 'cat', assetId: CLASS, ledger: '45', projected: '48', difference: '3' },
      ]);
    });
  });
}

describe('cap table routes on the trustee’s gateway', function () {
  this.timeout(60_000);
  let sql: Sql;
  let server: Server;
  let url: string;
  before(async () => {
    sql = await memoryDatabase();
    await migrate(sql);
    await project(sql);
    const api = capTableApi(sql, {
      server: false,
      reconcile: async () => ({ projectedThrough: null, holdersChecked: 0, breaks: [] }),
    });
    server = await new Promise<Server>((resolve) => {
      const s = api.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.close();
    await sql.close();
  });
  const trusteeOrg = { name: 'Trustee', mspId: 'TrusteeMSP', role: 'trustee' as const, servedOperators: [] };

  it('answer the trustee with the projection, checked against the published schemas', async () => {
    const h = harness({ org: trusteeOrg, capTableUrl: url });
    const res = await request(h.app).get(`/v1/captable/classes/${CLASS}?block=5`).set(bearer(h.token.trustee));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.totalUnits).to.equal('150');
    const conc = await request(h.app).get(`/v1/captable/classes/${CLASS}/concentration`).set(bearer(h.token.trustee));
    expect(conc.body.holders).to.equal(3);
    const history = await request(h.app)
      .get(`/v1/captable/holders/ben/positions?assetId=${MYR}`)
      .set(bearer(h.token.trustee));
    expect(history.body.items.map((i: { balance: string }) => i.balance)).to.deep.equal(['500', '650']);
    const csv = await request(h.app).get(`/v1/captable/classes/${CLASS}/register`).set(bearer(h.token.trustee));
    expect(csv.type).to.equal('text/csv');
    expect(csv.text).to.contain(`${CLASS},7,ben,OperatorBMSP,35,0,35`);
    const status = await request(h.app).get('/v1/captable/status').set(bearer(h.token.trustee));
    expect(status.body).to.deep.equal({ projectedThrough: '7', database: 'embedded', schemaVersion: 2 });
  });

  it('refuse every other role, a bad block, a block not yet projected, and answer 503 without the service', async () => {
    const h = harness({ org: trusteeOrg, capTableUrl: url });
    const issuer = h.tokens.create({ identity: 'acct-issuer', role: Role.ISSUER, accountId: 'issuer' }).token;
    // Not even the class's own issuer: it receives its register from the trustee (decision 46).
    for (const token of [h.token.operator, h.token.regulator, h.token.investor, issuer]) {
      const res = await request(h.app).get(`/v1/captable/classes/${CLASS}`).set(bearer(token));
      expect(res.status).to.equal(403);
      expect(res.body.code).to.equal('FORBIDDEN');
    }
    const bad = await request(h.app).get(`/v1/captable/classes/${CLASS}?block=x`).set(bearer(h.token.trustee));
    expect([bad.status, bad.body.code]).to.deep.equal([400, 'INVALID_ARGUMENT']);
    const ahead = await request(h.app).get(`/v1/captable/classes/${CLASS}?block=99`).set(bearer(h.token.trustee));
    expect([ahead.status, ahead.body.code]).to.deep.equal([404, 'NOT_FOUND']);
    // An operator's gateway has no cap table, even for a credential claiming the trustee role.
    const operator = harness({ capTableUrl: url });
    const res = await request(operator.app).get(`/v1/captable/classes/${CLASS}`).set(bearer(operator.token.trustee));
    expect(res.status).to.equal(403);
    const none = harness({ org: trusteeOrg });
    const down = await request(none.app).get('/v1/captable/status').set(bearer(none.token.trustee));
    expect([down.status, down.body.code]).to.deep.equal([503, 'UNAVAILABLE']);
  });
});
