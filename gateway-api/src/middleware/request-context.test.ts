import { expect } from 'chai';
import request from 'supertest';
import { harness } from '../testing/fake-fabric';
import { bearer } from '../testing/fixtures';
import { requestLogSampler } from './request-context';

const requestLines = (logs: readonly string[]) =>
  logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'request');

describe('request log sampling (decision 62)', () => {
  it('logs an exact share of successful reads, evenly, and every error and slow request', () => {
    const logged = requestLogSampler({ sampleRate: 0.25, slowMs: 1000 });
    const ok = Array.from({ length: 100 }, () => logged('GET', 200, 5));
    expect(ok.filter(Boolean)).to.have.length(25);
    // Evenly: one in each run of four, never two in a row.
    expect(ok.slice(0, 8)).to.deep.equal([false, false, false, true, false, false, false, true]);
    for (const status of [400, 401, 404, 409, 429, 500, 502, 503, 504])
      expect(logged('GET', status, 5), `${status}`).to.equal(true);
    expect(logged('GET', 200, 1000)).to.equal(true);
    expect(logged('GET', 200, 999)).to.equal(false);
  });

  it('logs every write whatever the rate: who asked for a change is never sampled away', () => {
    const none = requestLogSampler({ sampleRate: 0, slowMs: 1000 });
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(none(method, 201, 1), method).to.equal(true);
    expect(none('HEAD', 200, 1)).to.equal(false);
  });

  it('logs no successful fast request at rate 0, and every request at rate 1', () => {
    const none = requestLogSampler({ sampleRate: 0, slowMs: 1000 });
    expect(Array.from({ length: 50 }, () => none('GET', 200, 1)).some(Boolean)).to.equal(false);
    expect(none('GET', 500, 1)).to.equal(true);
    const all = requestLogSampler({ sampleRate: 1, slowMs: 1000 });
    expect(Array.from({ length: 50 }, () => all('GET', 200, 1)).every(Boolean)).to.equal(true);
  });

  it('through the app: sampled lines say so, errors are all there, and no line carries the token', async () => {
    const { app, logs, token } = harness({ settings: { requestLog: { sampleRate: 0.5, slowMs: 60_000 } } });
    for (let i = 0; i < 6; i++) await request(app).get('/healthz').expect(200);
    for (let i = 0; i < 3; i++) await request(app).get('/v1/participants').expect(401);
    await request(app)
      .get('/v1/participants')
      .set(bearer(`${token.operator}x`))
      .expect(401);
    const lines = requestLines(logs);
    const ok = lines.filter((l) => l.status === 200);
    expect(ok).to.have.length(3);
    for (const l of ok) expect(l.sampled).to.equal(0.5);
    const errors = lines.filter((l) => l.status === 401);
    expect(errors).to.have.length(4);
    for (const l of errors) expect(l).not.to.have.property('sampled');
    expect(logs.join('\n')).not.to.contain(token.operator);
  });

  it('through the app: a request slower than the threshold is logged whatever the rate', async () => {
    const { app, logs } = harness({ settings: { requestLog: { sampleRate: 0, slowMs: 0 } } });
    for (let i = 0; i < 3; i++) await request(app).get('/healthz').expect(200);
    const lines = requestLines(logs);
    expect(lines).to.have.length(3);
    for (const l of lines) expect(l).not.to.have.property('sampled');
  });
});
