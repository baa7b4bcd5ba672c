import { expect } from 'chai';
import { accountsOf, Admission, type AdmissionSettings } from './admission';
import { Metrics } from './metrics';
import { ApiError, GatewayCode } from './problem';

const settings = (s: Partial<AdmissionSettings> = {}): AdmissionSettings => ({
  enabled: true,
  maxPending: 4,
  maxPerAccount: 2,
  ...s,
});
const later = () => Date.now() + 60_000;

function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('not refused');
}

async function value(metrics: Metrics, name: 'admissions' | 'retryPermits', outcome: string): Promise<number> {
  return (await metrics[name].get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

describe('admission control', () => {
  it('names the accounts a write changes from its input: accountId, from and to, once each', () => {
    expect(accountsOf({ from: 'b', to: 'a', assetId: 'MYR', amount: '1' })).to.deep.equal(['a', 'b']);
    expect(accountsOf({ accountId: 'a', tokenId: 'MYR' })).to.deep.equal(['a']);
    expect(accountsOf({ from: 'a', to: 'a' })).to.deep.equal(['a']);
    expect(accountsOf({ mspId: 'OperatorAMSP', issuerAccountId: 'x' })).to.deep.equal([]);
  });

  it('refuses a write beyond the queue with 503 OVERLOADED and Retry-After, and admits again once one is released', () => {
    const metrics = new Metrics();
    const admission = new Admission(settings(), metrics);
    const tickets = ['a', 'b', 'c', 'd'].map((a) => admission.admit([a]));
    const err = refusal(() => admission.admit(['e']));
    expect(err.code).to.equal(GatewayCode.OVERLOADED);
    expect(err.status).to.equal(503);
    expect(Number(err.extra.headers?.['Retry-After'])).to.be.within(1, 10);
    tickets[0]?.release();
    tickets[0]?.release(); // a second release changes nothing
    admission.admit(['e']);
    expect(refusal(() => admission.admit(['f'])).code).to.equal(GatewayCode.OVERLOADED);
  });

  it('refuses a third write on one account with 429 ACCOUNT_BUSY while other accounts are admitted', () => {
    const admission = new Admission(settings({ maxPending: 10 }), new Metrics());
    admission.admit(['alice']);
    admission.admit(['alice', 'bob']);
    const err = refusal(() => admission.admit(['carol', 'alice']));
    expect(err.code).to.equal(GatewayCode.ACCOUNT_BUSY);
    expect(err.status).to.equal(429);
    expect(err.extra.headers?.['Retry-After']).to.match(/^\d+$/);
    admission.admit(['bob']);
    admission.admit(['carol']);
  });

  it('grants a conflict retry only while a new write would be admitted, and counts it against the same budget', async () => {
    const metrics = new Metrics();
    const admission = new Admission(settings(), metrics);
    const first = admission.admit(['a']);
    admission.admit(['b']);
    expect(first.mayRetry(1)).to.equal(true);
    admission.admit(['c']);
    // 3 writes + 1 retry: the queue is full, so neither a new write nor another retry gets in.
    expect(refusal(() => admission.admit(['d'])).code).to.equal(GatewayCode.OVERLOADED);
    expect(first.mayRetry(2)).to.equal(false);
    first.release();
    // The write and its retry both gave their units back.
    admission.admit(['d']);
    admission.admit(['e']);
    expect(await value(metrics, 'retryPermits', 'granted')).to.equal(1);
    expect(await value(metrics, 'retryPermits', 'refused')).to.equal(1);
  });

  it('answers 503 OVERLOADED when the deadline would pass in the queue, and frees the place', async () => {
    const metrics = new Metrics();
    const admission = new Admission(settings(), metrics);
    const running = admission.admit(['alice']);
    await running.ready(later());
    const waiting = admission.admit(['alice']);
    // The wait ends well before the deadline, leaving time to run: here at once.
    const err = await waiting.ready(Date.now() + 5_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ApiError);
    expect((err as ApiError).code).to.equal(GatewayCode.OVERLOADED);
    expect(await value(metrics, 'admissions', 'expired')).to.equal(1);
    admission.admit(['alice']);
  });

  it('exposes the queue depth by state', async () => {
    const metrics = new Metrics();
    const admission = new Admission(settings(), metrics);
    await admission.admit(['alice']).ready(later());
    admission.admit(['alice']);
    const depth = (await metrics.writeQueue.get()).values;
    expect(depth.find((v) => v.labels.state === 'running')?.value).to.equal(1);
    expect(depth.find((v) => v.labels.state === 'waiting')?.value).to.equal(1);
  });

  it('admits everything at once, unqueued, when switched off (the behaviour before decision 43)', async () => {
    const admission = new Admission(settings({ enabled: false, maxPending: 1, maxPerAccount: 1 }), new Metrics());
    const tickets = [admission.admit(['alice']), admission.admit(['alice'])];
    await Promise.all(tickets.map((t) => t.ready(later())));
    expect(tickets.every((t) => t.mayRetry(1))).to.equal(true);
  });
});
