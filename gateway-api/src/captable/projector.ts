import type winston from 'winston';
import type { FabricPort } from '../fabric/types';
import { factsOf } from './projection';
import type { Sql } from './sql';
import { applyBlock, projectedThrough } from './store';

export interface ProjectorOptions {
  /** The market channel, read with the trustee's peer (a member of its operators' collections). */
  readonly market: FabricPort;
  readonly sql: Sql;
  readonly logger: winston.Logger;
  readonly chaincode?: string;
}

/**
 * Follows the market channel block by block, with the private data the trustee's peer holds, and writes
 * each block's position changes. Exactly once, across kills at any point: a block's rows and the
 * checkpoint commit in one database transaction (store.ts), and the stream resumes after the checkpoint,
 * so a block whose transaction did not commit is read again and one that did is never written twice.
 */
export class CapTableProjector {
  constructor(private readonly options: ProjectorOptions) {}

  /**
   * Runs until the stream ends, fails, the signal aborts, or (with `through`) that block is projected.
   * The caller restarts it after a failure.
   */
  async run(signal: AbortSignal, through?: bigint): Promise<void> {
    const { market, sql, logger } = this.options;
    const done = await projectedThrough(sql);
    if (through !== undefined && done !== undefined && done >= through) return;
    const from = done === undefined ? 0n : done + 1n;
    const stream = await market.blocks(from);
    const close = () => stream.close();
    signal.addEventListener('abort', close, { once: true });
    logger.info('cap table following the market channel', { from: from.toString(), database: sql.where });
    try {
      for await (const block of stream) {
        const facts = factsOf(block, this.options.chaincode);
        await applyBlock(sql, facts);
        if (facts.movements.length || facts.escrows.length)
          logger.debug('projected', { block: block.number, movements: facts.movements.length });
        if (signal.aborted || (through !== undefined && facts.block >= through)) return;
      }
    } finally {
      signal.removeEventListener('abort', close);
      stream.close();
    }
  }
}
