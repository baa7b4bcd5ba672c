import { expect } from 'chai';
import FabricCAServices from 'fabric-ca-client';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withoutKeepAlive } from './ca-transport';

/** A CA that answers every call with success, over plain HTTP on loopback. */
async function fakeCaServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ success: true, result: { CAName: 'ca' }, errors: [], messages: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Whether `calls` sequential CA requests make Node warn of a listener leak. */
async function leaks(configure: (ca: FabricCAServices) => FabricCAServices, calls: number): Promise<boolean> {
  const { url, server } = await fakeCaServer();
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  // Collected here instead of printed by Node's default handler: the control run provokes one on purpose.
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', onWarning);
  try {
    const ca = configure(new FabricCAServices(url, undefined, 'ca'));
    const client = (ca as unknown as { _fabricCAClient: { post(m: string, body: object): Promise<unknown> } })
      ._fabricCAClient;
    for (let i = 0; i < calls; i++) await client.post('cainfo', { caname: 'ca' });
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    return warnings.some((w) => w.includes('MaxListenersExceededWarning'));
  } finally {
    process.off('warning', onWarning);
    for (const p of printers) process.on('warning', p);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

describe('CA transport', () => {
  it('leaks a socket listener per call with the default keep-alive agent (the control)', async () => {
    expect(await leaks((ca) => ca, 15)).to.equal(true);
  });

  it('gives each CA call its own connection, so listeners do not pile up', async () => {
    expect(await leaks(withoutKeepAlive, 15)).to.equal(false);
  });
});
