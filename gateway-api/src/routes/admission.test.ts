import { expect } from 'chai';
import request from 'supertest';
import type { AdmissionSettings } from '../admission';
import { harness, type Harness } from '../testing/fake-fabric';
import { bearer } from '../testing/fixtures';

const transfer = (from: string, to: string) => ({ from, to, assetId: 'TrusteeMSP.MYR', amount: '1' });

function gatewayWith(admission: Partial<AdmissionSettings>): Harness {
  return harness({ settings: { admission: { enabled: true, maxPending: 128, maxPerAccount: 8, ...admission } } });
}

/** Holds every transaction between ordering and commit (a stalled ordering service) until `open`. */
function stallOrdering(h: Harness): { open(): void } {
  let open = (): void => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  h.fabric.ordering = () => gate;
  return { open };
}

/** Starts a request without awaiting its answer. */
function start(test: request.Test): Promise<request.Response> {
  return new Promise((resolve, reject) => test.end((err, res) => (err ? reject(err) : resolve(res))));
}

/** Waits until the fake has seen `n` endorsements of `fn` (each attempt is one). */
async function submitted(h: Harness, n: number, fn = 'Transfers:Transfer'): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (h.fabric.submits(fn).length < n) {
    if (Date.now() > deadline) throw new Error(`${h.fabric.submits(fn).length} of ${n} submissions arrived`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits until `n` admitted writes wait for their accounts (the queue-depth gauge). */
async function queued(h: Harness, n: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  const waiting = async () =>
    (await h.deps.metrics.writeQueue.get()).values.find((v) => v.labels.state === 'waiting')?.value ?? 0;
  while ((await waiting()) < n) {
    if (Date.now() > deadline) throw new Error(`${await waiting()} of ${n} writes queued`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('admission control over HTTP (decision 43)', () => {
  it('serializes writes on one account and runs writes on other accounts side by side', async () => {
    const h = gatewayWith({});
    const stall = stallOrdering(h);
    const post = (body: object) => start(request(h.app).post('/v1/transfers').set(bearer(h.token.operator)).send(body));
    const first = post(transfer('alice', 'bob'));
    await submitted(h, 1);
    const sameSender = post(transfer('alice', 'carol'));
    const sameReceiver = post(transfer('dave', 'bob'));
    const other = post(transfer('erin', 'frank'));
    await submitted(h, 2);
    await queued(h, 2);
    const running = h.fabric.submits().map((c) => (c.call.transient as { from: string }).from);
    expect(running, 'only the disjoint transfer started beside the first').to.deep.equal(['alice', 'erin']);
    stall.open();
    const answers = await Promise.all([first, sameSender, sameReceiver, other]);
    expect(answers.map((a) => a.status)).to.deep.equal([201, 201, 201, 201]);
    expect(h.fabric.submits()).to.have.length(4);
  });

  it('answers 503 OVERLOADED with Retry-After when the queue is full, starts no write for it, and still serves reads', async () => {
    const h = gatewayWith({ maxPending: 2 });
    const stall = stallOrdering(h);
    const post = (body: object, key: string) =>
      request(h.app).post('/v1/transfers').set(bearer(h.token.operator)).set('Idempotency-Key', key).send(body);
    const held = [start(post(transfer('a1', 'a2'), 'k1')), start(post(transfer('a1', 'a3'), 'k2'))];
    await submitted(h, 1);
    await queued(h, 1);
    const refused = await post(transfer('b1', 'b2'), 'k3').expect(503);
    expect(refused.body).to.include({ code: 'OVERLOADED', status: 503 });
    expect(refused.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).to.be.within(1, 10);
    expect(refused.body).not.to.have.property('txId');
    expect(h.fabric.submits(), 'nothing was endorsed for the refused write').to.have.length(1);
    // Reads never wait behind writes.
    h.fabric.answer('Registry:ListParticipants', () => []);
    await request(h.app).get('/v1/participants').set(bearer(h.token.operator)).expect(200);
    stall.open();
    expect((await Promise.all(held)).map((a) => a.status)).to.deep.equal([201, 201]);
    // The refused request, retried with its key, runs as a first attempt, and once.
    const retried = await post(transfer('b1', 'b2'), 'k3').expect(201);
    expect(retried.headers['idempotent-replayed']).to.equal(undefined);
    const again = await post(transfer('b1', 'b2'), 'k3').expect(201);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    expect(again.body.txId).to.equal(retried.body.txId);
    expect(h.fabric.submits().filter((c) => (c.call.transient as { from: string }).from === 'b1')).to.have.length(1);
  });

  it('answers 429 ACCOUNT_BUSY with Retry-After past the per-account limit, while other accounts are admitted', async () => {
    const h = gatewayWith({ maxPerAccount: 2 });
    const stall = stallOrdering(h);
    const post = (body: object) => request(h.app).post('/v1/transfers').set(bearer(h.token.operator)).send(body);
    const held = [start(post(transfer('alice', 'b1'))), start(post(transfer('alice', 'b2')))];
    await submitted(h, 1);
    await queued(h, 1);
    const refused = await post(transfer('c1', 'alice')).expect(429);
    expect(refused.body).to.include({ code: 'ACCOUNT_BUSY' });
    expect(refused.headers['retry-after']).to.match(/^\d+$/);
    const other = start(post(transfer('c1', 'c2')));
    await submitted(h, 2);
    stall.open();
    expect((await Promise.all([...held, other])).map((a) => a.status)).to.deep.equal([201, 201, 201]);
  });

  it('retries an MVCC conflict while there is room, and not at all when the queue is saturated', async () => {
    const roomy = gatewayWith({});
    roomy.fabric.conflicts.set('Transfers:Transfer', 1);
    await request(roomy.app)
      .post('/v1/transfers')
      .set(bearer(roomy.token.operator))
      .send(transfer('a', 'b'))
      .expect(201);
    expect(roomy.fabric.submits(), 'endorsed again once').to.have.length(2);

    const full = gatewayWith({ maxPending: 2 });
    const stall = stallOrdering(full);
    const post = (body: object) => request(full.app).post('/v1/transfers').set(bearer(full.token.operator)).send(body);
    full.fabric.conflicts.set('Transfers:Transfer', 2);
    const both = [start(post(transfer('a', 'b'))), start(post(transfer('c', 'd')))];
    await submitted(full, 2);
    stall.open();
    const answers = await Promise.all(both);
    expect(answers.map((a) => a.status)).to.deep.equal([409, 409]);
    expect(answers.map((a) => a.body.code)).to.deep.equal(['MVCC_CONFLICT', 'MVCC_CONFLICT']);
    expect(answers[0]?.headers['retry-after']).to.equal('1');
    expect(full.fabric.submits(), 'no conflict was endorsed again').to.have.length(2);
    const permits = (await full.deps.metrics.retryPermits.get()).values;
    expect(permits.find((v) => v.labels.outcome === 'refused')?.value).to.equal(2);
  });

  it('counts admitted and refused writes and the wait per account in /metrics', async () => {
    const h = gatewayWith({ maxPending: 1 });
    const stall = stallOrdering(h);
    const held = start(request(h.app).post('/v1/transfers').set(bearer(h.token.operator)).send(transfer('a', 'b')));
    await submitted(h, 1);
    await request(h.app).post('/v1/transfers').set(bearer(h.token.operator)).send(transfer('c', 'd')).expect(503);
    stall.open();
    await held;
    const text = (await request(h.app).get('/metrics').expect(200)).text;
    expect(text).to.match(/gateway_write_admissions_total\{outcome="admitted"\} 1/);
    expect(text).to.match(/gateway_write_admissions_total\{outcome="overloaded"\} 1/);
    expect(text).to.match(/gateway_account_wait_seconds_count 1/);
    expect(text).to.match(/gateway_write_queue_depth\{state="running"\} 0/);
  });
});
