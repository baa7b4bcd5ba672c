import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  ErrorCode,
  KeyType,
  legacyQuerySchema,
  MarketError,
  migrateRecordsSchema,
  RECORD_VERSION,
  sealCollectionSchema,
} from '@ecf/common';
import { requireRegulator, resolveCaller } from '../auth/caller';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { parseJsonArg, transientPayload } from '../input';
import { isLegacyAttributes } from '../ledger/seal';
import { BaseContract, json } from './base';

/** Every object type the chaincode keeps in an operator collection. */
const PRIVATE_TYPES: ReadonlySet<string> = new Set([
  KeyType.BALANCE,
  KeyType.PERSONAL,
  KeyType.MOVEMENT,
  KeyType.PARTIAL_FREEZE,
  KeyType.CAP_USAGE,
  KeyType.TRANSIT,
  KeyType.PLEDGE,
  KeyType.PLEDGE_TOTAL,
  KeyType.ORDER_ESCROW,
  KeyType.SUPPLY,
]);

/**
 * The seals of the operator collections (see `ledger/seal.ts`): the regulator seals each collection once,
 * with a secret its client draws, before the collection holds any record; records written by an earlier
 * version of the chaincode, under readable keys and without a salt, are moved under sealed keys.
 */
@Info({ title: 'Privacy', description: 'Collection seals: member-only secrets that blind private keys and values' })
export class PrivacyContract extends BaseContract {
  constructor() {
    super('Privacy');
  }

  /** Regulator: stores a collection's secret. Transient `payload` {collection, secret}. Once per collection. */
  @Transaction()
  public async Seal(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = transientPayload(ctx, sealCollectionSchema);
    if (await ctx.ledger.isSealed(req.collection))
      throw new MarketError(ErrorCode.CONFLICT, `collection ${req.collection} is already sealed`);
    await ctx.ledger.putSeal(req.collection, {
      v: RECORD_VERSION,
      epoch: 1,
      secret: req.secret,
      sealedAt: ctx.ledger.now,
      sealedBy: caller.mspId,
    });
    ctx.ledger.emit('CollectionSealed', { collection: req.collection });
  }

  /** Whether a collection is sealed. Answers only for a caller whose peer can read it (its members). */
  @Transaction(false)
  @Returns('string')
  public async IsSealed(ctx: MarketContext, input: string): Promise<string> {
    await resolveCaller(ctx);
    const { collection } = parseJsonArg(legacyQuerySchema.pick({ collection: true }), input);
    return json({ collection, sealed: await ctx.ledger.isSealed(collection) });
  }

  /** Regulator: up to `limit` stored keys of records written before sealing. Evaluate only (a range read). */
  @Transaction(false)
  @Returns('string')
  public async ListLegacy(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = parseJsonArg(legacyQuerySchema, input);
    const found: string[] = [];
    for (const type of PRIVATE_TYPES) {
      const left = req.limit - found.length;
      if (left <= 0) break;
      for (const { key } of await ctx.ledger.listLegacy(req.collection, type, left)) found.push(key);
    }
    return json({ collection: req.collection, keys: found });
  }

  /**
   * Regulator: moves records written before sealing under their sealed keys, with a salt, and purges the
   * readable originals. Transient `payload` {collection, keys}: point reads only, so it may write. The old
   * hashes stay in the blocks that hold them; from this transaction on, the values are sealed.
   */
  @Transaction()
  @Returns('string')
  public async Migrate(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = transientPayload(ctx, migrateRecordsSchema);
    const moves: Array<{ key: string; type: string; attrs: string[]; value: object }> = [];
    for (const key of new Set(req.keys)) {
      const { objectType: type, attributes: attrs } = ctx.stub.splitCompositeKey(key);
      if (!PRIVATE_TYPES.has(type) || !isLegacyAttributes(attrs) || attrs.length === 0)
        throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'keys: not the key of a record written before sealing');
      const value = await ctx.ledger.getRaw<object>(req.collection, key);
      if (!value) throw new MarketError(ErrorCode.NOT_FOUND, 'keys: no such record (already migrated?)');
      moves.push({ key, type, attrs, value });
    }
    for (const m of moves) {
      await ctx.ledger.putPrivate(req.collection, { type: m.type, attrs: m.attrs }, m.value);
      await ctx.ledger.purgeRaw(req.collection, m.key);
    }
    ctx.ledger.emit('RecordsSealed', { collection: req.collection, count: moves.length });
    return json({ collection: req.collection, migrated: moves.length });
  }
}
