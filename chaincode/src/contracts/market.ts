import { Info, Returns, Transaction } from 'fabric-contract-api';
import {
  cancelOrderSchema,
  circuitBreakerSchema,
  ErrorCode,
  idSchema,
  MarketError,
  matchSchema,
  operatorCollection,
  placeOrderSchema,
  RECORD_VERSION,
  releaseOrdersSchema,
  type Account,
  type Asset,
  type BookEpoch,
  type CircuitBreaker,
  type Order,
  type Trade,
  type OrderEscrow,
} from '@ecf/common';
import { Holdings } from '../assets/holdings';
import { capUsedFor, checkCredit, credit, refuseUnless } from '../assets/movements';
import { requireActFor, requireRegulator, resolveCaller, type Caller } from '../auth/caller';
import { checkReceiver, checkSender, isHalted } from '../compliance/check-transfer';
import { openClaim, returnToClaim } from '../limits/claims';
// A value import: the contract runtime recognises the context parameter by its runtime type.
import { MarketContext } from '../context';
import { keys, KeyType, privateKeys, type PrivateKey } from '../ledger/keys';
import { parse, parseJsonArg, transientPayload } from '../input';
import {
  inBand,
  match,
  matchLevels,
  ranksBefore,
  type BookOrder,
  type MatchOptions,
  type MatchResult,
} from '../market/matching';
import { epochOf, indexedLevels, indexOrder, lapsedOrders, unindexOrder } from '../market/book-index';
import { releaseOrder } from '../market/release';
import { checkBuyback } from '../corporate/buyback';
import { feedReference } from '../price-feeds/feeds';
import { getAccount, getAsset, getParticipant } from '../registry/records';
import { BaseContract, json } from './base';

/** The epoch of a class that has never been matched since epochs exist. */
const FIRST_EPOCH = 1;

/**
 * The secondary market. Orders are public (price, quantity, side, operator) and anonymous: who placed one,
 * and its escrow, live in the owner's operator collection. Both legs are escrowed at placement, so a match
 * cannot fail for lack of funds. The class's custodian trustee, a member of every collection its assets live
 * in, runs matching over the public book: priority by price, then book epoch (the Matches an order has waited
 * through; never the client-set transaction timestamp), each fill settled delivery-versus-payment in the same
 * transaction.
 */
@Info({ title: 'Market', description: 'Limit orders, deterministic matching with DvP, circuit breakers' })
export class MarketContract extends BaseContract {
  constructor() {
    super('Market');
  }

  /** Investor (own account) or its operator. Transient `payload`. Returns the order id. */
  @Transaction()
  @Returns('string')
  public async PlaceOrder(ctx: MarketContext): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, placeOrderSchema);
    const [account, shareClass, token] = await Promise.all([
      getAccount(ctx, req.accountId),
      getAsset(ctx, req.classId),
      getAsset(ctx, req.tokenId),
    ]);
    requireActFor(caller, account);
    if (shareClass.kind !== 'equity')
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${shareClass.id} is not a share class`);
    if (token.kind !== 'money' || token.trusteeMspId !== shareClass.trusteeMspId) {
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${token.id} does not settle ${shareClass.id}`);
    }
    const now = ctx.ledger.now;
    if (req.expiresAt !== undefined && req.expiresAt <= now)
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, 'expiresAt is not in the future');
    const [operator, custodian] = await Promise.all([
      getParticipant(ctx, account.operatorMspId),
      getParticipant(ctx, shareClass.trusteeMspId),
    ]);
    const holdings = new Holdings(ctx);
    const quantity = BigInt(req.quantity);
    const price = BigInt(req.price);
    let escrowAsset: Asset;
    let escrowAmount: bigint;
    let countBuyback = async (): Promise<void> => undefined;
    if (req.side === 'BUY') {
      // The issuer buying its own class on the book: the regulator's daily limit (decision 53).
      countBuyback = await checkBuyback(ctx, account, shareClass, quantity);
      refuseUnless(
        checkReceiver(
          account,
          operator,
          shareClass,
          custodian,
          quantity,
          await capUsedFor(holdings, account, shareClass, now),
          now,
        ),
      );
      escrowAsset = token;
      escrowAmount = price * quantity;
    } else {
      escrowAsset = shareClass;
      escrowAmount = quantity;
    }
    const balance = await holdings.balance(account, escrowAsset.id);
    refuseUnless(
      checkSender(
        account,
        operator,
        escrowAsset,
        escrowAmount,
        balance,
        await holdings.frozen(account, escrowAsset.id),
        now,
      ),
    );
    const id = ctx.ledger.txId;
    // A buy is an acquisition: a retail investor's in a capped token claims its escrow against the person's
    // caps and waits outside the index for the custodian trustee's check (decision 49).
    const claim =
      req.side === 'BUY'
        ? await openClaim(ctx, account, {
            kind: 'buy',
            id,
            tokenId: token.id,
            issuerAccountId: issuerOf(shareClass),
            amount: escrowAmount,
            classId: shareClass.id,
          })
        : undefined;
    // A read, never a write: placements do not conflict with each other, only with a Match committed meanwhile.
    const book = await ctx.ledger.get<BookEpoch>(keys.book(ctx.stub, shareClass.id));
    const order: Order = {
      v: RECORD_VERSION,
      id,
      classId: shareClass.id,
      tokenId: token.id,
      side: req.side,
      price: req.price,
      quantity: req.quantity,
      remaining: req.quantity,
      operatorMspId: account.operatorMspId,
      status: 'OPEN',
      at: now,
      epoch: book?.epoch ?? FIRST_EPOCH,
      expiresAt: req.expiresAt,
      ...(claim ? { limitCheck: 'PENDING' as const } : {}),
    };
    const escrow: OrderEscrow = {
      v: RECORD_VERSION,
      orderId: id,
      accountId: account.id,
      assetId: escrowAsset.id,
      amount: escrowAmount.toString(),
      ...(claim ? { limitClaim: true } : {}),
    };
    await countBuyback();
    await holdings.apply(account, escrowAsset.id, balance, -escrowAmount, { kind: 'order', reference: id });
    await ctx.ledger.putPrivate(Holdings.collectionOf(account), privateKeys.orderEscrow(id), escrow);
    await ctx.ledger.put(keys.order(ctx.stub, shareClass.id, id), order);
    if (!claim) await indexOrder(ctx, order);
    ctx.ledger.emit('OrderPlaced', {
      orderId: id,
      classId: order.classId,
      side: order.side,
      price: order.price,
      quantity: order.quantity,
    });
    return id;
  }

  /** The owner or its operator cancels; the remaining escrow returns to the owner. Transient `payload`. */
  @Transaction()
  public async CancelOrder(ctx: MarketContext): Promise<void> {
    const caller = await resolveCaller(ctx);
    const req = transientPayload(ctx, cancelOrderSchema);
    const account = await getAccount(ctx, req.accountId);
    requireActFor(caller, account);
    const order = await this.order(ctx, req.classId, req.orderId);
    if (order.status !== 'OPEN') throw new MarketError(ErrorCode.CONFLICT, `order ${order.id} is ${order.status}`);
    const escrow = await ctx.ledger.getPrivate<OrderEscrow>(
      Holdings.collectionOf(account),
      privateKeys.orderEscrow(order.id),
    );
    if (!escrow || escrow.accountId !== account.id)
      throw new MarketError(ErrorCode.FORBIDDEN, `order ${order.id} is not ${account.id}'s`);
    await releaseOrder(ctx, new Holdings(ctx), order, 'CANCELLED');
  }

  /**
   * The class's custodian trustee matches the book: expires what has expired, then crosses at most
   * `maxFills` times. A fill outside the circuit-breaker band halts the instrument instead of trading.
   * Every Match closes the class's book epoch: orders placed from now on rank after every order placed before.
   */
  @Transaction()
  @Returns('string')
  public async Match(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(matchSchema, input);
    const shareClass = await getAsset(ctx, req.classId);
    this.requireCustodian(caller, shareClass);
    const now = ctx.ledger.now;
    if (isHalted(shareClass, now)) throw new MarketError(ErrorCode.CONFLICT, `${shareClass.id} is halted`);
    // Settlement writes balances, escrows and counters fill after fill: sent once each, when the Match ends.
    ctx.ledger.deferWrites();
    const holdings = new Holdings(ctx);
    const breaker = await ctx.ledger.get<CircuitBreaker>(keys.breaker(ctx.stub, shareClass.id));
    const epochKey = keys.book(ctx.stub, shareClass.id);
    const epoch = await ctx.ledger.get<BookEpoch>(epochKey);
    // With feeds set up, the band centres on their reference (decision 56); otherwise on the breaker's own.
    const feeds = breaker ? await feedReference(ctx, shareClass.id) : undefined;
    const centre = feeds?.price ?? (breaker ? BigInt(breaker.referencePrice) : undefined);
    const reference = centre ?? (epoch?.lastPrice === undefined ? undefined : BigInt(epoch.lastPrice));
    const options: MatchOptions = {
      maxFills: req.maxFills,
      withinBand: (p) => !breaker || centre === undefined || inBand(p, centre, breaker.bandBps),
      reference,
      // Unknown to every placer: no one can choose who gets the odd unit of a pro-rata split.
      salt: ctx.ledger.txId,
    };
    // Orders placed before the index existed have no index keys: the first Match reads the whole book once,
    // as every Match did before, and indexes what stays open (decision 58).
    const run = epoch?.indexed
      ? await this.matchIndexed(ctx, holdings, shareClass, options)
      : await this.matchWholeBook(ctx, holdings, shareClass, options);
    const { result } = run;
    const before = new Map(run.live.map((o) => [o.id, o.remaining]));
    const byId = new Map(run.live.map((o) => [o.id, { ...o }]));
    await this.prefetchSettlement(ctx, shareClass, result, byId);
    let n = 0;
    const withdrawn = run.withdrawn;
    for (const fill of result.fills) {
      const buy = byId.get(fill.buyId) as Order;
      const sell = byId.get(fill.sellId) as Order;
      if (buy.status !== 'OPEN') continue;
      await this.settleFill(ctx, holdings, shareClass, buy, sell, fill.price, fill.quantity, n);
      n += 1;
    }
    for (const o of byId.values()) {
      const changed = o.remaining !== before.get(o.id);
      if (changed) await ctx.ledger.put(keys.order(ctx.stub, o.classId, o.id), o);
      if (o.status !== 'OPEN') await unindexOrder(ctx, o);
      else if (changed || !epoch?.indexed) await indexOrder(ctx, o);
    }
    const lastPrice = result.fills[result.fills.length - 1]?.price;
    if (result.breach !== undefined && breaker) {
      const halted: Asset = {
        ...shareClass,
        halted: true,
        haltReason: `CIRCUIT_BREAKER: ${result.breach} outside ${breaker.bandBps} bps of ${lastPrice ?? centre ?? breaker.referencePrice}`,
        haltedUntil: now + breaker.coolingSeconds,
      };
      await ctx.ledger.put(keys.asset(ctx.stub, shareClass.id), halted);
      ctx.ledger.emit('CircuitBreakerTripped', {
        classId: shareClass.id,
        price: result.breach.toString(),
        haltedUntil: halted.haltedUntil,
        ...(feeds ? { referenceSource: feeds.source } : {}),
      });
    }
    if (breaker && lastPrice !== undefined) {
      // The band follows the market: the last trade becomes the reference.
      await ctx.ledger.put(keys.breaker(ctx.stub, shareClass.id), { ...breaker, referencePrice: lastPrice.toString() });
    }
    const nextEpoch: BookEpoch = {
      v: RECORD_VERSION,
      classId: shareClass.id,
      epoch: (epoch?.epoch ?? FIRST_EPOCH) + 1,
      lastPrice: lastPrice?.toString() ?? epoch?.lastPrice,
      indexed: true,
    };
    await ctx.ledger.put(epochKey, nextEpoch);
    const summary = {
      classId: shareClass.id,
      fills: n,
      expired: run.expired,
      withdrawn,
      halted: result.breach !== undefined,
    };
    ctx.ledger.emit('BookMatched', summary);
    return json(summary);
  }

  /** While an instrument is halted, the regulator or the custodian returns the escrow of open orders. */
  @Transaction()
  @Returns('string')
  public async ReleaseOrders(ctx: MarketContext, input: string): Promise<string> {
    const caller = await resolveCaller(ctx);
    const req = parseJsonArg(releaseOrdersSchema, input);
    const shareClass = await getAsset(ctx, req.classId);
    if (caller.kind !== 'regulator') this.requireCustodian(caller, shareClass);
    if (!isHalted(shareClass, ctx.ledger.now))
      throw new MarketError(ErrorCode.CONFLICT, `${shareClass.id} is trading; owners cancel their own orders`);
    const holdings = new Holdings(ctx);
    const open = (await this.openOrders(ctx, shareClass.id)).slice(0, req.max);
    for (const order of open) await releaseOrder(ctx, holdings, order, 'CANCELLED');
    return json({ classId: shareClass.id, released: open.length });
  }

  /** Regulator: the band (around a reference price) outside which a trade halts the instrument. */
  @Transaction()
  public async SetCircuitBreaker(ctx: MarketContext, input: string): Promise<void> {
    const caller = await resolveCaller(ctx);
    requireRegulator(caller);
    const req = parseJsonArg(circuitBreakerSchema, input);
    const shareClass = await getAsset(ctx, req.classId);
    if (shareClass.kind !== 'equity')
      throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${shareClass.id} is not a share class`);
    const breaker: CircuitBreaker = {
      v: RECORD_VERSION,
      classId: shareClass.id,
      referencePrice: req.referencePrice,
      bandBps: req.bandBps,
      coolingSeconds: req.coolingSeconds,
    };
    await ctx.ledger.put(keys.breaker(ctx.stub, shareClass.id), breaker);
    ctx.ledger.emit('CircuitBreakerSet', {
      classId: shareClass.id,
      referencePrice: req.referencePrice,
      bandBps: req.bandBps,
      reason: req.reason,
    });
  }

  @Transaction(false)
  @Returns('string')
  public async GetOrderBook(ctx: MarketContext, classId: string): Promise<string> {
    await resolveCaller(ctx);
    // A buy waiting for its trustee's check of the caps cannot trade yet: it is not part of the book.
    const open = (await this.openOrders(ctx, parse(idSchema, classId))).filter((o) => o.limitCheck !== 'PENDING');
    // In priority order. Orders of one price and epoch have no priority among themselves; they list by id.
    const rank = (a: Order, b: Order) =>
      ranksBefore(
        a.side,
        { price: BigInt(a.price), epoch: epochOf(a) },
        { price: BigInt(b.price), epoch: epochOf(b) },
      ) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const bids = open.filter((o) => o.side === 'BUY').sort(rank);
    const asks = open.filter((o) => o.side === 'SELL').sort(rank);
    return json({ classId, bids, asks });
  }

  @Transaction(false)
  @Returns('string')
  public async ListTrades(ctx: MarketContext, classId: string): Promise<string> {
    await resolveCaller(ctx);
    return json((await ctx.ledger.list<Trade>(KeyType.TRADE, [parse(idSchema, classId)])).map((t) => t.value));
  }

  @Transaction(false)
  @Returns('string')
  public async GetOrder(ctx: MarketContext, classId: string, orderId: string): Promise<string> {
    await resolveCaller(ctx);
    return json(await this.order(ctx, parse(idSchema, classId), parse(idSchema, orderId)));
  }

  /**
   * Delivery versus payment for one fill: units to the buyer, money to the seller, in this one transaction.
   */
  private async settleFill(
    ctx: MarketContext,
    holdings: Holdings,
    shareClass: Asset,
    buy: Order,
    sell: Order,
    price: bigint,
    quantity: bigint,
    seq: number,
  ): Promise<void> {
    const buyEscrowKey = privateKeys.orderEscrow(buy.id);
    const sellEscrowKey = privateKeys.orderEscrow(sell.id);
    const buyCollection = operatorCollection(buy.operatorMspId);
    const sellCollection = operatorCollection(sell.operatorMspId);
    const buyEscrow = await this.escrow(ctx, buyCollection, buyEscrowKey, buy.id);
    const sellEscrow = await this.escrow(ctx, sellCollection, sellEscrowKey, sell.id);
    const [buyer, seller] = await Promise.all([
      getAccount(ctx, buyEscrow.accountId),
      getAccount(ctx, sellEscrow.accountId),
    ]);
    const token = await getAsset(ctx, buy.tokenId);
    const paid = quantity * price;

    // Escrows shrink by what this fill consumes; a buy at a better price than its limit gets the difference back.
    const buyConsumed = quantity * BigInt(buy.price);
    await this.shrink(ctx, buyCollection, buyEscrowKey, buyEscrow, buyConsumed);
    await this.shrink(ctx, sellCollection, sellEscrowKey, sellEscrow, quantity);
    await credit(ctx, holdings, buyer, shareClass, quantity, 'transfer', seller.id, `trade:${ctx.ledger.txId}:${seq}`);
    const sellerMoney = await holdings.balance(seller, token.id);
    await holdings.apply(seller, token.id, sellerMoney, paid, {
      kind: 'trade',
      counterparty: buyer.id,
      reference: `${ctx.ledger.txId}:${seq}`,
    });
    if (buyConsumed > paid) {
      const buyerMoney = await holdings.balance(buyer, token.id);
      await holdings.apply(buyer, token.id, buyerMoney, buyConsumed - paid, { kind: 'refund', reference: buy.id });
      if (buyEscrow.limitClaim) await returnToClaim(ctx, buyCollection, buy.id, buyConsumed - paid);
    }
    for (const o of [buy, sell]) {
      o.remaining = (BigInt(o.remaining) - quantity).toString();
      if (o.remaining === '0') o.status = 'FILLED';
    }
    const trade: Trade = {
      v: RECORD_VERSION,
      id: `${ctx.ledger.txId}.${seq}`,
      classId: shareClass.id,
      price: price.toString(),
      quantity: quantity.toString(),
      buyOrderId: buy.id,
      sellOrderId: sell.id,
      at: ctx.ledger.now,
    };
    await ctx.ledger.put(keys.trade(ctx.stub, shareClass.id, trade.id), trade);
    ctx.ledger.emit('TradeSettled', {
      tradeId: trade.id,
      classId: trade.classId,
      price: trade.price,
      quantity: trade.quantity,
    });
  }

  /**
   * Every open order of the class, read in full: expires the lapsed, withdraws those whose owner may no longer
   * trade, and matches the rest. Before decision 58 every Match did this; now only a class's first.
   */
  private async matchWholeBook(
    ctx: MarketContext,
    holdings: Holdings,
    shareClass: Asset,
    options: MatchOptions,
  ): Promise<BookRun> {
    const now = ctx.ledger.now;
    const live: Order[] = [];
    let expired = 0;
    let withdrawn = 0;
    for (const order of await this.openOrders(ctx, shareClass.id)) {
      // Waiting for the trustee's check of its caps: not matched, and indexed when confirmed.
      if (order.limitCheck === 'PENDING') continue;
      if (order.expiresAt !== undefined && order.expiresAt <= now) {
        await releaseOrder(ctx, holdings, order, 'EXPIRED');
        expired += 1;
      } else if (!(await this.ownerStillEligible(ctx, holdings, shareClass, order))) {
        // Compliance holds at the fill too: an owner frozen or suspended since placing gets its escrow back.
        await releaseOrder(ctx, holdings, order, 'CANCELLED');
        withdrawn += 1;
      } else live.push(order);
    }
    const book: BookOrder[] = live.map((o) => ({
      id: o.id,
      side: o.side,
      price: BigInt(o.price),
      remaining: BigInt(o.remaining),
      epoch: epochOf(o),
    }));
    return { live, expired, withdrawn, result: match(book, options) };
  }

  /**
   * The book through its index (decision 58): expires what the expiry index says has lapsed, then walks both
   * sides a level at a time and stops where they no longer cross. An order's owner is checked when the walk
   * gives it a fill; one who may no longer trade is withdrawn (escrow back) and the walk is run again without
   * it, until every order with a fill has passed. Each run reads only levels the runs before have read, and
   * at most the next one.
   */
  private async matchIndexed(
    ctx: MarketContext,
    holdings: Holdings,
    shareClass: Asset,
    options: MatchOptions,
  ): Promise<BookRun> {
    const classId = shareClass.id;
    let expired = 0;
    let withdrawn = 0;
    /** Orders closed by this transaction: the range reads show committed state, without its writes. */
    const closed = new Set<string>();
    for await (const id of lapsedOrders(ctx, classId, ctx.ledger.now)) {
      const order = await this.order(ctx, classId, id);
      closed.add(id);
      if (order.status !== 'OPEN') continue;
      await releaseOrder(ctx, holdings, order, 'EXPIRED');
      expired += 1;
    }
    const cursors = { BUY: indexedLevels(ctx, classId, 'BUY'), SELL: indexedLevels(ctx, classId, 'SELL') };
    const read: Record<'BUY' | 'SELL', BookOrder[][]> = { BUY: [], SELL: [] };
    const passed = new Map<string, Order>();
    try {
      for (;;) {
        const at = { BUY: 0, SELL: 0 };
        const result = await matchLevels(async (side) => {
          const i = at[side]++;
          if (i >= read[side].length) {
            const next = await cursors[side].next();
            if (next.done) return undefined;
            read[side].push(next.value);
          }
          return read[side][i]?.filter((o) => !closed.has(o.id));
        }, options);
        const unchecked = [...new Set(result.fills.flatMap((f) => [f.buyId, f.sellId]))].filter(
          (id) => !passed.has(id),
        );
        if (unchecked.length === 0) return { live: [...passed.values()], expired, withdrawn, result };
        await this.prefetchOwners(ctx, classId, unchecked);
        for (const id of unchecked) {
          const order = await this.order(ctx, classId, id);
          if (order.status === 'OPEN' && (await this.ownerStillEligible(ctx, holdings, shareClass, order))) {
            passed.set(id, order);
            continue;
          }
          // Compliance holds at the fill too: an owner frozen or suspended since placing gets its escrow back.
          if (order.status === 'OPEN') {
            await releaseOrder(ctx, holdings, order, 'CANCELLED');
            withdrawn += 1;
          }
          closed.add(id);
        }
      }
    } finally {
      await Promise.all([cursors.BUY.return(undefined), cursors.SELL.return(undefined)]);
    }
  }

  /**
   * Reads, a few messages in all rather than three round trips an order, what the owner checks of these orders
   * read next: the orders, the escrows of those still open, and their owners' accounts (decision 58).
   */
  private async prefetchOwners(ctx: MarketContext, classId: string, ids: string[]): Promise<void> {
    await ctx.ledger.prefetch(ids.map((id) => keys.order(ctx.stub, classId, id)));
    const open = (await Promise.all(ids.map((id) => this.order(ctx, classId, id)))).filter((o) => o.status === 'OPEN');
    const escrows = await this.prefetchByCollection(
      ctx,
      open.map((o) => ({ collection: operatorCollection(o.operatorMspId), key: privateKeys.orderEscrow(o.id) })),
    );
    await ctx.ledger.prefetch(
      escrows.flatMap((e) => (e ? [keys.account(ctx.stub, (e as OrderEscrow).accountId)] : [])),
    );
  }

  /**
   * Reads the balances and movement counters the fills will update, a message per collection. Only keys
   * settleFill reads: the buyer's units, the seller's money, the buyer's money where a fill refunds a price
   * improvement, and both movement counters.
   */
  private async prefetchSettlement(
    ctx: MarketContext,
    shareClass: Asset,
    result: MatchResult,
    orders: Map<string, Order>,
  ): Promise<void> {
    const wanted: Array<{ collection: string; key: PrivateKey }> = [];
    const owners = new Map<string, Account>();
    for (const fill of result.fills) {
      const buy = orders.get(fill.buyId) as Order;
      const sell = orders.get(fill.sellId) as Order;
      const [buyer, seller] = await Promise.all([this.ownerOf(ctx, buy), this.ownerOf(ctx, sell)]);
      const buyerAt = Holdings.collectionOf(buyer);
      const sellerAt = Holdings.collectionOf(seller);
      wanted.push({ collection: buyerAt, key: privateKeys.balance(shareClass.id, buyer.id) });
      // settleFill pays in the buy's token.
      wanted.push({ collection: sellerAt, key: privateKeys.balance(buy.tokenId, seller.id) });
      if (BigInt(buy.price) > fill.price)
        wanted.push({ collection: buyerAt, key: privateKeys.balance(buy.tokenId, buyer.id) });
      owners.set(buyer.id, buyer).set(seller.id, seller);
    }
    for (const owner of owners.values())
      wanted.push({ collection: Holdings.collectionOf(owner), key: privateKeys.movementSeq(owner.id) });
    await this.prefetchByCollection(ctx, wanted);
  }

  /** Prefetches private keys (a message per collection), then returns their values in the order given. */
  private async prefetchByCollection(
    ctx: MarketContext,
    wanted: Array<{ collection: string; key: PrivateKey }>,
  ): Promise<unknown[]> {
    await ctx.ledger.prefetchPrivate(wanted);
    return Promise.all(wanted.map(({ collection, key }) => ctx.ledger.getPrivate(collection, key)));
  }

  /** The account that owns an order, through its escrow (read earlier in the transaction, so cached). */
  private async ownerOf(ctx: MarketContext, order: Order): Promise<Account> {
    const collection = operatorCollection(order.operatorMspId);
    const escrow = await this.escrow(ctx, collection, privateKeys.orderEscrow(order.id), order.id);
    return getAccount(ctx, escrow.accountId);
  }

  private async ownerStillEligible(
    ctx: MarketContext,
    holdings: Holdings,
    shareClass: Asset,
    order: Order,
  ): Promise<boolean> {
    const escrow = await this.escrow(
      ctx,
      operatorCollection(order.operatorMspId),
      privateKeys.orderEscrow(order.id),
      order.id,
    );
    const owner = await getAccount(ctx, escrow.accountId);
    if (order.side === 'BUY') {
      // A capped buy's whole escrow was checked against its person's caps when the trustee confirmed it.
      return (await checkCredit(ctx, holdings, owner, shareClass, BigInt(order.remaining))).allowed;
    }
    const operator = await getParticipant(ctx, owner.operatorMspId);
    const units = BigInt(escrow.amount);
    return checkSender(owner, operator, shareClass, units, units, 0n, ctx.ledger.now).allowed;
  }

  private async escrow(ctx: MarketContext, collection: string, key: PrivateKey, orderId: string): Promise<OrderEscrow> {
    const e = await ctx.ledger.getPrivate<OrderEscrow>(collection, key);
    if (!e) throw new MarketError(ErrorCode.INTERNAL, `escrow of order ${orderId} missing`);
    return e;
  }

  private async shrink(
    ctx: MarketContext,
    collection: string,
    key: PrivateKey,
    escrow: OrderEscrow,
    by: bigint,
  ): Promise<void> {
    const left = BigInt(escrow.amount) - by;
    if (left < 0n) throw new MarketError(ErrorCode.INTERNAL, `escrow of order ${escrow.orderId} would go negative`);
    escrow.amount = left.toString();
    if (left === 0n) await ctx.ledger.deletePrivate(collection, key);
    else await ctx.ledger.putPrivate(collection, key, escrow);
  }

  private async openOrders(ctx: MarketContext, classId: string): Promise<Order[]> {
    return (await ctx.ledger.list<Order>(KeyType.ORDER, [classId]))
      .map((e) => e.value)
      .filter((o) => o.status === 'OPEN');
  }

  private async order(ctx: MarketContext, classId: string, orderId: string): Promise<Order> {
    const o = await ctx.ledger.get<Order>(keys.order(ctx.stub, classId, orderId));
    if (!o) throw new MarketError(ErrorCode.NOT_FOUND, `order ${orderId} not found`);
    return o;
  }

  private requireCustodian(caller: Caller, asset: Asset): void {
    if (caller.kind !== 'trustee' || caller.mspId !== asset.trusteeMspId || caller.participant.status !== 'ACTIVE') {
      throw new MarketError(ErrorCode.FORBIDDEN, `only ${asset.trusteeMspId} may do this for ${asset.id}`);
    }
  }
}

/** What a Match's read of the book gives: the orders that may trade (with their records), and its fills. */
interface BookRun {
  live: Order[];
  expired: number;
  withdrawn: number;
  result: MatchResult;
}

/** The issuer whose per-issuer cap a class's acquisitions count against (the class itself if it names none). */
function issuerOf(shareClass: Asset): string {
  return shareClass.issuerAccountId ?? shareClass.id;
}
