import { auditPolicySchema, DEFAULT_AUDIT_POLICY, type AuditFiling, type AuditPolicy } from '@ecf/common';
import { checkpointers } from '@hyperledger/fabric-gateway';
import { readFileSync } from 'node:fs';
import type winston from 'winston';
import { FabricFailure, type FabricPort } from '../fabric/types';
import { MarketObserver } from './observer';

export interface RelayOptions {
  /** The market channel, read with the regulator's peer (a member of every collection). */
  readonly market: FabricPort;
  /** The audit channel, where the filings go. */
  readonly audit: FabricPort;
  /** The regulator's wallet identity that signs the filings. */
  readonly identity: string;
  /** fabric-gateway file checkpointer: the last market block whose filings are all on the audit channel. */
  readonly checkpointFile: string;
  readonly logger: winston.Logger;
  /**
   * At most how old the policy may be when a new block is filed (ms). Default 0: it is read before every
   * new block, so a policy the regulator set before a market transaction applies to it.
   */
  readonly policyRefreshMs?: number;
}

/**
 * Follows the market channel block by block and files what the observer derives onto the audit channel.
 *
 * Exactly once, across kills at any point:
 * - every filing's id is derived from its source (transaction, trade, block), and `Audit:File` keeps the
 *   first record of an id and writes nothing for a repeat;
 * - the checkpoint moves past a block only after all its filings are committed;
 * - on start the relay replays the chain from block 0 through the observer (so its windows and ownership
 *   maps are exactly what they were), filing only from the checkpoint on. The block being filed when the
 *   relay died is filed again; the ids make that a no-op.
 */
export class AuditRelay {
  private policy: AuditPolicy = DEFAULT_AUDIT_POLICY;
  private policyReadAt = 0;

  constructor(private readonly options: RelayOptions) {}

  /** Runs until the stream ends or fails; the caller restarts it. */
  async run(signal: AbortSignal): Promise<void> {
    const { market, logger } = this.options;
    const checkpoint = await checkpointers.file(this.options.checkpointFile);
    const fileFrom = checkpoint.getBlockNumber() ?? 0n;
    await this.refreshPolicy(true);
    const observer = new MarketObserver();
    const stream = await market.blocks(0n);
    signal.addEventListener('abort', () => stream.close(), { once: true });
    logger.info('relay following the market channel', { fileFrom: fileFrom.toString() });
    for await (const block of stream) {
      const number = BigInt(block.number);
      if (number >= fileFrom) await this.refreshPolicy(false);
      const filings = observer.observe(block, this.policy);
      if (number < fileFrom) continue;
      for (const filing of filings) await this.file(filing, signal);
      await checkpoint.checkpointBlock(number);
      if (filings.length) logger.info('filed', { block: block.number, filings: filings.length });
      if (signal.aborted) return;
    }
  }

  private async file(filing: AuditFiling, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.audit.submit(this.options.identity, {
          fn: 'Audit:File',
          args: [JSON.stringify(filing)],
          deadline: Date.now() + 30_000,
        });
        return;
      } catch (err) {
        const kind = err instanceof FabricFailure ? err.kind : 'unknown';
        // A refusal is a bug in the observer, not a reason to stop reporting everything after it.
        if (kind === 'chaincode') {
          this.options.logger.error('filing refused', { id: filing.id, error: (err as Error).message });
          return;
        }
        if (signal.aborted) throw err;
        this.options.logger.warn('filing failed; retrying', { id: filing.id, kind, attempt });
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  }

  private async refreshPolicy(force: boolean): Promise<void> {
    const every = this.options.policyRefreshMs ?? 0;
    if (!force && Date.now() - this.policyReadAt < every) return;
    const raw = await this.options.audit.evaluate(this.options.identity, {
      fn: 'Audit:GetPolicy',
      deadline: Date.now() + 15_000,
    });
    this.policy = auditPolicySchema.parse(raw);
    this.policyReadAt = Date.now();
  }
}

/** The block the relay has filed through, from its checkpoint file (for status endpoints). */
export function relayCheckpoint(file: string): bigint | undefined {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { blockNumber?: number | string };
    return state.blockNumber === undefined ? undefined : BigInt(state.blockNumber) - 1n;
  } catch {
    return undefined;
  }
}
