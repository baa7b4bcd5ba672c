import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { NetworkContext } from './context';
import { REPO_ROOT } from './layout';
import { startMonitoring, stopMonitoring, writeMonitoringConfig } from './monitoring';
import { TopologyError } from './topology';

/** `network.sh monitoring up|down|config` (docs/operations.md). */
export async function monitoringCommand(ctx: NetworkContext, sub: string | undefined): Promise<number> {
  switch (sub) {
    case 'up': {
      // Debian's packages, installed once when root can; otherwise the script says what is missing.
      const [prometheus = '', alertmanager = ''] = execFileSync(
        'bash',
        [join(REPO_ROOT, 'scripts', 'install-monitoring.sh')],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      )
        .trim()
        .split('\n');
      const urls = await startMonitoring(ctx.layout, ctx.topology, { prometheus, alertmanager }, ctx.placement.address);
      console.log(`Prometheus   ${urls.prometheus}  (alerts: ${urls.prometheus}/alerts)`);
      console.log(`Alertmanager ${urls.alertmanager}`);
      return 0;
    }
    case 'down': {
      const stopped = await stopMonitoring(ctx.layout);
      console.log(stopped.length ? `stopped ${stopped.join(', ')}` : 'monitoring was not running');
      return 0;
    }
    case 'config':
      console.log(`wrote ${writeMonitoringConfig(ctx.layout, ctx.topology, ctx.placement.address)}`);
      return 0;
    default:
      throw new TopologyError('monitoring needs up, down or config');
  }
}
