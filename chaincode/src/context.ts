import { Context } from 'fabric-contract-api';
import { Ledger } from './ledger/ledger';

/** The transaction context every market contract uses: the stub wrapped by the ledger module. */
export class MarketContext extends Context {
  #ledger: Ledger | undefined;

  get ledger(): Ledger {
    this.#ledger ??= new Ledger(this.stub);
    return this.#ledger;
  }
}
