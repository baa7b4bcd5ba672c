import { expect } from 'chai';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { listen } from './server';
import { harness } from './testing/fake-fabric';
import { scratchDir } from './testing/scratch';

/** A port some other program holds, for the duration of `use`. */
async function withTakenPort(use: (port: number) => Promise<void>): Promise<void> {
  const other: Server = createServer();
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  try {
    await use((other.address() as AddressInfo).port);
  } finally {
    await new Promise<void>((resolve) => other.close(() => resolve()));
  }
}

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

describe('a gateway whose port is taken', () => {
  it('fails to listen instead of resolving', async () => {
    const { app } = harness();
    await withTakenPort(async (port) => {
      const err = await listen(app, port, '127.0.0.1').then(
        (server) => {
          server.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(err, 'listen rejects').to.be.instanceOf(Error);
      expect((err as Error).message).to.equal(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    });
  });

  it('exits non-zero from `serve`, saying why, and never logs that it is listening', async function () {
    this.timeout(60_000);
    await withTakenPort(async (port) => {
      // An empty network folder: the port is claimed before anything of the network is opened.
      const home = scratchDir('ecf-gw-port-');
      const child = spawn(
        process.execPath,
        [join(__dirname, 'cli.js'), 'serve', '--org', 'OperatorA', '--port', `${port}`],
        {
          env: { ...process.env, ECF_NETWORK_HOME: home, ECF_CRYPTO_DIR: join(home, 'crypto') },
        },
      );
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, output).to.equal(1);
      expect(output).to.contain(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
      expect(output).not.to.contain('listening');
    });
  });
});
