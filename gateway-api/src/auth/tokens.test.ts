import { Role } from '@ecf/common';
import { expect } from 'chai';
import fs, { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { Scope } from './principal';
import { TokenStore } from './tokens';

/** A second store on the same folder plays the admin CLI: it shares nothing with the gateway but the files. */
describe('token store: the mtime-checked cache (decision 62)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecf-tokens-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const bearer = (token: string) => `Bearer ${token}`;
  const refusal = async (store: TokenStore, token: string) => {
    try {
      await store.authenticate(bearer(token));
    } catch (err) {
      return (err as { code?: string; message: string }).message;
    }
    throw new Error('the token was accepted');
  };

  for (const cache of [true, false]) {
    describe(`cache ${cache ? 'on' : 'off'}`, () => {
      it('refuses a token on the very next request after the CLI revoked it', async () => {
        const gateway = new TokenStore(dir, { cache });
        const cli = new TokenStore(dir);
        const { token, record } = cli.create({ identity: 'gateway', role: Role.OPERATOR });
        for (let i = 0; i < 3; i++) expect((await gateway.authenticate(bearer(token)))?.identity).to.equal('gateway');
        expect(cli.revoke({ id: record.id })).to.equal(1);
        expect(await refusal(gateway, token)).to.equal('unknown or revoked token');
      });

      it('sees a rewritten token file on the next request (a narrower scope, then an expiry in the past)', async () => {
        const gateway = new TokenStore(dir, { cache });
        const { token, record } = new TokenStore(dir).create({ identity: 'gateway', role: Role.OPERATOR });
        expect((await gateway.authenticate(bearer(token)))?.scopes).to.include(Scope.WRITE);
        // Rewritten the way the store writes (a temporary file renamed over it), and in place.
        const file = join(dir, `${record.hash}.json`);
        writeFileSync(`${file}.tmp`, JSON.stringify({ ...record, scopes: [Scope.READ] }));
        renameSync(`${file}.tmp`, file);
        expect((await gateway.authenticate(bearer(token)))?.scopes).to.deep.equal([Scope.READ]);
        writeFileSync(file, JSON.stringify({ ...record, scopes: [Scope.READ], expiresAt: '2020-01-01T00:00:00.000Z' }));
        expect(await refusal(gateway, token)).to.match(/expired at 2020-01-01/);
      });

      it('refuses a token whose file became unreadable as a record, and accepts it again once repaired', async () => {
        const gateway = new TokenStore(dir, { cache });
        const { token, record } = new TokenStore(dir).create({ identity: 'gateway', role: Role.OPERATOR });
        const file = join(dir, `${record.hash}.json`);
        const good = readFileSync(file, 'utf8');
        await gateway.authenticate(bearer(token));
        writeFileSync(file, '{"not":"a token"}');
        expect(await refusal(gateway, token)).to.equal('unknown or revoked token');
        writeFileSync(file, good);
        expect((await gateway.authenticate(bearer(token)))?.identity).to.equal('gateway');
      });
    });
  }

  it('checks expiry against the clock on every request, not once when the record was cached', async () => {
    const gateway = new TokenStore(dir);
    const { token } = new TokenStore(dir).create({
      identity: 'gateway',
      role: Role.OPERATOR,
      expiresAt: new Date(Date.now() + 150),
    });
    expect((await gateway.authenticate(bearer(token)))?.identity).to.equal('gateway');
    const until = Date.now() + 2_000;
    while (Date.now() < until) {
      try {
        await gateway.authenticate(bearer(token));
      } catch (err) {
        expect((err as Error).message).to.match(/expired at/);
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the expired token was still accepted');
  });

  it('reads an unchanged token file once: later requests cost one stat each', async () => {
    const gateway = new TokenStore(dir);
    const { token, record } = new TokenStore(dir).create({ identity: 'gateway', role: Role.OPERATOR });
    const file = join(dir, `${record.hash}.json`);
    const reads = sinon.spy(fs, 'readFileSync');
    try {
      for (let i = 0; i < 5; i++) await gateway.authenticate(bearer(token));
      expect(reads.getCalls().filter((c) => c.args[0] === file)).to.have.length(1);
      const uncached = new TokenStore(dir, { cache: false });
      for (let i = 0; i < 5; i++) await uncached.authenticate(bearer(token));
      expect(reads.getCalls().filter((c) => c.args[0] === file)).to.have.length(6);
    } finally {
      reads.restore();
    }
  });
});
