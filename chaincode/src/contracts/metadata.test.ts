import { expect } from 'chai';
import 'reflect-metadata';
import { contracts } from '../index';

interface TxMetadata {
  name: string;
  tag: string[];
  parameters: Array<{ name: string; schema: { type?: string } }>;
}

/**
 * What the contract runtime will route: the metadata the decorators record. A context parameter that is
 * not recognised (for example a type-only import) would be counted as an argument and every call would
 * fail on a real peer with "Expected N parameters".
 */
describe('contract metadata seen by the runtime', () => {
  for (const Contract of contracts) {
    it(`${Contract.name}: no transaction takes the context as an argument; only strings cross the wire`, () => {
      const txs = (Reflect.getMetadata('fabric:transactions', Contract.prototype) ?? []) as TxMetadata[];
      expect(txs.length).to.be.greaterThan(0);
      for (const tx of txs) {
        for (const p of tx.parameters) {
          expect(p.name, `${Contract.name}.${tx.name}`).not.to.equal('ctx');
          expect(p.schema.type, `${Contract.name}.${tx.name}(${p.name})`).to.equal('string');
        }
      }
    });
  }
});
