import type { Contract } from '@hyperledger/fabric-gateway';
import type { NetworkContext } from './context';
import { sleep } from './exec';
import { connectTo, type OrgConnection } from './gateway-client';
import { consensusLeader } from './leader';
import { ensureNode } from './network';
import { crashProcess } from './processes';

export interface FailoverOptions {
  readonly channel: string;
  readonly chaincode: string;
  /** Offered load: System:Noop transactions per second, spread over every org's peer. */
  readonly ratePerSecond?: number;
  /** Steady load before the kill, so the figures start from a flowing pipeline. */
  readonly warmupMs?: number;
  /** Transactions submitted after the kill that must commit before the measurement ends. */
  readonly commitsAfter?: number;
  /** Gives up (and says so) when commits have not resumed by then. */
  readonly timeoutMs?: number;
  /** Starts the killed node again afterwards (default true). */
  readonly restart?: boolean;
}

export interface FailoverResult {
  readonly channel: string;
  readonly killed: string;
  readonly before: { readonly leaderId: number; readonly view: number };
  readonly after?: { readonly leaderId: number; readonly view: number };
  /** Longest gap between two blocks, from the last block before the kill on. */
  readonly stallMs: number;
  /** From the kill to the commit of the first transaction submitted after it. */
  readonly resumeMs: number;
  readonly submitted: number;
  readonly committed: number;
  readonly failed: number;
}

/**
 * The two failover figures from block arrival times and commit times (ms since the epoch): the longest
 * gap in block production from the last block before the kill, and how long after the kill the first
 * transaction submitted after it committed. Undefined while either has not happened yet.
 */
export function failoverFigures(
  blockTimes: readonly number[],
  killedAt: number,
  commitsOfLaterSubmissions: readonly number[],
): { stallMs: number; resumeMs: number } | undefined {
  const sorted = [...blockTimes].sort((a, b) => a - b);
  const start = sorted.filter((t) => t <= killedAt).pop() ?? killedAt;
  const after = sorted.filter((t) => t > killedAt);
  if (after.length === 0 || commitsOfLaterSubmissions.length === 0) return undefined;
  let stallMs = 0;
  let prev = start;
  for (const t of after) {
    stallMs = Math.max(stallMs, t - prev);
    prev = t;
  }
  return { stallMs, resumeMs: Math.min(...commitsOfLaterSubmissions) - killedAt };
}

interface Submission {
  readonly at: number;
  committedAt?: number;
  failed?: boolean;
}

/**
 * Measures a SmartBFT leader failover on a running network: offers a steady low rate of System:Noop
 * transactions (each its own key, so none conflict), finds the channel's leader from the ordering nodes'
 * metrics, kills it with SIGKILL, and waits until transactions submitted after the kill commit.
 */
export async function measureLeaderFailover(ctx: NetworkContext, opts: FailoverOptions): Promise<FailoverResult> {
  const rate = opts.ratePerSecond ?? 4;
  const commitsAfter = opts.commitsAfter ?? 10;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const connections: OrgConnection[] = [];
  for (const org of ctx.topology.orgs) {
    const peer = org.peers[0];
    if (peer) connections.push(connectTo(ctx.layout, org, peer, 'gateway', ctx.placement));
  }
  const first = connections[0];
  if (!first) throw new Error('the topology has no peer to submit through');
  const contracts: Contract[] = connections.map((c) =>
    c.gateway.getNetwork(opts.channel).getContract(opts.chaincode, 'System'),
  );
  const blockTimes: number[] = [];
  const submissions: Submission[] = [];
  const inFlight = new Set<Promise<void>>();
  const blocks = await first.gateway.getNetwork(opts.channel).getFilteredBlockEvents();
  const listening = (async () => {
    for await (const block of blocks) if (block) blockTimes.push(Date.now());
  })().catch(() => undefined);

  let next = 0;
  const submitOne = () => {
    // Bounded: a stalled ordering service must not pile up unbounded work in this process.
    if (inFlight.size >= rate * 60) return;
    const contract = contracts[next++ % contracts.length] as Contract;
    const s: Submission = { at: Date.now() };
    submissions.push(s);
    const p = (async () => {
      try {
        const status = await (await contract.submitAsync('Noop')).getStatus();
        if (status.successful) s.committedAt = Date.now();
        else s.failed = true;
      } catch {
        s.failed = true;
      }
    })();
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const load = setInterval(submitOne, 1000 / rate);
  try {
    const warmupEnd = Date.now() + (opts.warmupMs ?? 5_000);
    while (Date.now() < warmupEnd || submissions.filter((s) => s.committedAt).length < 3) {
      if (Date.now() > warmupEnd + timeoutMs) throw new Error('no transaction committed before the kill');
      await sleep(100);
    }
    const leader = await consensusLeader(ctx.topology, opts.channel, ctx.placement);
    if (!leader) throw new Error(`no ordering node reports a SmartBFT leader for ${opts.channel}`);
    if (!crashProcess(ctx.layout, leader.node.id)) throw new Error(`${leader.node.id} is not running`);
    const killedAt = Date.now();
    ctx.progress(`killed ${leader.node.id} (consenter ${leader.leaderId}, leader of view ${leader.view})`);

    const later = () => submissions.filter((s) => s.at > killedAt && s.committedAt !== undefined);
    while (later().length < commitsAfter) {
      if (Date.now() > killedAt + timeoutMs) {
        throw new Error(`commits did not resume within ${timeoutMs} ms of killing ${leader.node.id}`);
      }
      await sleep(100);
    }
    clearInterval(load);
    await Promise.race([Promise.all([...inFlight]), sleep(30_000)]);
    const figures = failoverFigures(
      blockTimes,
      killedAt,
      later().map((s) => s.committedAt ?? 0),
    );
    if (!figures) throw new Error('no block arrived after the kill');
    const after = await consensusLeader(ctx.topology, opts.channel, ctx.placement);
    if (opts.restart ?? true) await ensureNode(ctx, leader.node);
    return {
      channel: opts.channel,
      killed: leader.node.id,
      before: { leaderId: leader.leaderId, view: leader.view },
      ...(after ? { after: { leaderId: after.leaderId, view: after.view } } : {}),
      ...figures,
      submitted: submissions.length,
      committed: submissions.filter((s) => s.committedAt !== undefined).length,
      failed: submissions.filter((s) => s.failed).length,
    };
  } finally {
    clearInterval(load);
    blocks.close();
    await listening;
    for (const c of connections) c.close();
  }
}
