import { auditPolicySchema, DEFAULT_AUDIT_POLICY, splitFiling, type AuditFiling, type AuditPolicy } from '@ecf/common';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type winston from 'winston';
import { writeFileDurably } from '../durable-file';
import { fileCheckpoint } from '../fabric/checkpoint';
import { FabricFailure, type FabricPort } from '../fabric/types';
import { MarketObserver, observerSnapshotSchema } from './observer';

export interface RelayOptions {
  /** The market channel, read with the regulator's peer (a member of every collection). */
  readonly market: FabricPort;
  /** The audit channel, where the filings go. */
  readonly audit: FabricPort;
  /** The regulator's wallet identity that signs the filings. */
  readonly identity: string;
  /** The regulator's MSP ID: its peer endorses every filing. */
  readonly regulatorMspId: string;
  /** fabric-gateway file checkpointer: the last market block whose filings are all on the audit channel. */
  readonly checkpointFile: string;
  /**
   * Where the observer's state is saved (see observerSnapshotSchema), so a restart resumes from it instead
   * of replaying the chain from block 0. Without it, every start replays.
   */
  readonly snapshotFile?: string;
  /** At most how often the observer's state is saved (ms); default 10 s. 0 saves after every block. */
  readonly snapshotEveryMs?: number;
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
 * - on start the observer is restored from its last snapshot, or, without one, rebuilt by replaying the
 *   chain from block 0 (so its windows and ownership maps are exactly what they were); blocks after the
 *   snapshot are observed again and filed only from the checkpoint on. A snapshot is saved only after
 *   the checkpoint has moved past its block, so it is never ahead of what has been filed. The block being
 *   filed when the relay died is filed again; the ids make that a no-op.
 */
export class AuditRelay {
  private policy: AuditPolicy = DEFAULT_AUDIT_POLICY;
  private policyReadAt = 0;
  private savedAt = 0;

  constructor(private readonly options: RelayOptions) {}

  /** Runs until the stream ends or fails; the caller restarts it. */
  async run(signal: AbortSignal): Promise<void> {
    const { market, logger } = this.options;
    const checkpoint = await fileCheckpoint(this.options.checkpointFile);
    const fileFrom = checkpoint.getBlockNumber() ?? 0n;
    await this.refreshPolicy(true);
    const observer = this.restore(fileFrom) ?? new MarketObserver();
    const observeFrom = BigInt(observer.observedThrough ?? -1) + 1n;
    const stream = await market.blocks(observeFrom);
    signal.addEventListener('abort', () => stream.close(), { once: true });
    logger.info('relay following the market channel', {
      observeFrom: observeFrom.toString(),
      fileFrom: fileFrom.toString(),
    });
    for await (const block of stream) {
      const number = BigInt(block.number);
      if (number >= fileFrom) await this.refreshPolicy(false);
      const filings = observer.observe(block, this.policy);
      if (number < fileFrom) continue;
      for (const filing of filings) await this.file(filing, signal);
      await checkpoint.checkpointBlock(number);
      this.save(observer, signal.aborted);
      if (filings.length) logger.info('filed', { block: block.number, filings: filings.length });
      if (signal.aborted) return;
    }
  }

  /** The observer as last saved, when the snapshot is usable: not ahead of the checkpoint. */
  private restore(fileFrom: bigint): MarketObserver | undefined {
    const file = this.options.snapshotFile;
    if (!file || !existsSync(file)) return undefined;
    try {
      const parsed = observerSnapshotSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (parsed.success && BigInt(parsed.data.through) < fileFrom) return MarketObserver.restore(parsed.data);
      this.options.logger.warn('observer snapshot not usable; replaying from block 0', {
        reason: parsed.success ? 'ahead of the checkpoint' : 'invalid',
      });
    } catch (err) {
      this.options.logger.warn('observer snapshot unreadable; replaying from block 0', {
        error: (err as Error).message.split('\n')[0],
      });
    }
    return undefined;
  }

  private save(observer: MarketObserver, force: boolean): void {
    const file = this.options.snapshotFile;
    const every = this.options.snapshotEveryMs ?? 10_000;
    if (!file || (!force && Date.now() - this.savedAt < every)) return;
    const snapshot = observer.snapshot();
    if (!snapshot) return;
    writeFileDurably(file, JSON.stringify(snapshot));
    this.savedAt = Date.now();
  }

  private async file(filing: AuditFiling, signal: AbortSignal): Promise<void> {
    // One salt per record, kept across retries: a repeat of the same filing carries the same private part.
    const { publicPart, privatePart } = splitFiling(filing, randomBytes(32).toString('base64'));
    const coEndorsers = filing.parties.filter((p) => p !== this.options.regulatorMspId);
    if (privatePart && coEndorsers.length === 0) {
      // No party but the regulator could witness it without receiving what the record says about others'
      // customers; the observer never files such a record. Skipped and logged, not retried for ever.
      this.options.logger.error('filing skipped: a private record needs a party other than the regulator', {
        id: filing.id,
      });
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.audit.submit(this.options.identity, {
          fn: 'Audit:File',
          args: [JSON.stringify(publicPart)],
          ...(privatePart
            ? {
                transient: privatePart,
                // The regulator and one party of the record, so its private part reaches no org the record does
                // not name; another party on each retry, so one party's peer being down stops nothing.
                endorsingOrganizations: [
                  this.options.regulatorMspId,
                  coEndorsers[(attempt - 1) % coEndorsers.length] ?? this.options.regulatorMspId,
                ],
              }
            : {}),
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
