import type { NetworkContext } from './context';
import { restorePeer, type RestoreSource } from './restore-peer';
import { disagreements, snapshotStore, takeSnapshots } from './snapshot';
import { TopologyError } from './topology';

export const RECOVERY_USAGE = `  snapshot [--org ORG] [--json]               snapshot every channel on the org's peers (every org's by
                                               default) into .fabric/snapshots/<org>/<channel>/<block>
  restore-peer ORG [--from snapshot|genesis] [--json]
                                               rebuild ORG's peers whose data folder is gone: from its
                                               latest snapshot (default when one exists) or block 0`;

export interface RecoveryArgs {
  readonly orgs: string[];
  readonly from?: RestoreSource;
  readonly json: boolean;
  readonly positional: string[];
}

/** The options of `snapshot` and `restore-peer` (the shared parser in cli.ts knows only its own). */
export function parseRecoveryArgs(argv: readonly string[]): RecoveryArgs {
  const orgs: string[] = [];
  const positional: string[] = [];
  let from: RestoreSource | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--org' || a === '--from') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new TopologyError(`${a} needs a value`);
      if (a === '--org') orgs.push(value);
      else if (value === 'snapshot' || value === 'genesis') from = value;
      else throw new TopologyError(`--from must be snapshot or genesis, not ${value}`);
    } else if (a === '--topology') i++;
    else if (a === '--json') json = true;
    else if (a.startsWith('--')) throw new TopologyError(`unknown option ${a}`);
    else positional.push(a);
  }
  return { orgs, ...(from ? { from } : {}), json, positional };
}

/** Runs `snapshot` or `restore-peer`; resolves to the exit code. */
export async function runRecoveryCommand(
  ctx: NetworkContext,
  command: 'snapshot' | 'restore-peer',
  argv: readonly string[],
): Promise<number> {
  const args = parseRecoveryArgs(argv);
  if (command === 'snapshot') {
    const taken = await takeSnapshots(ctx, args.orgs);
    const differ = disagreements(taken);
    if (args.json) console.log(JSON.stringify({ snapshots: taken, disagreements: differ }, null, 2));
    else console.log(`${taken.length} snapshots stored under ${snapshotStore(ctx.layout)}`);
    for (const d of differ) console.error(`peers disagree on ${d}`);
    return differ.length === 0 ? 0 : 4;
  }
  const org = args.positional[0];
  if (!org) throw new TopologyError('restore-peer needs the name of the org, as the topology spells it');
  const results = await restorePeer(ctx, org, args.from ? { from: args.from } : {});
  if (args.json) console.log(JSON.stringify(results, null, 2));
  else {
    for (const r of results) {
      const how = r.channels.map(
        (c) => `${c.channel} from ${c.from === 'snapshot' ? `block ${c.snapshotBlock}` : 'block 0'}`,
      );
      console.log(`${r.peer} restored in ${r.seconds.total.toFixed(1)}s (${how.join(', ')})`);
    }
  }
  return 0;
}
