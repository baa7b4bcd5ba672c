import { expect } from 'chai';
import request from 'supertest';
import { harness } from '../testing/fake-fabric';

describe('methods a path does not declare', () => {
  it('answers 405 with Allow on a known path, and 404 on an unknown one', async () => {
    const { app, token, fabric } = harness();
    const auth = { Authorization: `Bearer ${token.operator}` };
    const res = await request(app).delete('/v1/participants').set(auth).expect(405);
    expect(res.body).to.include({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(res.headers.allow).to.equal('POST, GET, HEAD');
    const one = await request(app).patch('/v1/accounts/alice').set(auth).expect(405);
    expect(one.headers.allow).to.equal('GET, HEAD');
    const withIds = await request(app).put('/v1/share-classes/ACME/orders/o1').set(auth).expect(405);
    expect(withIds.headers.allow).to.equal('DELETE, GET, HEAD');
    expect((await request(app).post('/healthz').expect(405)).headers.allow).to.equal('GET, HEAD');
    await request(app).get('/v1/no-such-thing').set(auth).expect(404);
    await request(app).get('/dashboard/unknown.js').expect(404);
    expect(fabric.calls).to.have.length(0);
  });
});
