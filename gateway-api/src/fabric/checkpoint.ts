import { checkpointers, type Checkpointer } from '@hyperledger/fabric-gateway';
import { readFileSync } from 'node:fs';

/** fabric-gateway's file checkpointer: which block a block reader has processed through, kept on disk. */
export function fileCheckpoint(file: string): Promise<Checkpointer> {
  return checkpointers.file(file);
}

/**
 * The last block a file checkpoint has recorded as processed, read without opening it for writing (for
 * status endpoints in another process). The file holds the next block to read.
 */
export function checkpointedBlock(file: string): bigint | undefined {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { blockNumber?: number | string };
    return state.blockNumber === undefined ? undefined : BigInt(state.blockNumber) - 1n;
  } catch {
    return undefined;
  }
}
