import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { osnadmin, peerCli } from './admin-cli';
import { writeConfigtx, profileName } from './configtx';
import { binary, type NetworkContext } from './context';
import { run, sleep } from './exec';
import { activeOrderers, orgOf } from './topology';

/** Writes each channel's genesis block once; later runs reuse it (a channel has one genesis block). */
export async function createGenesisBlocks(ctx: NetworkContext): Promise<void> {
  const cfg = writeConfigtx(ctx);
  for (const channel of ctx.topology.channels) {
    const block = ctx.layout.channelBlock(channel.name);
    if (existsSync(block)) continue;
    mkdirSync(dirname(block), { recursive: true });
    await run(
      binary(ctx, 'configtxgen'),
      ['-profile', profileName(channel.name), '-outputBlock', block, '-channelID', channel.name],
      { env: { FABRIC_CFG_PATH: cfg } },
    );
  }
}

/** Joins every ordering node to every channel through the channel participation API. */
export async function joinOrderers(ctx: NetworkContext): Promise<void> {
  await Promise.all(
    activeOrderers(ctx.topology).map(async (orderer) => {
      // /healthz can answer before the admin endpoint listens, so the first call is retried.
      const out = await retry(() => osnadmin(ctx, orderer, ['channel', 'list']));
      // osnadmin prints "Status: 200" before the JSON body.
      const list = JSON.parse(out.slice(out.indexOf('{'))) as {
        channels: Array<{ name: string }> | null;
      };
      const joined = new Set((list.channels ?? []).map((c) => c.name));
      for (const channel of ctx.topology.channels) {
        if (joined.has(channel.name)) continue;
        await retry(() =>
          osnadmin(ctx, orderer, [
            'channel',
            'join',
            '--channelID',
            channel.name,
            '--config-block',
            ctx.layout.channelBlock(channel.name),
          ]),
        );
      }
    }),
  );
}

/** Joins every peer to every channel (skipping channels it already has). */
export async function joinPeers(ctx: NetworkContext): Promise<void> {
  await Promise.all(
    ctx.topology.orgs.flatMap((org) =>
      org.peers.map(async (peer) => {
        const joined = await peerChannels(ctx, org.name, peer.id);
        for (const channel of ctx.topology.channels) {
          if (joined.includes(channel.name)) continue;
          await retry(() => peerCli(ctx, org, peer, ['channel', 'join', '-b', ctx.layout.channelBlock(channel.name)]));
        }
      }),
    ),
  );
}

export async function peerChannels(ctx: NetworkContext, orgName: string, peerId: string): Promise<string[]> {
  const org = orgOf(ctx.topology, orgName);
  const peer = org.peers.find((p) => p.id === peerId);
  if (!peer) throw new Error(`unknown peer ${peerId}`);
  const out = await peerCli(ctx, org, peer, ['channel', 'list']);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Channels peers has joined'));
}

async function retry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await sleep(500 * i);
    }
  }
}
