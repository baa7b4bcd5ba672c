import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { listen } from './server';
import { harness } from './testing/fake-fabric';

describe('HTTP server timeouts', () => {
  it('answers 408 and closes a connection whose body never arrives in full', async () => {
    const { app } = harness();
    // Small timeouts so the test is quick; the bound below is generous for a slow machine.
    const server = await listen(app, 0, '127.0.0.1', {
      requestTimeout: 300,
      headersTimeout: 200,
      keepAliveTimeout: 200,
      connectionsCheckingInterval: 50,
    });
    try {
      const { port } = server.address() as AddressInfo;
      const started = Date.now();
      const answer = await new Promise<{ text: string; closed: boolean }>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let text = '';
        const bound = setTimeout(() => {
          socket.destroy();
          resolve({ text, closed: false });
        }, 10_000);
        socket.on('data', (chunk) => (text += chunk.toString('latin1')));
        socket.on('error', reject);
        socket.on('close', () => {
          clearTimeout(bound);
          resolve({ text, closed: true });
        });
        socket.write(
          'POST /v1/deposits HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
            'Content-Length: 1000\r\n\r\n{"accountId":',
        );
      });
      expect(answer.closed, 'the server closed the connection').to.equal(true);
      expect(answer.text).to.match(/^HTTP\/1\.1 408 /);
      expect(Date.now() - started).to.be.below(10_000);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
