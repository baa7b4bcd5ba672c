import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { FabricFailure } from '../fabric/types';
import { harness, type FakeFabric } from '../testing/fake-fabric';
import { accountRecord, bearer } from '../testing/fixtures';

const account = accountRecord;

/** OperatorA's view of the chain: alice is its customer, cat is OperatorB's (the chaincode refuses). */
function chain(fabric: FakeFabric, alice: object = account('alice')) {
  fabric.answer('Accounts:GetAccount', (call) => {
    const id = String(call.args?.[0]);
    if (id === 'alice') return alice;
    if (id === 'cat') throw new FabricFailure('chaincode', 'FORBIDDEN: OperatorAMSP may not read account cat');
    throw new FabricFailure('chaincode', `NOT_FOUND: account ${id} not found`);
  });
}

describe("customers' API tokens through the API (/v1/accounts/{accountId}/tokens)", () => {
  it("issues a token bound to the customer's identity, shows its secret once and stores only its hash", async () => {
    const { app, fabric, token, dir } = harness();
    chain(fabric);
    const res = await request(app)
      .post('/v1/accounts/alice/tokens')
      .set(bearer(token.operator))
      .send({ scopes: ['read'], expiresInDays: 7, label: 'phone' })
      .expect(201);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.body).to.include({
      accountId: 'alice',
      identity: 'acct-alice',
      role: 'investor',
      label: 'phone',
      expired: false,
    });
    expect(res.body.scopes).to.deep.equal(['read']);
    const days = (Date.parse(res.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).to.be.within(6.99, 7.01);
    const secret = String(res.body.token);
    expect(secret).to.match(/^ecf_/);
    const store = join(dir, 'tokens');
    for (const f of readdirSync(store)) expect(readFileSync(join(store, f), 'utf8')).not.to.contain(secret);
    // The token acts as alice, with alice's identity, and only for reading.
    await request(app).get('/v1/accounts/alice').set(bearer(secret)).expect(200);
    expect(fabric.calls.at(-1)?.identity).to.equal('acct-alice');
    await request(app)
      .post('/v1/transfers')
      .set(bearer(secret))
      .send({ to: 'carol', assetId: 'MYR', amount: '1' })
      .expect(403);
    const listed = await request(app).get('/v1/accounts/alice/tokens').set(bearer(token.operator)).expect(200);
    expect(JSON.stringify(listed.body)).not.to.contain(secret);
  });

  it('defaults to read and write for 90 days', async () => {
    const { app, fabric, token } = harness();
    chain(fabric);
    const res = await request(app).post('/v1/accounts/alice/tokens').set(bearer(token.operator)).send({}).expect(201);
    expect(res.body.scopes).to.deep.equal(['read', 'write']);
    expect((Date.parse(res.body.expiresAt) - Date.now()) / 86_400_000).to.be.within(89.99, 90.01);
  });

  it("lists only the account's tokens and revokes one, which then answers 401", async () => {
    const { app, fabric, token, tokens } = harness();
    chain(fabric);
    const issued = (
      await request(app).post('/v1/accounts/alice/tokens').set(bearer(token.operator)).send({}).expect(201)
    ).body;
    const list = await request(app).get('/v1/accounts/alice/tokens').set(bearer(token.operator)).expect(200);
    // The harness' own investor token (made as the CLI would, without expiry) and the new one.
    expect(list.body.items.map((t: { id: string }) => t.id)).to.include(issued.id);
    expect(list.body.items.every((t: { identity: string }) => t.identity === 'acct-alice')).to.equal(true);
    expect(list.body.items[0]).not.to.have.property('hash');
    await request(app).delete(`/v1/accounts/alice/tokens/${issued.id}`).set(bearer(token.operator)).expect(204);
    await request(app).get('/v1/accounts/alice').set(bearer(issued.token)).expect(401);
    await request(app).delete(`/v1/accounts/alice/tokens/${issued.id}`).set(bearer(token.operator)).expect(404);
    expect(tokens.list().some((r) => r.id === issued.id)).to.equal(false);
  });

  it("never issues, lists or revokes for another operator's customer or an org identity", async () => {
    const { app, fabric, token, tokens } = harness();
    chain(fabric);
    const before = tokens.list().length;
    const cat = await request(app).post('/v1/accounts/cat/tokens').set(bearer(token.operator)).send({}).expect(403);
    expect(cat.body.detail).to.equal('account cat is not a customer of OperatorAMSP');
    await request(app).get('/v1/accounts/cat/tokens').set(bearer(token.operator)).expect(403);
    await request(app).post('/v1/accounts/nobody/tokens').set(bearer(token.operator)).send({}).expect(404);
    // An org token's id named under a customer's account is not that customer's token.
    const operatorRecord = tokens.list().find((r) => r.identity === 'gateway' && r.role === 'operator');
    await request(app)
      .delete(`/v1/accounts/alice/tokens/${operatorRecord?.id}`)
      .set(bearer(token.operator))
      .expect(404);
    await request(app).get('/v1/participants').set(bearer(token.operator)).expect(200);
    // Scopes a customer may not hold are refused by the published document.
    await request(app)
      .post('/v1/accounts/alice/tokens')
      .set(bearer(token.operator))
      .send({ scopes: ['identities'] })
      .expect(400);
    await request(app)
      .post('/v1/accounts/alice/tokens')
      .set(bearer(token.operator))
      .send({ expiresInDays: 366 })
      .expect(400);
    expect(tokens.list()).to.have.length(before);
  });

  it('is for operator credentials with the identities scope only', async () => {
    const { app, fabric, token } = harness();
    chain(fabric);
    for (const t of [token.readOnly, token.investor, token.trustee, token.regulator]) {
      await request(app).post('/v1/accounts/alice/tokens').set(bearer(t)).send({}).expect(403);
      await request(app).get('/v1/accounts/alice/tokens').set(bearer(t)).expect(403);
    }
    expect(fabric.calls).to.have.length(0);
  });

  it('refuses an offboarded account, and one whose identity this gateway does not hold, with 409', async () => {
    const off = harness();
    chain(off.fabric, account('alice', { status: 'OFFBOARDED' }));
    await request(off.app).post('/v1/accounts/alice/tokens').set(bearer(off.token.operator)).send({}).expect(409);
    const gone = harness();
    chain(gone.fabric);
    gone.ca.wallet.delete('acct-alice');
    const res = await request(gone.app)
      .post('/v1/accounts/alice/tokens')
      .set(bearer(gone.token.operator))
      .send({})
      .expect(409);
    expect(res.body.detail).to.equal('this gateway holds no identity for account alice');
  });

  it('answers an expired token with 401 saying it expired', async () => {
    const { app, tokens } = harness();
    const { token } = tokens.create({
      identity: 'acct-alice',
      role: 'investor',
      accountId: 'alice',
      expiresAt: new Date(Date.now() - 1000),
    });
    const res = await request(app).get('/v1/accounts/alice').set(bearer(token)).expect(401);
    expect(res.body).to.include({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
    expect(res.body.detail).to.match(/^the token expired at /);
    expect(res.headers['www-authenticate']).to.contain('error="invalid_token"');
  });

  it('is in the OpenAPI document, described', async () => {
    const { app } = harness();
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    const tokensPath = doc.paths['/v1/accounts/{accountId}/tokens'];
    expect(tokensPath.post.operationId).to.equal('issueCustomerToken');
    expect(tokensPath.post.description).to.contain('stores its SHA-256 hash');
    expect(tokensPath.get.operationId).to.equal('listCustomerTokens');
    expect(doc.paths['/v1/accounts/{accountId}/tokens/{tokenId}'].delete.operationId).to.equal('revokeCustomerToken');
  });
});
