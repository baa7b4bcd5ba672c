import { acceptedWriteSchema, Role, transactionStatusSchema } from '@ecf/common';
import { expect } from 'chai';
import request from 'supertest';
import { FabricFailure } from '../fabric/types';
import { IdempotencyStore } from '../idempotency';
import { harness, type Harness } from '../testing/fake-fabric';
import { bearer } from '../testing/fixtures';

const TRANSFER = { to: 'carol', assetId: 'MYR', amount: '5' };
const DEPOSIT = { accountId: 'alice', tokenId: 'MYR', amount: '5', bankReference: 'IN-202' };

/** Alice's transfer, sent with her token (and a key when given). */
const transfer = (h: Harness, key?: string) => {
  const req = request(h.app).post('/v1/transfers').set(bearer(h.token.investor));
  return (key ? req.set('Idempotency-Key', key) : req).send(TRANSFER);
};
const status = (h: Harness, txId: string, token: string) =>
  request(h.app).get(`/v1/transactions/${txId}`).set(bearer(token));
const validCommits = (h: Harness) => [...h.fabric.committed.values()].filter((t) => t.valid).length;

/** A write sent for ordering whose commit status never arrives: answered 202, its outcome pending. */
async function pendingTransfer(h: Harness, key?: string): Promise<string> {
  h.fabric.dieWhileOrdering = true;
  const res = await transfer(h, key).expect(202);
  h.fabric.dieWhileOrdering = false;
  expect(acceptedWriteSchema.safeParse(res.body).success, JSON.stringify(res.body)).to.equal(true);
  expect(res.body.status).to.equal('PENDING');
  expect(res.headers.location).to.equal(`/v1/transactions/${res.body.txId}`);
  expect(res.headers['retry-after']).to.match(/^[0-9]+$/);
  return res.body.txId as string;
}

describe('a write whose commit status did not arrive (202) and its status route', () => {
  it('answers 202 with Location, then the status is PENDING, then COMMITTED once ordering delivers it', async () => {
    const h = harness();
    const txId = await pendingTransfer(h);
    // Ordering unreachable: the gateway's re-send (in the background) cannot settle it either.
    h.fabric.sealOutcome = new FabricFailure('unavailable', 'Fabric call failed: no ordering node reachable');
    const pending = await status(h, txId, h.token.investor).expect(200);
    expect(pending.body).to.deep.equal({ txId, status: 'PENDING' });
    expect(pending.headers['retry-after']).to.match(/^[0-9]+$/);
    expect(validCommits(h)).to.equal(0);

    expect(h.fabric.commitInFlight()).to.deep.equal([txId]);
    const committed = await status(h, txId, h.token.investor).expect(200);
    expect(transactionStatusSchema.safeParse(committed.body).success).to.equal(true);
    expect(committed.body).to.deep.equal({
      txId,
      status: 'COMMITTED',
      blockNumber: h.fabric.committed.get(txId)?.blockNumber,
      validationCode: 'VALID',
    });
    expect(h.fabric.submits('Transfers:Transfer')).to.have.length(1);
  });

  it('sends a pending transaction for ordering again when asked, so its status becomes final, once', async () => {
    const h = harness();
    const txId = await pendingTransfer(h);
    expect((await status(h, txId, h.token.investor).expect(200)).body.status).to.equal('PENDING');
    // The re-send runs in the background: the next ask finds its commit.
    let answer = '';
    for (let i = 0; i < 50 && answer !== 'COMMITTED'; i++) {
      answer = (await status(h, txId, h.token.investor).expect(200)).body.status;
    }
    expect(answer).to.equal('COMMITTED');
    expect(h.fabric.sealed).to.deep.equal([txId]);
    expect(validCommits(h)).to.equal(1);
  });

  it('answers a retry with the same Idempotency-Key after a 202 with the committed answer, the write done once', async () => {
    const h = harness();
    const txId = await pendingTransfer(h, 'pend-1');
    const principal = await h.tokens.authenticate(`Bearer ${h.token.investor}`);
    const record = h.deps.idempotency.read(IdempotencyStore.slot(principal!.credentialId, 'pend-1'));
    expect(record?.state, 'the 202 is not the answer stored under the key').to.equal('sent');
    expect(record?.response).to.equal(undefined);

    const retried = await transfer(h, 'pend-1').expect(201);
    expect(retried.body).to.include({ txId });
    expect(retried.headers['idempotent-replayed']).to.equal('true');
    const again = await transfer(h, 'pend-1').expect(201);
    expect(again.body).to.deep.equal(retried.body);
    expect(h.fabric.submits('Transfers:Transfer')).to.have.length(1);
    expect(validCommits(h)).to.equal(1);
    expect((await status(h, txId, h.token.investor).expect(200)).body.status).to.equal('COMMITTED');
  });

  it('still answers 504 to a timeout at endorsement, before anything was sent: nothing pending, nothing to read', async () => {
    const h = harness();
    h.fabric.answer('Money:Deposit', () => {
      throw new FabricFailure('timeout', 'Fabric did not answer in time', 'a'.repeat(64));
    });
    const res = await request(h.app).post('/v1/deposits').set(bearer(h.token.trustee)).send(DEPOSIT).expect(504);
    expect(res.body.code).to.equal('TIMEOUT');
    expect(res.headers.location).to.equal(undefined);
    expect(h.fabric.committed.size).to.equal(0);
    expect(h.deps.pending.read('a'.repeat(64))).to.equal(undefined);
    await status(h, 'a'.repeat(64), h.token.trustee).expect(404);
  });

  it('answers 504, not 202, when an attempt committed invalid (MVCC) and the next one timed out before ordering', async () => {
    const h = harness();
    h.fabric.conflicts.set('Transfers:Transfer', 1);
    let attempt = 0;
    h.fabric.answer('Transfers:Transfer', () => {
      if (++attempt === 2) throw new FabricFailure('timeout', 'Fabric did not answer in time', 'b'.repeat(64));
      return null;
    });
    expect((await transfer(h).expect(504)).body.code).to.equal('TIMEOUT');
    const [first] = [...h.fabric.committed.values()];
    expect(first?.validationCode).to.equal('MVCC_READ_CONFLICT');
    expect(h.deps.pending.read(first!.txId), 'the invalid attempt is not pending').to.equal(undefined);
  });

  it("gives another principal 404 on someone else's transaction, pending or committed; the org's admin reads it", async () => {
    const h = harness();
    const bob = h.tokens.create({ identity: 'acct-bob', role: Role.INVESTOR, accountId: 'bob' }).token;
    const txId = await pendingTransfer(h);
    h.fabric.sealOutcome = new FabricFailure('unavailable', 'no ordering node reachable');
    const refused = await status(h, txId, bob).expect(404);
    expect(refused.body.code).to.equal('NOT_FOUND');
    const unknown = await status(h, 'c'.repeat(64), bob).expect(404);
    expect(refused.body.detail.replace(txId, '')).to.equal(unknown.body.detail.replace('c'.repeat(64), ''));
    // A staff credential without the identities scope is not an admin, and did not send it.
    await status(h, txId, h.token.readOnly).expect(404);
    expect((await status(h, txId, h.token.operator).expect(200)).body.status).to.equal('PENDING');
    h.fabric.commitInFlight();
    await status(h, txId, bob).expect(404);
    const committed = await status(h, txId, h.token.investor).expect(200);
    expect(Object.keys(committed.body).sort()).to.deep.equal(['blockNumber', 'status', 'txId', 'validationCode']);
  });

  it('lets the sender read a write that committed in time (no record: the ledger names its signer)', async () => {
    const h = harness();
    const res = await transfer(h).expect(201);
    expect(h.deps.pending.read(res.body.txId), 'a write answered in time records nothing').to.equal(undefined);
    expect((await status(h, res.body.txId, h.token.investor).expect(200)).body.status).to.equal('COMMITTED');
    const bob = h.tokens.create({ identity: 'acct-bob', role: Role.INVESTOR, accountId: 'bob' }).token;
    await status(h, res.body.txId, bob).expect(404);
    await status(h, 'not-a-transaction-id', h.token.investor).expect(400);
  });
});
