import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { harness } from '../testing/fake-fabric';
import { mediaTypeOf } from './content';

const body = JSON.stringify({ accountId: 'alice', tokenId: 'MYR', amount: '5', bankReference: 'IN-1' });

describe('request bodies the gateway can read', () => {
  for (const encoding of ['x', 'zstd', 'gzip, gzip', 'identity, gzip', 'compress']) {
    it(`refuses Content-Encoding "${encoding}" with 415 before authentication`, async () => {
      const { app, fabric } = harness();
      const res = await request(app)
        .post('/v1/deposits')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send(body)
        .expect(415);
      expect(res.headers['content-type']).to.match(/application\/problem\+json/);
      expect(res.body).to.include({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(fabric.calls).to.have.length(0);
    });
  }

  for (const type of ['application/json; charset=latin1', 'application/json; charset="utf-16"', 'text/plain']) {
    it(`refuses a body sent as ${type} with 415`, async () => {
      const { app, token } = harness();
      const res = await request(app)
        .post('/v1/deposits')
        .set('Authorization', `Bearer ${token.trustee}`)
        .set('Content-Type', type)
        .send(body)
        .expect(415);
      expect(res.body.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
    });
  }

  it('reads UTF-8 JSON, plain or gzip-compressed', async () => {
    const { app, token, fabric } = harness();
    await request(app)
      .post('/v1/deposits')
      .set('Authorization', `Bearer ${token.trustee}`)
      .set('Content-Type', 'application/json; charset=UTF-8')
      .send(body)
      .expect(201);
    await request(app)
      .post('/v1/deposits')
      .set('Authorization', `Bearer ${token.trustee}`)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      // superagent would serialize a Buffer as JSON; send the compressed bytes as they are.
      .serialize((b: Buffer) => b as unknown as string)
      .send(gzipSync(body))
      .expect(201);
    expect(fabric.submits('Money:Deposit')).to.have.length(2);
  });

  it('never reads the body of a GET, so a GET cannot answer 413 or 415', async () => {
    const { app, token } = harness({ settings: { bodyLimit: 16 } });
    await request(app)
      .get('/v1/participants')
      .set('Authorization', `Bearer ${token.operator}`)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'x')
      .send(JSON.stringify({ padding: 'x'.repeat(100) }))
      .expect(200);
  });

  it('parses a media type and its charset', () => {
    expect(mediaTypeOf('Application/JSON ; Charset="UTF-8"')).to.deep.equal({
      type: 'application/json',
      charset: 'utf-8',
    });
    expect(mediaTypeOf('application/problem+json')).to.deep.equal({ type: 'application/problem+json' });
  });
});
