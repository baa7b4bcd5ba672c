import { expect } from 'chai';
import request from 'supertest';
import { FabricFailure } from '../fabric/types';
import { IdempotencyStore } from '../idempotency';
import { harness } from '../testing/fake-fabric';
import { bearer } from '../testing/fixtures';

const deposit = { accountId: 'alice', tokenId: 'MYR', amount: '5', bankReference: 'IN-1' };
const settlement = { fromOperatorMspId: 'OperatorAMSP' };
const INSTRUCTION = 'a'.repeat(64);

/** The counter of answers shaped other than documented, for one operation and stage. */
async function failures(h: ReturnType<typeof harness>, operation: string, stage: string): Promise<number> {
  const metric = await h.deps.metrics.responseFailures.get();
  return metric.values.find((v) => v.labels.operation === operation && v.labels.stage === stage)?.value ?? 0;
}

describe('operations: answers after a commit', () => {
  it('answers a committed instruction settlement with its JSON outcome (Transfers:Settle returns an object)', async () => {
    const h = harness();
    const outcome = { instructionId: INSTRUCTION, outcome: 'SETTLED', code: 'OK' };
    h.fabric.answer('Transfers:Settle', () => outcome);
    const res = await request(h.app)
      .post(`/v1/instructions/${INSTRUCTION}/settlement`)
      .set(bearer(h.token.trustee))
      .send(settlement)
      .expect(200);
    expect(res.body.result).to.deep.equal(outcome);
    expect(res.body.txId).to.match(/^[0-9a-f]{64}$/);
    expect(res.headers['result-omitted']).to.equal(undefined);
  });

  it('answers 2xx with txId and blockNumber when a committed result fails its schema, logs and counts it', async () => {
    const h = harness();
    h.fabric.answer('Transfers:Settle', () => ({ instructionId: INSTRUCTION, outcome: 'LOST', code: 'OK' }));
    const res = await request(h.app)
      .post(`/v1/instructions/${INSTRUCTION}/settlement`)
      .set(bearer(h.token.trustee))
      .send(settlement)
      .expect(200);
    expect(res.body).to.have.keys('txId', 'blockNumber');
    expect(res.headers['result-omitted']).to.equal('schema');
    expect(await failures(h, 'settleInstruction', 'schema')).to.equal(1);
    const line = h.logs.find((l) => l.includes('response could not be shaped'));
    expect(line, 'the mismatch is logged').to.not.equal(undefined);
    expect(JSON.parse(line as string)).to.include({ operation: 'settleInstruction', stage: 'schema' });
    expect(line).to.contain('response.result.outcome');
    expect(line, 'no values in the log').not.to.contain('LOST');
  });

  it('stores and replays that committed answer under its Idempotency-Key, never running the write twice', async () => {
    const h = harness();
    h.fabric.answer('Transfers:Settle', () => 'not the documented object');
    const post = () =>
      request(h.app)
        .post(`/v1/instructions/${INSTRUCTION}/settlement`)
        .set(bearer(h.token.trustee))
        .set('Idempotency-Key', 's1')
        .send(settlement);
    const first = await post().expect(200);
    const again = await post().expect(200);
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    expect(again.headers['result-omitted']).to.equal('schema');
    expect(h.fabric.submits('Transfers:Settle')).to.have.length(1);
  });

  it('answers 2xx when follow-up work after the commit fails, and a retry with the key runs it again', async () => {
    const h = harness();
    const account = {
      v: 1,
      id: 'alice',
      operatorMspId: 'OperatorAMSP',
      type: 'investor',
      status: 'OFFBOARDED',
      frozen: false,
      kyc: { validUntil: 2000000000, investorClass: 'retail', jurisdiction: 'MY' },
      personalDataHash: 'ab',
      createdAt: 1,
      updatedAt: 1,
    };
    h.fabric.answer('Accounts:SetStatus', () => account);
    const revoke = h.ca.revoke.bind(h.ca);
    let caDown = true;
    h.ca.revoke = async (label) => {
      if (caDown) throw new Error('CA unreachable');
      return revoke(label);
    };
    const post = () =>
      request(h.app)
        .put('/v1/accounts/alice/status')
        .set(bearer(h.token.operator))
        .set('Idempotency-Key', 'off-1')
        .send({ status: 'OFFBOARDED', reason: 'customer left' });
    const first = await post().expect(200);
    expect(first.body).to.have.keys('txId', 'blockNumber');
    expect(first.headers['result-omitted']).to.equal('follow-up');
    expect(await failures(h, 'setAccountStatus', 'follow-up')).to.equal(1);
    expect(h.ca.revoked).to.deep.equal([]);
    caDown = false;
    const again = await post().expect(200);
    expect(again.body).to.deep.equal({ ...first.body, result: account });
    expect(h.ca.revoked).to.deep.equal(['acct-alice']);
    expect(h.fabric.submits('Accounts:SetStatus'), 'settled from the ledger, not submitted again').to.have.length(1);
  });

  it('never stores a 5xx as the answer to a key', () => {
    const h = harness();
    const store = h.deps.idempotency;
    const slot = IdempotencyStore.slot('cred', 'k');
    expect(store.claim(slot, 'hash').kind).to.equal('new');
    store.complete(slot, { status: 500, body: { code: 'INTERNAL' } });
    expect(store.read(slot)?.state).to.equal('pending');
    expect(store.claim(slot, 'hash').kind, 'the next attempt runs the request').to.equal('orphan');
  });

  it('answers a 500 with a generic detail, whatever the internal error said, and logs the detail', async () => {
    const h = harness();
    h.fabric.answer('Money:Deposit', () => {
      throw new FabricFailure('chaincode', 'INTERNAL: pledge p1 missing from pdcOperatorA');
    });
    const res = await request(h.app).post('/v1/deposits').set(bearer(h.token.trustee)).send(deposit).expect(500);
    expect(res.body.code).to.equal('INTERNAL');
    expect(res.body.detail).to.equal('an internal error occurred; it has been logged');
    expect(h.logs.join('\n')).to.contain('pledge p1 missing');
    h.fabric.answer('Accounts:GetAccount', () => ({ id: 'alice' }));
    const read = await request(h.app).get('/v1/accounts/alice').set(bearer(h.token.operator)).expect(500);
    expect(read.body.detail).not.to.contain('schema');
    expect(await failures(h, 'getAccount', 'schema')).to.equal(1);
  });
});

describe('operations: refusals and keys', () => {
  it('names no txId in a refusal whose transaction never reached the ledger', async () => {
    const h = harness();
    h.fabric.answer('Money:Deposit', () => {
      throw new FabricFailure('chaincode', 'COMPLIANCE: KYC_EXPIRED: expired', 'b'.repeat(64));
    });
    const res = await request(h.app).post('/v1/deposits').set(bearer(h.token.trustee)).send(deposit).expect(422);
    expect(res.body).to.not.have.property('txId');
    expect(JSON.stringify(res.body)).not.to.contain('b'.repeat(64));
  });

  it('refuses an empty or overlong Idempotency-Key on every write, credential renewal included', async () => {
    const h = harness();
    for (const key of ['', 'k'.repeat(201)]) {
      const renewal = await request(h.app)
        .post('/v1/accounts/alice/credential/renewal')
        .set(bearer(h.token.operator))
        .set('Idempotency-Key', key)
        .expect(400);
      expect(renewal.body.detail).to.contain('Idempotency-Key');
      await request(h.app)
        .post('/v1/deposits')
        .set(bearer(h.token.trustee))
        .set('Idempotency-Key', key)
        .send(deposit)
        .expect(400);
    }
    expect(h.ca.reenrolled).to.deep.equal([]);
    expect(h.fabric.calls).to.have.length(0);
  });

  it('renews a credential once per Idempotency-Key', async () => {
    const h = harness();
    const renew = () =>
      request(h.app)
        .post('/v1/accounts/alice/credential/renewal')
        .set(bearer(h.token.operator))
        .set('Idempotency-Key', 'renew-1');
    const first = await renew().expect(200);
    const again = await renew().expect(200);
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    expect(h.ca.reenrolled).to.deep.equal(['acct-alice']);
  });
});
