import { readFileSync, writeFileSync } from 'node:fs';
import type { GatewayConfig } from '../config';
import { channelPort, openWallet, SERVICE_IDENTITY } from '../server';
import { StatementError } from './decimal';
import {
  importRegisterFile,
  ledgerOver,
  RegisterRefused,
  registerReport,
  trustAccountReport,
  type Ledger,
} from './ledger';
import type { StatementFormat } from './statement';

/**
 * `gateway-api reconcile …` and `gateway-api register …`: the trustee's back-office commands (decision
 * 47). They run on the trustee's host beside its gateway, with the gateway's wallet, and talk to the
 * org's own peer. The statement and the register never leave that host and are never logged: a report
 * shows an account number by its last four characters only.
 */
export interface CommandIo {
  readonly arg: (name: string) => string | undefined;
  readonly need: (name: string) => string;
  readonly flag: (name: string) => boolean;
  readonly print: (line: string) => void;
  /** A refusal, for the operator's terminal (standard error), never a log. */
  readonly fail: (line: string) => void;
}

export async function runReconciliation(
  command: 'reconcile' | 'register',
  sub: string | undefined,
  config: GatewayConfig,
  io: CommandIo,
): Promise<number> {
  if (config.org.role !== 'trustee')
    throw new Error(`${command} is the trustee's: ${config.org.name} is a ${config.org.role}`);
  const wallet = await openWallet(config);
  const port = channelPort(config, wallet, 'market');
  const ledger = ledgerOver(port, io.arg('--identity') ?? SERVICE_IDENTITY, config.settings.requestTimeoutMs);
  try {
    return await dispatch(command, sub, ledger, config, io);
  } catch (err) {
    if (err instanceof StatementError || err instanceof RegisterRefused) {
      io.fail(`${err instanceof RegisterRefused ? '' : 'INVALID_ARGUMENT: '}${err.message}`);
      return 2;
    }
    throw err;
  } finally {
    port.close();
  }
}

async function dispatch(
  command: 'reconcile' | 'register',
  sub: string | undefined,
  ledger: Ledger,
  config: GatewayConfig,
  io: CommandIo,
): Promise<number> {
  const breaksExit = (n: number) => (n > 0 && io.flag('--fail-on-break') ? 3 : 0);
  if (command === 'reconcile' && sub === 'trust-account') {
    const format = io.arg('--format');
    if (format !== undefined && format !== 'camt.053' && format !== 'csv')
      throw new StatementError('--format is camt.053 or csv');
    const report = await trustAccountReport(
      ledger,
      config.org.mspId,
      readFileSync(io.need('--statement'), 'utf8'),
      format as StatementFormat | undefined,
    );
    emit(io, report);
    io.print(`${report.positions.length} currencies, ${report.breaks.length} breaks`);
    return breaksExit(report.breaks.length);
  }
  if (command === 'register' && sub === 'import') {
    const summary = await importRegisterFile(ledger, io.need('--register-id'), readFileSync(io.need('--file'), 'utf8'));
    emit(io, summary);
    return 0;
  }
  if (command === 'register' && sub === 'reconcile') {
    const report = await registerReport(ledger, readFileSync(io.need('--file'), 'utf8'));
    emit(io, report);
    io.print(`${report.holdings} holdings, ${report.breaks.length} breaks`);
    return breaksExit(report.breaks.length);
  }
  throw new Error(`unknown command ${command} ${sub ?? ''}`);
}

/** The report as JSON: into `--out FILE` (owner-only), or on standard output. */
function emit(io: CommandIo, report: object): void {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const out = io.arg('--out');
  if (out) writeFileSync(out, text, { mode: 0o600 });
  else io.print(text.trimEnd());
}
