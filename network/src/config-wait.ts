import { fetchConfig } from './config-update';
import type { NetworkContext } from './context';
import { sleep } from './exec';
import type { Org } from './topology';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- configtxlator's JSON is Fabric's protobuf JSON
type Json = any;

/**
 * Polls the channel's configuration (fetched by `as` from the ordering service) until `holds` is true.
 * `peer channel update` returns once an ordering node accepted the update, before it is in a block; the
 * next update of the same element must start from the new version, or the orderer refuses it ("attempt to
 * set key … to version 1, but key is at version 1").
 */
export async function waitUntilConfig(
  ctx: NetworkContext,
  channel: string,
  as: Org,
  dir: string,
  holds: (config: Json) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const config = await fetchConfig(ctx, channel, as, dir).catch(() => undefined);
    if (config !== undefined && holds(config)) return config;
    if (Date.now() > deadline)
      throw new Error(`${channel}: ${what} did not reach the configuration in ${timeoutMs} ms`);
    await sleep(500);
  }
}
