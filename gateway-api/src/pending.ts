import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeFileDurably } from './durable-file';

/**
 * Writes answered `202 PENDING` (decision 63): who sent each, so that `GET /v1/transactions/{txId}` tells
 * its outcome to that sender and to no one else, and the signed envelope, so that the gateway can send it
 * for ordering again (Fabric commits an id at most once) and the status becomes final. One small durable
 * file per transaction, beside the idempotency records; written only when a 202 is answered, so that a
 * write that commits in time does no extra I/O.
 */
export interface PendingTransaction {
  readonly txId: string;
  /** The wallet identity that signed it: the sender, whichever of its tokens asks. */
  readonly identity: string;
  /** The channel it was sent on. */
  readonly channel: 'market' | 'audit';
  /** fabric-gateway's serialized signed transaction (base64); empty when the gateway did not keep it. */
  readonly transaction: string;
  readonly acceptedAt: string;
}

const TX_ID = /^[0-9a-f]{64}$/;

export class PendingStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  record(entry: PendingTransaction): void {
    writeFileDurably(this.file(entry.txId), JSON.stringify(entry));
  }

  /** The record of a transaction answered 202 here, or undefined; an unreadable record is an error. */
  read(txId: string): PendingTransaction | undefined {
    return readJsonFile<PendingTransaction>(this.file(txId));
  }

  private file(txId: string): string {
    // The id names a file: only a transaction id can, never a path.
    if (!TX_ID.test(txId)) throw new Error('not a transaction id');
    return join(this.dir, `${txId}.json`);
  }
}
