import { createHmac } from 'node:crypto';

/**
 * A record's logical key in an operator collection: its object type and the ids it is about. Contracts
 * name private records only this way; the ledger turns them into sealed keys.
 */
export interface PrivateKey {
  readonly type: string;
  readonly attrs: readonly string[];
}

/** The member-only secret of one collection, stored in the collection itself under a fixed key. */
export interface SealRecord {
  v: number;
  epoch: number;
  /** base64 of at least 32 random bytes, chosen outside the chaincode (transient data). */
  secret: string;
  sealedAt: number;
  sealedBy: string;
}

/** The object type of the seal record; its key has no attributes. */
export const SEAL_TYPE = 'seal';
/** The field every sealed private value carries; readers never see it. */
export const SEAL_FIELD = 'seal';
/** Sealed keys start with this attribute, followed by the epoch; legacy keys (before sealing) never do. */
const EPOCH_MARK = '#';

/**
 * Why: every peer of the channel stores sha256(key) and sha256(value) of each private write. A key built
 * from public ids, or a value that is canonical JSON around one integer, can be recomputed by anyone who
 * guesses the ids and enumerates the integer. A seal derives both from a secret that only the collection's
 * members hold: each id in a key is replaced by an HMAC of it, and each value carries an HMAC of its key and
 * transaction id. Nothing is random inside the chaincode, so every endorser computes the same bytes.
 */
export class Seal {
  private readonly secret: Buffer;
  private readonly blinded = new Map<string, string>();
  readonly epoch: number;

  constructor(
    readonly collection: string,
    record: Pick<SealRecord, 'epoch' | 'secret'>,
  ) {
    this.secret = Buffer.from(record.secret, 'base64');
    this.epoch = record.epoch;
  }

  /** The attributes of the sealed composite key: the epoch mark, then each id blinded. */
  attributes(type: string, attrs: readonly string[]): string[] {
    return [`${EPOCH_MARK}${this.epoch}`, ...attrs.map((a) => this.blind(type, a))];
  }

  /** The value's salt: unpredictable without the secret, different for every key and every version. */
  valueSalt(sealedKey: string, txId: string): string {
    return this.mac('value', sealedKey, txId);
  }

  private blind(type: string, attr: string): string {
    // A Match blinds each owner's id for every record it touches (balance, counter, movement, escrow), and a
    // seal lives for one transaction: each id is hashed once.
    const id = `${type}\u0000${attr}`;
    let blinded = this.blinded.get(id);
    if (blinded === undefined) {
      blinded = this.mac('key', type, attr);
      this.blinded.set(id, blinded);
    }
    return blinded;
  }

  private mac(...parts: string[]): string {
    return createHmac('sha256', this.secret).update(parts.join('\u0000')).digest('hex').slice(0, 32);
  }
}

/** A key of the object type whose first attribute is not an epoch mark was written before sealing. */
export function isLegacyAttributes(attrs: readonly string[]): boolean {
  return !(attrs[0] ?? '').startsWith(EPOCH_MARK);
}
