import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_NODE_SETTINGS, REPO_ROOT } from '@ecf/network';
import { renderTuning, runTuning } from './tuning';

/** `npm run bench -- --tuning`: the same-run comparison of node settings (decision 61). */
export async function tuningBench(arg: (name: string) => string | undefined): Promise<void> {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const results = await runTuning(
    {
      accounts: Number(arg('--accounts') ?? 1000),
      rates: (arg('--rates') ?? '20,40').split(',').map(Number),
      durationS: Number(arg('--duration') ?? 10),
      portShift: Number(arg('--port-shift') ?? 13_000),
      profileSeconds: Number(arg('--profile-seconds') ?? 8),
      ...(arg('--variants') ? { variants: (arg('--variants') ?? '').split(',') } : {}),
      progress: (m) => console.log(`bench: ${m}`),
      checkpoint: (r) =>
        writeFileSync(join(dir, `tuning-${r.startedAt.replace(/[:.]/g, '-')}.json`), JSON.stringify(r, null, 2)),
    },
    DEFAULT_NODE_SETTINGS,
  );
  const stamp = `tuning-${results.startedAt.replace(/[:.]/g, '-')}`;
  writeFileSync(join(dir, `${stamp}.json`), JSON.stringify(results, null, 2));
  const report = renderTuning(results);
  writeFileSync(join(dir, `${stamp}.md`), report);
  console.log(report);
  console.log(`results: bench/results/${stamp}.{json,md}`);
}
