import { Contract } from 'fabric-contract-api';
import { ErrorCode, MarketError } from '@ecf/common';
import { MARKET_CHANNEL } from '../consortium';
import { MarketContext } from '../context';

/** What every market contract shares: our context, one chaincode event per transaction, clear refusals. */
export abstract class BaseContract extends Contract {
  /** The channel this contract's records live on. */
  protected readonly channel: string = MARKET_CHANNEL;

  override createContext(): MarketContext {
    return new MarketContext();
  }

  override async beforeTransaction(ctx: MarketContext): Promise<void> {
    const channel = ctx.stub.getChannelID();
    if (channel !== this.channel) {
      throw new MarketError(ErrorCode.FORBIDDEN, `${this.getName()} runs on channel ${this.channel}, not ${channel}`);
    }
  }

  override async afterTransaction(ctx: MarketContext): Promise<void> {
    // The ledger holds a transaction's writes until it has succeeded, then sends them in one batch.
    await ctx.ledger.flushWrites();
    ctx.ledger.flushEvents();
  }

  override async unknownTransaction(ctx: MarketContext): Promise<void> {
    const { fcn } = ctx.stub.getFunctionAndParameters();
    throw new MarketError(ErrorCode.NOT_FOUND, `unknown transaction ${fcn}`);
  }
}

export function json(value: unknown): string {
  return JSON.stringify(value);
}
