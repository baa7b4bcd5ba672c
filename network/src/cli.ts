#!/usr/bin/env node
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeComposeFiles } from './compose';
import { fabricConfigDir, type NetworkContext } from './context';
import { hostsPlan, requireHostsSupport, setHostLink } from './hosts';
import { choosePlacement } from './placement';
import { Layout, REPO_ROOT } from './layout';
import { addOrg } from './add-org';
import { measureLeaderFailover } from './failover';
import { monitoringCommand } from './monitoring-cli';
import { removeOrg } from './remove-org';
import { ROTATABLE_IDENTITIES, rotateKey, type RotatableIdentity } from './key-rotation';
import { GOVERNANCE_USAGE, runGovernanceCommand } from './governance-cli';
import { deploy, down, status, up } from './network';
import { loadTopology, orgOf, TopologyError, type Consensus, type Topology } from './topology';
import { RECOVERY_USAGE, runRecoveryCommand } from './recovery-cli';

const USAGE = `usage: network.sh <command> [options]
  up [--consensus bft|raft] [--no-chaincode] [--placement native|hosts]
                                               bring the network up (idempotent; restarts what is down);
                                               hosts: each org in a network namespace of its own (root)
  down [--clean]                               stop the nodes this tool started (and remove the hosts of
                                               the hosts placement); --clean also wipes data
  host-link ORG down|up                        hosts placement: cut ORG's host off the bridge, or heal it
  status [--json]                              node health, block heights per channel, chaincode versions
  deploy                                       upgrade the chaincode (next sequence, ledger data kept)
  add-org NAME [--no-gateways] [--no-admit]    admit the operator or trustee NAME (already in the topology)
                                               to the running network: CAs, channel config updates signed
                                               by the members, ordering node (orderers: 1), peer,
                                               collections, gateway, on-chain admission
${RECOVERY_USAGE}
  remove-org NAME                              remove the operator NAME (marked removed: true in the
                                               topology) once the regulator revoked it and its book is
                                               empty: channel configs, consenters, endorsement policies
  logs [node] [-f]                             show node logs (all, or one node; -f follows)
  failover [--channel NAME] [--rate N]         measure a SmartBFT leader failover: steady load, kill -9 of
                                               the channel's leader, the gap in blocks and when commits
                                               resume; then the killed node is started again
  monitoring up|down|config                    start (or restart) Prometheus and Alertmanager on configuration
                                               generated from the topology, stop them, or only write it
  rotate-key ORG [--identity gateway|admin]    with keys: hsm, re-enroll the org's gateway (or admin)
                                               identity into a new key in its token, no downtime
  compose [--out DIR]                          write the Docker Compose files for a multi-host run
  validate                                     check the topology and exit
${GOVERNANCE_USAGE}
options: --topology FILE (default network/topology.yaml)`;

interface Args {
  command: string;
  flags: Map<string, string | true>;
  positional: string[];
}

function parseArgs(argv: string[]): Args {
  const [command = 'help', ...rest] = argv;
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    if (a.startsWith('--')) {
      const next = rest[i + 1];
      if (
        ['--consensus', '--topology', '--out', '--channel', '--rate', '--identity', '--placement'].includes(a) &&
        next !== undefined
      ) {
        flags.set(a, next);
        i++;
      } else flags.set(a, true);
    } else if (a === '-f') flags.set('-f', true);
    else positional.push(a);
  }
  return { command, flags, positional };
}

function fabricBin(topology: Topology): string {
  return execFileSync('bash', [join(REPO_ROOT, 'scripts', 'install-fabric.sh')], {
    encoding: 'utf8',
    // Keys in a PKCS#11 token need binaries built with the pkcs11 tag (decision 45).
    env: topology.keys === 'hsm' ? { ...process.env, FABRIC_PKCS11: '1' } : process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

function topologyFileOf(args: Args): string {
  return String(
    args.flags.get('--topology') ?? process.env.ECF_TOPOLOGY ?? join(REPO_ROOT, 'network', 'topology.yaml'),
  );
}

function context(args: Args, needBinaries = true): NetworkContext {
  const consensus = args.flags.get('--consensus');
  if (consensus !== undefined && consensus !== 'bft' && consensus !== 'raft') {
    throw new TopologyError(`--consensus must be bft or raft, not ${String(consensus)}`);
  }
  const topologyFile = topologyFileOf(args);
  const topology = loadTopology(topologyFile, consensus ? { consensus: consensus as Consensus } : {});
  const layout = new Layout();
  const asked = args.flags.get('--placement');
  const placement = choosePlacement(layout, topology, asked === undefined ? undefined : String(asked));
  if (placement.name === 'hosts') requireHostsSupport();
  const bin = needBinaries ? fabricBin(topology) : '';
  return {
    topology,
    layout,
    bin,
    fabricConfig: needBinaries ? fabricConfigDir(bin) : '',
    placement,
    progress: (m) => console.log(m),
  };
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  switch (args.command) {
    case 'up': {
      const ctx = context(args);
      await up(ctx, { deployChaincode: !args.flags.has('--no-chaincode') });
      return 0;
    }
    case 'down': {
      const ctx = context(args, false);
      const stopped = await down(ctx, { clean: args.flags.has('--clean') });
      console.log(stopped.length ? `stopped ${stopped.length} nodes: ${stopped.join(', ')}` : 'no node was running');
      if (args.flags.has('--clean'))
        console.log(`removed data, logs and crypto material under ${ctx.layout.home} and ${ctx.layout.crypto}`);
      return 0;
    }
    case 'host-link': {
      const [org, state] = args.positional;
      if (!org || (state !== 'down' && state !== 'up')) throw new TopologyError('usage: host-link ORG down|up');
      const ctx = context(args, false);
      if (ctx.placement.name !== 'hosts')
        throw new TopologyError('host-link needs a network up in the hosts placement');
      setHostLink(hostsPlan(ctx.topology), orgOf(ctx.topology, org).name, state);
      console.log(`${org}'s host link is ${state}`);
      return 0;
    }
    case 'status': {
      const ctx = context(args);
      const s = await status(ctx);
      if (args.flags.has('--json')) {
        console.log(JSON.stringify(s, null, 2));
      } else {
        console.log(`consensus: ${s.consensus}`);
        for (const n of s.nodes) {
          console.log(
            `${n.healthy ? 'UP  ' : n.pid ? 'SICK' : 'DOWN'} ${n.id.padEnd(20)} pid ${String(n.pid ?? '-').padEnd(8)} ports ${n.ports.join(',')}`,
          );
        }
        for (const l of s.ledgers) {
          console.log(
            `ledger ${l.peer.padEnd(18)} ${l.channel.padEnd(8)} height ${l.height ?? '-'} ${l.currentBlockHash ?? ''}`,
          );
        }
        for (const c of s.chaincodes) {
          console.log(`chaincode ${c.name} on ${c.channel}: version ${c.version ?? '-'} sequence ${c.sequence ?? '-'}`);
          if (c.pending) {
            const approved = Object.entries(c.pending.approvals).map(([msp, ok]) => `${msp} ${ok ? 'yes' : 'no'}`);
            console.log(
              `  pending sequence ${c.pending.sequence} (${c.pending.version}): approved ${approved.join(', ')}`,
            );
            console.log(
              `  ${c.pending.missing.length ? `missing: ${c.pending.missing.join('; ')}` : 'ready to commit'}`,
            );
          }
        }
      }
      return s.nodes.every((n) => n.healthy) ? 0 : 3;
    }
    case 'deploy': {
      const ctx = context(args);
      for (const r of await deploy(ctx))
        console.log(`${r.name}: committed version ${r.version} as sequence ${r.sequence}`);
      return 0;
    }
    case 'add-org': {
      const name = args.positional[0];
      if (!name) throw new TopologyError('add-org needs the name of the org, as the topology spells it');
      const ctx = context(args);
      const r = await addOrg(ctx, name, {
        topologyFile: topologyFileOf(args),
        gateways: !args.flags.has('--no-gateways'),
        admit: !args.flags.has('--no-admit'),
      });
      for (const c of r.chaincodes) console.log(`${c.name}: committed version ${c.version} as sequence ${c.sequence}`);
      for (const c of r.channels) {
        const sizes = c.configBlocks.map((b) => `${b.bytes} B (${b.after})`).join(' -> ');
        console.log(`${c.channel} config block: ${sizes}`);
      }
      console.log(`add-org ${r.org} took ${r.seconds.toFixed(1)}s`);
      return 0;
    }
    case 'snapshot':
    case 'restore-peer':
      return runRecoveryCommand(context(args), args.command, argv.slice(1));
    case 'remove-org': {
      const name = args.positional[0];
      if (!name) throw new TopologyError('remove-org needs the name of the org, as the topology spells it');
      const r = await removeOrg(context(args), name);
      for (const c of r.chaincodes) console.log(`${c.name}: committed version ${c.version} as sequence ${c.sequence}`);
      console.log(`remove-org ${r.org} took ${r.seconds.toFixed(1)}s (customers now at ${r.successor})`);
      return 0;
    }
    case 'chaincode':
    case 'revoke':
    case 'publish-crl':
    case 'lifecycle-policy':
      return runGovernanceCommand(args.command, argv.slice(1), context(args));
    case 'logs': {
      const layout = new Layout();
      if (!existsSync(layout.logs)) {
        console.log(`no logs yet under ${layout.logs}`);
        return 0;
      }
      const files = args.positional[0]
        ? [`${args.positional[0]}.log`]
        : readdirSync(layout.logs).filter((f) => f.endsWith('.log'));
      const tailArgs = args.flags.has('-f') ? ['-n', '20', '-F'] : ['-n', '20'];
      console.log(`logs in ${layout.logs}`);
      const r = spawnSync('tail', [...tailArgs, ...files.map((f) => join(layout.logs, f))], { stdio: 'inherit' });
      return r.status ?? 1;
    }
    case 'failover': {
      const ctx = context(args);
      const channel = String(args.flags.get('--channel') ?? 'market');
      const chaincode = ctx.topology.chaincodes.find((c) => c.channel === channel)?.name;
      if (!chaincode) throw new TopologyError(`no chaincode runs on channel ${channel}`);
      const rate = Number(args.flags.get('--rate') ?? 4);
      if (!(rate > 0 && rate <= 50)) throw new TopologyError('--rate must be between 0 and 50 per second');
      const r = await measureLeaderFailover(ctx, { channel, chaincode, ratePerSecond: rate });
      const bft = ctx.topology.ordering.smartBFT;
      console.log(
        `timeouts: forward ${bft.requestForwardTimeout}, complain ${bft.requestComplainTimeout}, ` +
          `heartbeat ${bft.leaderHeartbeatTimeout}, view change ${bft.viewChangeTimeout} (as in the topology; ` +
          'a running channel keeps the values of its genesis block or last config update)',
      );
      console.log(`killed ${r.killed}: leader ${r.before.leaderId} of view ${r.before.view}`);
      console.log(`new leader: ${r.after ? `${r.after.leaderId} of view ${r.after.view}` : 'not reported'}`);
      console.log(`block production stalled for ${(r.stallMs / 1000).toFixed(1)}s`);
      console.log(`commits resumed ${(r.resumeMs / 1000).toFixed(1)}s after the kill`);
      console.log(`load: ${r.submitted} submitted, ${r.committed} committed, ${r.failed} failed`);
      return 0;
    }
    case 'monitoring':
      return monitoringCommand(context(args, false), args.positional[0]);
    case 'rotate-key': {
      const ctx = context(args);
      const identity = String(args.flags.get('--identity') ?? 'gateway');
      if (!(ROTATABLE_IDENTITIES as readonly string[]).includes(identity)) {
        throw new TopologyError(`--identity must be one of ${ROTATABLE_IDENTITIES.join(', ')}`);
      }
      const org = ctx.topology.orgs.find((o) => o.name === args.positional[0]);
      if (!org) throw new TopologyError(`usage: network.sh rotate-key ORG; no org ${String(args.positional[0])}`);
      const r = await rotateKey(ctx, org, identity as RotatableIdentity);
      console.log(`${org.name} ${r.identity}: key ${r.previousKey} replaced by ${r.newKey} in the org's token`);
      return 0;
    }
    case 'compose': {
      const ctx = context(args, false);
      const out = String(args.flags.get('--out') ?? join(REPO_ROOT, 'network', 'compose'));
      for (const f of writeComposeFiles(ctx.topology, out)) console.log(`wrote ${f}`);
      return 0;
    }
    case 'validate': {
      const ctx = context(args, false);
      console.log(`topology ok: ${ctx.topology.orgs.length} orgs, ${ctx.topology.consensus} ordering`);
      return 0;
    }
    default:
      console.log(USAGE);
      return args.command === 'help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof TopologyError) console.error(`error: ${err.message}`);
    else console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
