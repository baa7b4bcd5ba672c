import type { IsolatedNetwork } from '@ecf/network';
import type { StepResult } from './driver';
import type { BenchMarket } from './market';
import { round } from './stats';

/**
 * The REST gateway's own cost (W8 against W2), with the gateway in each of its modes on the same network
 * and market, one after the other, as the stall bench runs its admission modes. `before` is the gateway
 * as it was: every request reads and parses its token file and writes a log line. `after` is the default
 * now (decision 62): a token file is parsed once and then checked with one `stat` per request, and one
 * successful request in ten gets a log line (errors and slow requests always do).
 */
export const GATEWAY_MODES = {
  before: { ECF_GATEWAY_TOKEN_CACHE: 'off', ECF_GATEWAY_LOG_SAMPLE: '1' },
  after: { ECF_GATEWAY_TOKEN_CACHE: 'on', ECF_GATEWAY_LOG_SAMPLE: '0.1' },
} as const;
export type GatewayMode = keyof typeof GATEWAY_MODES;

export function isGatewayMode(mode: string): mode is GatewayMode {
  return Object.hasOwn(GATEWAY_MODES, mode);
}

export interface GatewayModeRun {
  mode: GatewayMode;
  /** The gateway's environment in this mode. */
  settings: Record<string, string>;
  steps: StepResult[];
  halfLoad: StepResult[];
}

/** Starts (or restarts) OperatorA's gateway with the rate limit out of the way, and makes a token for it. */
export async function startGateway(
  net: IsolatedNetwork,
  env: Record<string, string> = {},
): Promise<{ url: string; token: string }> {
  const cli = (...args: string[]) =>
    net.node('gateway-api/dist/cli.js', args, { ECF_GATEWAY_RATE_LIMIT: '1000000000', ...env });
  await cli('down', '--org', 'OperatorA');
  await cli('up', '--org', 'OperatorA');
  const token = (await cli('token', 'create', '--org', 'OperatorA', '--identity', 'gateway')).trim();
  return { url: `http://127.0.0.1:${net.org('OperatorA').ca.port + 80}`, token };
}

/** W8's ladder and half-saturation step once per gateway mode; `measure` is the run's step measurement. */
export async function runGatewayModes(
  net: IsolatedNetwork,
  market: BenchMarket,
  modes: readonly GatewayMode[],
  rates: readonly number[],
  measure: (id: string, rate: number) => Promise<StepResult>,
  progress: (m: string) => void,
): Promise<GatewayModeRun[]> {
  const runs: GatewayModeRun[] = [];
  for (const mode of modes) {
    const settings = { ...GATEWAY_MODES[mode] };
    progress(`W8, gateway ${mode}: ${JSON.stringify(settings)}`);
    market.rest = await startGateway(net, settings);
    const steps: StepResult[] = [];
    for (const rate of rates) steps.push(await measure('W8', rate));
    const saturation = Math.max(...steps.map((s) => s.goodputTps));
    const halfLoad = saturation > 2 ? [await measure('W8', Math.max(1, Math.round(saturation / 2)))] : [];
    runs.push({ mode, settings, steps, halfLoad });
  }
  return runs;
}

/** The Markdown section: W8 per mode against the run's W2, and the gateway's CPU per transaction. */
export function gatewayCostRows(runs: readonly GatewayModeRun[] | undefined, w2Steps: readonly StepResult[]): string[] {
  if (!runs || runs.length === 0) return [];
  const w2 = Math.max(0, ...w2Steps.filter((s) => s.workload === 'W2').map((s) => s.goodputTps));
  const lines = [
    '',
    '## The REST gateway in each mode (W8 against W2, same network)',
    '',
    `W2 saturation in this run: ${w2} valid tx/s.`,
    '',
    '| gateway mode | settings | W8 saturation (valid tx/s) | W8/W2 | p95 at half saturation (ms) | gateway CPU ms / valid tx at half load | network + gateway CPU ms / valid tx at half load |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of runs) {
    const sat = Math.max(0, ...r.steps.map((s) => s.goodputTps));
    const half = r.halfLoad[0];
    const settings = Object.entries(r.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    lines.push(
      `| ${r.mode} | ${settings} | ${sat} | ${w2 > 0 ? round(sat / w2, 2) : 'n/a'} | ${half?.latencyMs.p95 ?? 'n/a'} | ${half?.cpuMsPerValidTxByComponent?.gateway ?? 'n/a'} | ${half?.cpuMsPerValidTx ?? 'n/a'} |`,
    );
  }
  return lines;
}
