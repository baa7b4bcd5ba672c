import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { FabricFailure } from './fabric/types';
import { IdempotencyStore } from './idempotency';
import { OPERATIONS } from './operations';
import { FakeFabric, harness, OPERATOR_ORG } from './testing/fake-fabric';
import { scratchDir } from './testing/scratch';
import { accountRecord, bearer } from './testing/fixtures';

const ACCOUNT = accountRecord('alice');
const PERSONAL = {
  fullName: 'Alice Tan',
  nationalId: 'S1234567Z',
  dateOfBirth: '1990-01-02',
  email: 'alice@example.com',
};

describe('gateway HTTP layer (fake Fabric seam)', () => {
  describe('operations routes', () => {
    it('serves liveness, an OpenAPI 3.1 document covering every operation, and a docs page', async () => {
      const { app } = harness();
      await request(app).get('/healthz').expect(200, { status: 'ok' });
      const doc = (await request(app).get('/openapi.json').expect(200)).body;
      expect(doc.openapi).to.equal('3.1.0');
      const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((m) =>
        Object.values(m).map((e) => e.operationId),
      );
      for (const op of OPERATIONS) expect(ids).to.include(op.id);
      const page = await request(app).get('/docs').expect(200);
      expect(page.text).to.contain('/v1/accounts/{accountId}/kyc');
      const ready = await request(app).get('/readyz').expect(200);
      expect(ready.body.checks).to.deep.equal({ peer: 'ok', ca: 'ok' });
    });

    it('sends helmet headers, and CORS only to allowed origins', async () => {
      const { app } = harness({ settings: { corsOrigins: ['https://ops.example.com'] } });
      const ok = await request(app).get('/healthz').set('Origin', 'https://ops.example.com');
      expect(ok.headers['access-control-allow-origin']).to.equal('https://ops.example.com');
      expect(ok.headers['x-content-type-options']).to.equal('nosniff');
      const other = await request(app).get('/healthz').set('Origin', 'https://evil.example.com');
      expect(other.headers['access-control-allow-origin']).to.equal(undefined);
    });
  });

  describe('authentication and authorization', () => {
    it('refuses a missing or unknown credential with 401 and a problem body', async () => {
      const { app, fabric } = harness();
      const res = await request(app).get('/v1/participants').expect(401);
      expect(res.headers['content-type']).to.match(/application\/problem\+json/);
      expect(res.body).to.include({ code: 'UNAUTHENTICATED', status: 401 });
      expect(res.headers['www-authenticate']).to.equal('Bearer');
      await request(app).get('/v1/participants').set(bearer('ecf_notatokenatallnotatoken')).expect(401);
      expect(fabric.calls).to.have.length(0);
    });

    it("refuses a role the operation is not for, and a token without the operation's scope, before Fabric", async () => {
      const { app, fabric, token } = harness();
      const body = { accountId: 'alice', tokenId: 'MYR', amount: '5', bankReference: 'IN-1' };
      const res = await request(app).post('/v1/deposits').set(bearer(token.investor)).send(body).expect(403);
      expect(res.body.code).to.equal('FORBIDDEN');
      await request(app).post('/v1/deposits').set(bearer(token.operator)).send(body).expect(403);
      await request(app)
        .post('/v1/transfers')
        .set(bearer(token.readOnly))
        .send({ from: 'a', to: 'b', assetId: 'MYR', amount: '1' })
        .expect(403);
      expect(fabric.calls).to.have.length(0);
    });

    it('takes the acting account from a customer credential and refuses another one', async () => {
      const { app, fabric, token } = harness();
      await request(app)
        .post('/v1/transfers')
        .set(bearer(token.investor))
        .send({ from: 'bob', to: 'carol', assetId: 'MYR', amount: '1' })
        .expect(403);
      await request(app)
        .post('/v1/transfers')
        .set(bearer(token.investor))
        .send({ to: 'carol', assetId: 'MYR', amount: '1' })
        .expect(201);
      const [call] = fabric.submits('Transfers:Transfer');
      expect(call?.identity).to.equal('acct-alice');
      expect(call?.call.transient).to.deep.equal({ from: 'alice', to: 'carol', assetId: 'MYR', amount: '1' });
      expect(call?.call.args ?? []).to.deep.equal([]);
      await request(app).get('/v1/accounts/bob').set(bearer(token.investor)).expect(403);
    });

    it("names the regulator's and the trustee's peers as a pledge's endorsers, and leaves a transfer to discovery", async () => {
      const { app, fabric, token } = harness({
        org: { ...OPERATOR_ORG, supervisors: ['RegulatorMSP', 'TrusteeMSP'] },
      });
      await request(app)
        .post('/v1/campaigns/c1/pledges')
        .set(bearer(token.investor))
        .send({ amount: '100' })
        .expect(201);
      await request(app)
        .post('/v1/transfers')
        .set(bearer(token.investor))
        .send({ to: 'carol', assetId: 'MYR', amount: '1' })
        .expect(201);
      expect(fabric.submits('Campaigns:Pledge')[0]?.call.endorsingOrganizations).to.deep.equal([
        'RegulatorMSP',
        'TrusteeMSP',
      ]);
      expect(fabric.submits('Transfers:Transfer')[0]?.call.endorsingOrganizations).to.equal(undefined);
    });

    it('requires the acting account from an operator credential', async () => {
      const { app, token } = harness();
      const res = await request(app)
        .post('/v1/transfers')
        .set(bearer(token.operator))
        .send({ to: 'carol', assetId: 'MYR', amount: '1' })
        .expect(400);
      expect(res.body.detail).to.contain('from is required');
    });
  });

  describe('validation against the published document', () => {
    it('refuses unknown fields, bad amounts, non-JSON and oversize bodies without calling Fabric', async () => {
      const { app, fabric, token } = harness({ settings: { bodyLimit: 2048 } });
      const t = bearer(token.trustee);
      const good = { accountId: 'alice', tokenId: 'MYR', amount: '5', bankReference: 'IN-1' };
      const unknown = await request(app)
        .post('/v1/deposits')
        .set(t)
        .send({ ...good, extra: 1 })
        .expect(400);
      expect(unknown.body.detail).to.equal('body: unknown field extra');
      for (const amount of ['-5', '1.5', '0', 'ten', '99999999999999999999']) {
        const res = await request(app)
          .post('/v1/deposits')
          .set(t)
          .send({ ...good, amount })
          .expect(400);
        expect(res.body.code).to.equal('INVALID_ARGUMENT');
      }
      await request(app).post('/v1/deposits').set(t).set('Content-Type', 'application/json').send('{"a":').expect(400);
      const big = await request(app)
        .post('/v1/deposits')
        .set(t)
        .send({ ...good, bankReference: 'x'.repeat(4096) })
        .expect(413);
      expect(big.body.code).to.equal('PAYLOAD_TOO_LARGE');
      await request(app).get('/v1/accounts/bad%20id').set(t).expect(400);
      await request(app).get('/v1/participants?limit=0').set(t).expect(400);
      await request(app).get('/v1/participants?surprise=1').set(t).expect(400);
      expect(fabric.calls).to.have.length(0);
    });

    it('answers 500 when the chaincode returns something the document does not allow', async () => {
      const { app, fabric, token } = harness();
      fabric.answer('Accounts:GetAccount', () => ({ id: 'alice' }));
      const res = await request(app).get('/v1/accounts/alice').set(bearer(token.operator)).expect(500);
      expect(res.body.code).to.equal('INTERNAL');
    });

    it('returns records that match their schema', async () => {
      const { app, fabric, token } = harness();
      fabric.answer('Accounts:GetAccount', () => ACCOUNT);
      const res = await request(app).get('/v1/accounts/alice').set(bearer(token.operator)).expect(200);
      expect(res.body).to.deep.equal(ACCOUNT);
    });
  });

  describe('Fabric errors as problems', () => {
    // [failure, status, code, reason?]; `txId` is in the problem only for the kinds that committed (conflict,
    // invalid): a refused endorsement, a timeout or an unreachable network leaves nothing on the ledger to name.
    const cases: Array<[FabricFailure, number, string, string?]> = [
      [new FabricFailure('chaincode', 'INVALID_ARGUMENT: amount: too big', 'tx1'), 400, 'INVALID_ARGUMENT'],
      [new FabricFailure('chaincode', 'FORBIDDEN: only a trustee may do this', 'tx1'), 403, 'FORBIDDEN'],
      [new FabricFailure('chaincode', 'NOT_FOUND: account zed does not exist', 'tx1'), 404, 'NOT_FOUND'],
      [new FabricFailure('chaincode', 'CONFLICT: already frozen', 'tx1'), 409, 'CONFLICT'],
      [
        new FabricFailure('chaincode', 'COMPLIANCE: KYC_EXPIRED: the KYC of alice expired', 'tx1'),
        422,
        'COMPLIANCE',
        'KYC_EXPIRED',
      ],
      [new FabricFailure('conflict', 'kept conflicting', 'tx1', 'MVCC_READ_CONFLICT'), 409, 'MVCC_CONFLICT'],
      [new FabricFailure('conflict', 'endorsers disagreed', 'tx1', 'ENDORSEMENT_MISMATCH'), 409, 'MVCC_CONFLICT'],
      [new FabricFailure('invalid', 'ENDORSEMENT_POLICY_FAILURE', 'tx1'), 422, 'TRANSACTION_INVALID'],
      [new FabricFailure('timeout', 'no answer', 'tx1'), 504, 'TIMEOUT'],
      [new FabricFailure('unavailable', 'peer down', 'tx1'), 503, 'UNAVAILABLE'],
    ];
    for (const [failure, status, code, reason] of cases) {
      it(`${failure.kind} ${code} → ${status}`, async () => {
        const { app, fabric, token } = harness();
        fabric.answer('Money:Deposit', () => {
          throw failure;
        });
        const res = await request(app)
          .post('/v1/deposits')
          .set(bearer(token.trustee))
          .send({ accountId: 'alice', tokenId: 'MYR', amount: '5', bankReference: 'IN-1' })
          .expect(status);
        expect(res.body).to.include({ status, code });
        const committed = failure.kind === 'conflict' || failure.kind === 'invalid';
        expect(res.body.txId, 'txId only for a transaction on the ledger').to.equal(committed ? 'tx1' : undefined);
        if (reason) expect(res.body.reason).to.equal(reason);
        expect(res.body.type).to.match(/^https:\/\/ecf\.example\.com\/problems\//);
        expect(res.body.instance).to.match(/^urn:request:/);
      });
    }

    it('asks a client to retry a conflict after a moment', async () => {
      const { app, fabric, token } = harness();
      fabric.answer('Money:Deposit', () => {
        throw new FabricFailure('conflict', 'endorsers disagreed', 'tx1', 'ENDORSEMENT_MISMATCH');
      });
      const res = await request(app)
        .post('/v1/deposits')
        .set(bearer(token.trustee))
        .send({ accountId: 'alice', tokenId: 'MYR', amount: '5', bankReference: 'IN-1' })
        .expect(409);
      expect(res.headers['retry-after']).to.equal('1');
    });

    it("logs what the peer said with a refusal, while the client's detail stays the gateway's", async () => {
      const { app, fabric, token, logs } = harness();
      fabric.answer('Transfers:Transfer', () => {
        throw new FabricFailure(
          'chaincode',
          "FORBIDDEN: the caller's organisation may not read the private data of an account it does not serve",
          'tx1',
          undefined,
          'failed to endorse; tx creator does not have read access permission on privatedata in collectionName: pdcOperatorB',
        );
      });
      const res = await request(app)
        .post('/v1/transfers')
        .set(bearer(token.operator))
        .send({ from: 'ann', to: 'cat', assetId: 'MYR', amount: '1' })
        .expect(403);
      expect(res.body.detail).not.to.contain('pdcOperatorB');
      const line = logs.find((l) => l.includes('request refused by the network'));
      expect(line).to.contain('does not have read access permission on privatedata');
      expect(line).to.contain('"txId":"tx1"');
    });

    it('hides the text of an unexpected error', async () => {
      const { app, fabric, token } = harness();
      fabric.answer('Registry:ListParticipants', () => {
        throw new Error('secret internal detail');
      });
      const res = await request(app).get('/v1/participants').set(bearer(token.operator)).expect(500);
      expect(res.body.detail).not.to.contain('secret internal detail');
    });
  });

  describe('Idempotency-Key', () => {
    const deposit = { accountId: 'alice', tokenId: 'MYR', amount: '5', bankReference: 'IN-1' };
    const postDeposit = (app: Parameters<typeof request>[0], token: string, key: string) =>
      request(app).post('/v1/deposits').set(bearer(token)).set('Idempotency-Key', key).send(deposit);

    it('runs a retried request once and replays its answer', async () => {
      const { app, fabric, token } = harness();
      const first = await postDeposit(app, token.trustee, 'k1').expect(201);
      const again = await postDeposit(app, token.trustee, 'k1').expect(201);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers['idempotent-replayed']).to.equal('true');
      expect(fabric.submits('Money:Deposit')).to.have.length(1);
    });

    it('refuses the key with a different request, and keys are per credential', async () => {
      const { app, fabric, token, tokens } = harness();
      await postDeposit(app, token.trustee, 'k2').expect(201);
      const res = await request(app)
        .post('/v1/deposits')
        .set(bearer(token.trustee))
        .set('Idempotency-Key', 'k2')
        .send({ ...deposit, amount: '6' })
        .expect(422);
      expect(res.body.code).to.equal('IDEMPOTENCY_KEY_REUSED');
      const other = tokens.create({ identity: 'gateway', role: 'trustee' }).token;
      await request(app).post('/v1/deposits').set(bearer(other)).set('Idempotency-Key', 'k2').send(deposit).expect(201);
      expect(fabric.submits('Money:Deposit')).to.have.length(2);
    });

    it('stores a definite refusal as the answer to the key', async () => {
      const { app, fabric, token } = harness();
      let n = 0;
      fabric.answer('Money:Deposit', () => {
        n++;
        throw new FabricFailure('chaincode', 'NOT_FOUND: account alice does not exist');
      });
      await postDeposit(app, token.trustee, 'k3').expect(404);
      const again = await postDeposit(app, token.trustee, 'k3').expect(404);
      expect(again.body.code).to.equal('NOT_FOUND');
      expect(n).to.equal(1);
    });

    it('after a restart, answers from the ledger for a transaction the dead gateway had sent', async () => {
      const dir = scratchDir('ecf-gw-restart-');
      const fabric = new FakeFabric();
      const before = harness({ dir, fabric });
      // The first gateway records the transaction id, sends it, and dies before answering.
      fabric.answer('Money:Deposit', () => null);
      const store = before.deps.idempotency;
      const principal = await before.tokens.authenticate(`Bearer ${before.token.trustee}`);
      const slot = IdempotencyStore.slot(principal!.credentialId, 'k4');
      store.claim(slot, IdempotencyStore.requestHash('POST', '/v1/deposits', deposit));
      const sent = await fabric.submit(
        'gateway',
        { fn: 'Money:Deposit', transient: deposit, deadline: Date.now() + 1000 },
        {
          beforeOrder: async (txId, transaction) => store.sending(slot, txId, transaction),
        },
      );
      const after = harness({ dir, fabric });
      const res = await postDeposit(after.app, before.token.trustee, 'k4').expect(201);
      expect(res.body.txId).to.equal(sent.txId);
      expect(res.headers['idempotent-replayed']).to.equal('true');
      expect(fabric.submits('Money:Deposit')).to.have.length(1);
    });

    it('after a restart, runs a request the dead gateway never sent', async () => {
      const dir = scratchDir('ecf-gw-restart-');
      const fabric = new FakeFabric();
      const before = harness({ dir, fabric });
      const principal = await before.tokens.authenticate(`Bearer ${before.token.trustee}`);
      before.deps.idempotency.claim(
        IdempotencyStore.slot(principal!.credentialId, 'k5'),
        IdempotencyStore.requestHash('POST', '/v1/deposits', deposit),
      );
      const after = harness({ dir, fabric });
      await postDeposit(after.app, before.token.trustee, 'k5').expect(201);
      expect(fabric.submits('Money:Deposit')).to.have.length(1);
    });
    /** A deposit whose transaction reached ordering but whose commit status never came (202), with its key. */
    const unanswered = async (key: string) => {
      const dir = scratchDir('ecf-gw-restart-');
      const fabric = new FakeFabric();
      const before = harness({ dir, fabric });
      fabric.dieWhileOrdering = true;
      const post = (app: typeof before.app) => postDeposit(app, before.token.trustee, key);
      await post(before.app).expect(202);
      fabric.dieWhileOrdering = false;
      const [sent] = fabric.submits('Money:Deposit');
      expect(sent).to.not.equal(undefined);
      return { fabric, before, post, restarted: () => harness({ dir, fabric }) };
    };
    const validCommits = (fabric: FakeFabric) => [...fabric.committed.values()].filter((t) => t.valid).length;

    it('after a restart, sends a transaction left in ordering again, so it commits once, and answers with it', async () => {
      const { fabric, before, post, restarted } = await unanswered('k6');
      const principal = await before.tokens.authenticate(`Bearer ${before.token.trustee}`);
      const slot = IdempotencyStore.slot(principal!.credentialId, 'k6');
      const kept = before.deps.idempotency.read(slot)?.sent ?? [];
      expect(kept, 'the endorsed transaction is kept before ordering').to.have.length(1);
      const res = await post(restarted().app).expect(201);
      expect(res.headers['idempotent-replayed']).to.equal('true');
      expect(res.body.txId).to.equal(kept[0]?.txId);
      expect(fabric.sealed).to.deep.equal([res.body.txId]);
      expect(fabric.submits('Money:Deposit')).to.have.length(1);
      expect(validCommits(fabric)).to.equal(1);
      expect(before.deps.idempotency.read(slot)?.sent, 'the kept transaction is dropped with the answer').to.deep.equal(
        [],
      );
    });

    it('settles a key recorded before transactions were kept from the ledger, by its transaction id', async () => {
      const dir = scratchDir('ecf-gw-restart-');
      const fabric = new FakeFabric();
      const before = harness({ dir, fabric });
      const principal = await before.tokens.authenticate(`Bearer ${before.token.trustee}`);
      const slot = IdempotencyStore.slot(principal!.credentialId, 'k9');
      const committed = await fabric.submit('gateway', {
        fn: 'Money:Deposit',
        transient: deposit,
        deadline: Date.now() + 1000,
      });
      writeFileSync(
        join(dir, 'idempotency', `${slot}.json`),
        JSON.stringify({
          requestHash: IdempotencyStore.requestHash('POST', '/v1/deposits', deposit),
          owner: 'a gateway before this version',
          state: 'sent',
          txIds: ['f'.repeat(64), committed.txId],
          updatedAt: new Date().toISOString(),
        }),
      );
      const res = await postDeposit(harness({ dir, fabric }).app, before.token.trustee, 'k9').expect(201);
      expect(res.body.txId).to.equal(committed.txId);
      expect(fabric.sealed).to.deep.equal([]);
      expect(fabric.submits('Money:Deposit')).to.have.length(1);
    });

    it('keeps the outcome open while ordering is unreachable, runs nothing, and settles it on a later retry', async () => {
      const { fabric, before, post } = await unanswered('k7');
      fabric.sealOutcome = new FabricFailure('unavailable', 'Fabric call failed: no ordering node reachable');
      // Still unknown after the retry: pending again (202, the same transaction), never a 5xx.
      const again = await post(before.app).expect(202);
      expect(again.body).to.deep.equal({ txId: fabric.sealed[0], status: 'PENDING' });
      expect(fabric.submits('Money:Deposit')).to.have.length(1);
      expect(validCommits(fabric)).to.equal(0);
      fabric.sealOutcome = 'VALID';
      const res = await post(before.app).expect(201);
      expect(fabric.sealed).to.deep.equal([res.body.txId, res.body.txId]);
      expect(fabric.submits('Money:Deposit')).to.have.length(1);
      expect(validCommits(fabric)).to.equal(1);
    });

    it('runs the request again when the transaction left in ordering commits invalid', async () => {
      const { fabric, post, restarted } = await unanswered('k8');
      fabric.sealOutcome = 'MVCC_READ_CONFLICT';
      const res = await post(restarted().app).expect(201);
      expect(res.headers['idempotent-replayed']).to.equal(undefined);
      const [first] = fabric.sealed;
      expect(res.body.txId).to.not.equal(first);
      expect(fabric.committed.get(first!)?.validationCode).to.equal('MVCC_READ_CONFLICT');
      expect(fabric.submits('Money:Deposit')).to.have.length(2);
      expect(validCommits(fabric)).to.equal(1);
    });
  });

  describe('limits, paging, onboarding, events, logs', () => {
    it('rate-limits per credential with 429 and Retry-After', async () => {
      const { app, token } = harness({ settings: { rateLimit: { limit: 3, windowMs: 60_000 } } });
      for (let i = 0; i < 3; i++) await request(app).get('/v1/participants').set(bearer(token.operator)).expect(200);
      const res = await request(app).get('/v1/participants').set(bearer(token.operator)).expect(429);
      expect(res.body.code).to.equal('RATE_LIMITED');
      expect(res.headers['retry-after']).to.equal('60');
      await request(app).get('/v1/participants').set(bearer(token.trustee)).expect(200);
    });

    it('pages lists with limit and an opaque cursor', async () => {
      const { app, fabric, token } = harness();
      const participants = ['A', 'B', 'C', 'D', 'E'].map((x) => ({
        v: 1,
        mspId: `Operator${x}MSP`,
        kind: 'operator',
        status: 'ACTIVE',
        statusReason: 'admitted',
        admittedAt: 1,
        updatedAt: 1,
      }));
      fabric.answer('Registry:ListParticipants', () => participants);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await request(app)
          .get(`/v1/participants?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
          .set(bearer(token.operator))
          .expect(200);
        expect(res.body.items.length).to.be.at.most(2);
        seen.push(...res.body.items.map((p: { mspId: string }) => p.mspId));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).to.deep.equal(participants.map((p) => p.mspId));
    });

    it('onboards: CA identity with role and account attributes, personal data only in transient data', async () => {
      const { app, fabric, ca, token, logs } = harness();
      // What onboarding asks the chain first: the operator is active and the id unused.
      fabric.answer('Registry:GetParticipant', () => ({ mspId: 'OperatorAMSP', status: 'ACTIVE' }));
      fabric.answer('Accounts:GetAccount', () => {
        throw new FabricFailure('chaincode', 'NOT_FOUND: account alice not found');
      });
      const res = await request(app)
        .post('/v1/accounts')
        .set(bearer(token.operator))
        .send({ accountId: 'alice', type: 'investor', kyc: ACCOUNT.kyc, personal: PERSONAL })
        .expect(201);
      expect(res.body.result).to.deep.equal({ accountId: 'alice', identity: 'acct-alice' });
      expect(ca.enrolled).to.deep.equal([
        { enrollmentId: 'acct-alice', attributes: { role: 'investor', account: 'alice' } },
      ]);
      const [call] = fabric.submits('Accounts:Onboard');
      expect(call?.call.args ?? []).to.deep.equal([]);
      const sent = call?.call.transient as { personal: unknown; salt: string };
      expect(sent.personal).to.deep.equal(PERSONAL);
      expect(sent.salt).to.match(/^[A-Za-z0-9+/=]{24}$/);
      const text = logs.join('\n');
      for (const secret of [PERSONAL.fullName, PERSONAL.nationalId, PERSONAL.email, sent.salt, token.operator]) {
        expect(text).not.to.contain(secret);
      }
      expect(text).to.contain('"route":"/v1/accounts"');
    });

    it('revokes the certificate and the tokens of an offboarded account', async () => {
      const { app, ca, fabric, token, tokens } = harness();
      fabric.answer('Accounts:SetStatus', () => ({ ...ACCOUNT, status: 'OFFBOARDED' }));
      await request(app)
        .put('/v1/accounts/alice/status')
        .set(bearer(token.operator))
        .send({ status: 'OFFBOARDED', reason: 'customer left' })
        .expect(200);
      expect(ca.revoked).to.deep.equal(['acct-alice']);
      expect(tokens.list().filter((t) => t.identity === 'acct-alice')).to.have.length(0);
      await request(app).get('/v1/accounts/alice').set(bearer(token.investor)).expect(401);
    });

    it("streams the org's events with resumable ids, leaving out other operators' business", async () => {
      const { app, fabric, token } = harness();
      const tx = (n: number) => n.toString(16).padStart(64, '0');
      fabric.events_ = [
        {
          blockNumber: '7',
          txId: tx(1),
          name: 'AccountOnboarded',
          payload: { type: 'AccountOnboarded', operatorMspId: 'OperatorAMSP', accountId: 'a' },
        },
        {
          blockNumber: '7',
          txId: tx(2),
          name: 'AccountOnboarded',
          payload: { type: 'AccountOnboarded', operatorMspId: 'OperatorBMSP', accountId: 'b' },
        },
        { blockNumber: '8', txId: tx(3), name: 'TradeSettled', payload: { type: 'TradeSettled', classId: 'ACME' } },
        {
          blockNumber: '9',
          txId: tx(4),
          name: 'PrivateMovement',
          payload: { type: 'PrivateMovement', collection: 'pdcOperatorB' },
        },
      ];
      const res = await request(app)
        .get('/v1/events')
        .set(bearer(token.operator))
        .set('Last-Event-ID', `6:${tx(9)}`)
        .expect(200);
      expect(res.headers['content-type']).to.match(/text\/event-stream/);
      const ids = [...res.text.matchAll(/^id: (.*)$/gm)].map((m) => m[1]);
      expect(ids).to.deep.equal([`7:${tx(1)}`, `8:${tx(3)}`]);
      expect(res.text).not.to.contain('OperatorBMSP');
      expect(fabric.lastPosition).to.deep.equal({ blockNumber: 6n, txId: tx(9) });
      await request(app).get('/v1/events').set(bearer(token.operator)).set('Last-Event-ID', 'nonsense').expect(400);
      await request(app).get('/v1/events').set(bearer(token.investor)).expect(403);
    });

    it('exposes Prometheus metrics by route', async () => {
      const { app, token } = harness();
      await request(app).get('/v1/participants').set(bearer(token.operator)).expect(200);
      const res = await request(app).get('/metrics').expect(200);
      expect(res.text).to.contain(
        'gateway_http_request_duration_seconds_count{method="GET",route="/v1/participants",status="200"} 1',
      );
    });
  });
});
