import { Contract } from 'fabric-contract-api';
import { ErrorCode, MarketError } from '@ecf/common';
import { MarketContext } from '../context';

/** What every market contract shares: our context, one chaincode event per transaction, clear refusals. */
export abstract class BaseContract extends Contract {
  override createContext(): MarketContext {
    return new MarketContext();
  }

  override async afterTransaction(ctx: MarketContext): Promise<void> {
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
