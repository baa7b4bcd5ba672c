import { randomBytes } from 'node:crypto';
import type { Contract } from '@hyperledger/fabric-gateway';
import { investorLimitsCollections, perOperatorCollections } from './collections';
import type { NetworkContext } from './context';
import { existsSync, readdirSync } from 'node:fs';
import { connectTo, gatewayErrorText } from './gateway-client';
import { runningPid } from './processes';
import type { Topology } from './topology';

type ChaincodeSpec = Topology['chaincodes'][number];

const LEGACY_BATCH = 200;

/**
 * Seals every operator collection of a chaincode that has them, and the investor-limits collection (the regulator stores a secret drawn
 * here, in transient data, so no hash of a private record can be recomputed by a non-member), then moves
 * any record written by an earlier, unsealed version of the chaincode under sealed keys. Idempotent: a
 * sealed collection is left as it is, and a run with nothing to migrate writes nothing.
 */
export async function sealCollections(ctx: NetworkContext, spec: ChaincodeSpec): Promise<void> {
  if (spec.collections !== 'per-operator') return;
  const t = ctx.topology;
  const regulator = t.orgs.find((o) => o.role === 'regulator');
  const peer = regulator?.peers[0];
  if (!regulator || !peer) throw new Error('the topology has no regulator peer to seal collections with');
  const conn = connectTo(ctx.layout, regulator, peer, 'gateway', ctx.placement);
  try {
    const privacy = conn.gateway.getNetwork(spec.channel).getContract(spec.name, 'Privacy');
    for (const { name: collection } of [...perOperatorCollections(t), ...investorLimitsCollections(t)]) {
      if ((await legacyKeys(privacy, collection, 1)).length > 0) refuseWhileServing(ctx);
      if (!(await isSealed(privacy, collection))) {
        ctx.progress(`  ${spec.name}: sealing collection ${collection}`);
        await seal(privacy, collection);
      }
      const migrated = await migrateLegacy(privacy, collection);
      if (migrated > 0) ctx.progress(`  ${spec.name}: ${collection}: ${migrated} records moved under sealed keys`);
    }
  } finally {
    conn.close();
  }
}

async function isSealed(privacy: Contract, collection: string): Promise<boolean> {
  const r = await privacy.evaluateTransaction('IsSealed', JSON.stringify({ collection }));
  return (JSON.parse(Buffer.from(r).toString()) as { sealed: boolean }).sealed;
}

async function seal(privacy: Contract, collection: string): Promise<void> {
  const secret = randomBytes(32).toString('base64');
  try {
    await privacy.submit('Seal', { transientData: { payload: JSON.stringify({ collection, secret }) } });
  } catch (err) {
    // An earlier attempt that committed after its client gave up has sealed it: that secret stands.
    if (!/already sealed/.test(gatewayErrorText(err))) throw err;
  }
}

/**
 * Between sealing and the last migration batch, a record not yet moved reads as absent under its sealed
 * key: a write then (a deposit, say) would start from zero, and the batch that moves the old record would
 * overwrite it. So the first sealing upgrade of a collection with records runs with the market closed:
 * no gateway of this network may be serving.
 */
function refuseWhileServing(ctx: NetworkContext): void {
  const run = ctx.layout.run;
  const serving = existsSync(run)
    ? readdirSync(run)
        .filter((f) => f.startsWith('gateway.') && f.endsWith('.pid'))
        .map((f) => f.slice(0, -'.pid'.length))
        .filter((id) => runningPid(ctx.layout, id) !== undefined)
    : [];
  if (serving.length > 0) {
    throw new Error(
      `records written before sealing must move under sealed keys with the market closed: stop ${serving.join(', ')} ('gateway-api down'), run this again, then start them`,
    );
  }
}

async function legacyKeys(privacy: Contract, collection: string, limit: number): Promise<string[]> {
  const r = await privacy.evaluateTransaction('ListLegacy', JSON.stringify({ collection, limit }));
  return (JSON.parse(Buffer.from(r).toString()) as { keys: string[] }).keys;
}

async function migrateLegacy(privacy: Contract, collection: string): Promise<number> {
  let total = 0;
  for (;;) {
    const keys = await legacyKeys(privacy, collection, LEGACY_BATCH);
    if (keys.length === 0) return total;
    await privacy.submit('Migrate', { transientData: { payload: JSON.stringify({ collection, keys }) } });
    total += keys.length;
  }
}
