import { admitDefaultConsortium, ClientPool } from './client';
import { TestNetwork } from './network';

/**
 * One running network that several suites use in turn, to keep CI inside its time budget. Sharing is
 * honest only for suites that change nothing network-wide: each onboards its own accounts and creates its
 * own share classes under ids of its own, on a consortium admitted once, with the trustee's one MYR token.
 * Suites that change channel configuration, kill or restore nodes, halt the whole market, or count every
 * record on the ledger keep a network of their own.
 *
 * The network stops after the last suite (a mocha root hook), so a single suite's run must load this
 * module with `--require test/dist/support/shared-network.js`, as `.mocharc.e2e.json` does. That config
 * runs the folders whose suites bring up networks of their own first and the sharing ones (`captable/`,
 * `market/`) last, so the shared network does not sit idle beside each of the others (an idle network
 * takes about 8% of a core): its second pattern matches every suite, the first ones included, which mocha
 * loads once, so a suite in a new folder still runs.
 */
export interface SharedMarket {
  readonly net: TestNetwork;
  readonly pool: ClientPool;
  /** The trustee's money token every sharing suite uses. */
  readonly money: string;
}

export const SHARED_MONEY = 'TrusteeMSP.MYR';

let hooked = false;
let shared: Promise<SharedMarket> | undefined;
let running: TestNetwork | undefined;

async function start(): Promise<SharedMarket> {
  const net = new TestNetwork(20_000);
  running = net;
  await net.cli('up');
  const pool = new ClientPool(net);
  await admitDefaultConsortium(pool.get('Regulator'), 'licensed for equity crowdfunding');
  await pool.get('Trustee').submit('Money:CreateToken', { args: [JSON.stringify({ currency: 'MYR', decimals: 2 })] });
  return { net, pool, money: SHARED_MONEY };
}

/** The shared network, brought up by the first suite that asks for it (call it from a `before` hook). */
export function sharedMarket(): Promise<SharedMarket> {
  if (!hooked)
    throw new Error(
      'the shared network needs its teardown hook: run mocha with --require test/dist/support/shared-network.js',
    );
  shared ??= start();
  return shared;
}

export const mochaHooks = {
  beforeAll(): void {
    hooked = true;
  },
  async afterAll(): Promise<void> {
    if (!shared || !running) return;
    const s = await shared.catch(() => undefined);
    s?.pool.closeAll();
    // A start that failed half-way still leaves processes to stop.
    await running.destroy();
    shared = undefined;
    running = undefined;
  },
};
