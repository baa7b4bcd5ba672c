import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  configureFeedsSchema,
  ErrorCode,
  idSchema,
  MarketError,
  postPriceSchema,
  RECORD_VERSION,
  registerProviderSchema,
  type FeedConfig,
  type PriceProvider,
  type PriceQuote,
} from '@ecf/common';
import { requireRegulator, resolveCaller } from '../auth/caller';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { parse, parseJsonArg } from '../input';
import { keys } from '../ledger/keys';
import { feedReference } from '../price-feeds/feeds';
import { getAsset, getParticipant } from '../registry/records';
import { BaseContract, json } from './base';

/** The certificate's common name, from the subject of `x509::<subject>::<issuer>`. */
function commonName(id: string): string | undefined {
  const subject = id.split('::')[1] ?? '';
  return /(?:^|[/,]\s*)CN=([^/,]+)/.exec(subject)?.[1];
}

/**
 * Reference prices from several feeds (decision 56): registered providers post a price per class, each
 * quote a transaction signed by the provider's own identity; the circuit breaker's band centres on the
 * median of the fresh quotes that pass the outlier filter, else on the last trade.
 */
@Info({ title: 'PriceFeeds', description: 'Price feed providers, quotes and the reference price' })
export class PriceFeedsContract extends BaseContract {
  constructor() {
    super('PriceFeeds');
  }

  /** Regulator: admits (or retires) a provider, an identity of an admitted org. Public argument. */
  @Transaction()
  public async RegisterProvider(ctx: MarketContext, input: string): Promise<void> {
    requireRegulator(await resolveCaller(ctx));
    const req = parseJsonArg(registerProviderSchema, input);
    const org = await getParticipant(ctx, req.mspId);
    if (req.active && org.status !== 'ACTIVE')
      throw new MarketError(ErrorCode.CONFLICT, `${req.mspId} is ${org.status.toLowerCase()}`);
    const provider: PriceProvider = {
      v: RECORD_VERSION,
      providerId: req.providerId,
      mspId: req.mspId,
      enrollmentId: req.enrollmentId,
      active: req.active,
      registeredAt: ctx.ledger.now,
    };
    await ctx.ledger.put(keys.priceProvider(ctx.stub, req.providerId), provider);
    ctx.ledger.emit('SupervisoryAction', {
      action: req.active ? 'PRICE_PROVIDER_REGISTERED' : 'PRICE_PROVIDER_RETIRED',
      target: req.providerId,
      mspId: req.mspId,
      reason: req.reason,
    });
  }

  /** Regulator: how the class's reference is drawn from its feeds. Public argument. */
  @Transaction()
  public async Configure(ctx: MarketContext, input: string): Promise<void> {
    requireRegulator(await resolveCaller(ctx));
    const req = parseJsonArg(configureFeedsSchema, input);
    const shareClass = await getAsset(ctx, req.classId);
    if (shareClass.kind !== 'equity')
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${shareClass.id} is not a share class`);
    const config: FeedConfig & { classId: string } = {
      v: RECORD_VERSION,
      classId: shareClass.id,
      staleSeconds: req.staleSeconds,
      minFeeds: req.minFeeds,
      outlierBps: req.outlierBps,
      setAt: ctx.ledger.now,
    };
    await ctx.ledger.put(keys.priceConfig(ctx.stub, shareClass.id), config);
    ctx.ledger.emit('SupervisoryAction', { action: 'PRICE_FEEDS_SET', target: shareClass.id, reason: req.reason });
  }

  /** A registered provider's own identity posts its price for a class. Public argument: prices are public. */
  @Transaction()
  public async PostPrice(ctx: MarketContext, input: string): Promise<void> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(postPriceSchema, input);
    const provider = await ctx.ledger.get<PriceProvider>(keys.priceProvider(ctx.stub, req.providerId));
    if (!provider) throw new MarketError(ErrorCode.NOT_FOUND, `provider ${req.providerId} not found`);
    // The transaction's signature is the quote's: only the registered identity of the registered org signs it.
    if (caller.mspId !== provider.mspId || commonName(ctx.clientIdentity.getID()) !== provider.enrollmentId)
      throw new MarketError(ErrorCode.FORBIDDEN, `only ${provider.providerId}'s registered identity posts its prices`);
    if (!provider.active) throw new MarketError(ErrorCode.FORBIDDEN, `provider ${provider.providerId} is retired`);
    if ((caller.kind === 'trustee' || caller.kind === 'operator') && caller.participant.status !== 'ACTIVE')
      throw new MarketError(ErrorCode.FORBIDDEN, `${caller.mspId} is ${caller.participant.status.toLowerCase()}`);
    const shareClass = await getAsset(ctx, req.classId);
    if (shareClass.kind !== 'equity')
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${shareClass.id} is not a share class`);
    const quote: PriceQuote = {
      v: RECORD_VERSION,
      classId: shareClass.id,
      providerId: provider.providerId,
      price: req.price,
      at: ctx.ledger.now,
      txId: ctx.ledger.txId,
    };
    await ctx.ledger.put(keys.priceQuote(ctx.stub, shareClass.id, provider.providerId), quote);
    ctx.ledger.emit('PricePosted', { classId: shareClass.id, providerId: provider.providerId, price: req.price });
  }

  /** Every member: the class's reference as of now, where it comes from, and which quotes it used. */
  @Transaction(false)
  @Returns('string')
  public async GetReference(ctx: MarketContext, classId: string): Promise<string> {
    await resolveCaller(ctx);
    const id = parse(idSchema, classId);
    await getAsset(ctx, id);
    const config = await ctx.ledger.get<FeedConfig>(keys.priceConfig(ctx.stub, id));
    if (!config) throw new MarketError(ErrorCode.NOT_FOUND, `no price feeds are set up for ${id}`);
    const ref = await feedReference(ctx, id);
    return json({
      classId: id,
      source: ref?.source ?? 'NONE',
      price: ref?.price?.toString(),
      fresh: ref?.fresh ?? [],
      used: ref?.used ?? [],
      stale: ref?.stale ?? [],
      minFeeds: config.minFeeds,
      at: ctx.ledger.now,
    });
  }
}
