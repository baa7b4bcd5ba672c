import { RECORD_VERSION } from '@ecf/common';
import type { TransferFacts } from '../compliance/check-transfer';
import type { MarketContext } from '../context';
import type { TransitRecord } from '../contracts/transfers';
import { privateKeys } from '../ledger/keys';
import { Holdings } from './holdings';
import { credit } from './movements';

/**
 * The writes of a movement whose rules have passed (`checkMovement`): one path for the holder's own
 * transfers and instructions and for a spender's moves under an allowance, so both write the same records.
 */

/** Within one operator: credit the receiver, debit the sender, in one transaction on one collection. */
export async function writeTransfer(ctx: MarketContext, holdings: Holdings, facts: TransferFacts): Promise<void> {
  // The credit first: it is the side that can still be refused (LIMIT_EXCEEDED), and a refusal writes nothing.
  await credit(ctx, holdings, facts.to, facts.asset, facts.amount, 'transfer', facts.from.id);
  await holdings.apply(facts.from, facts.asset.id, facts.fromBalance, -facts.amount, {
    kind: 'transfer',
    counterparty: facts.to.id,
  });
  ctx.ledger.emit('PrivateMovement', { kind: 'transfer', collection: Holdings.collectionOf(facts.from) });
}

/** Across operators: the amount leaves the sender into transit, for the custodian to settle. Returns its id. */
export async function writeInstruction(ctx: MarketContext, holdings: Holdings, facts: TransferFacts): Promise<string> {
  const id = ctx.ledger.txId;
  const transit: TransitRecord = {
    v: RECORD_VERSION,
    id,
    from: facts.from.id,
    to: facts.to.id,
    fromOperatorMspId: facts.from.operatorMspId,
    toOperatorMspId: facts.to.operatorMspId,
    assetId: facts.asset.id,
    amount: facts.amount.toString(),
    at: ctx.ledger.now,
  };
  await holdings.apply(facts.from, facts.asset.id, facts.fromBalance, -facts.amount, {
    kind: 'instruction',
    counterparty: facts.to.id,
    reference: id,
  });
  await ctx.ledger.putPrivate(Holdings.collectionOf(facts.from), privateKeys.transit(id), transit);
  ctx.ledger.emit('TransferInstructed', {
    instructionId: id,
    fromOperatorMspId: transit.fromOperatorMspId,
    toOperatorMspId: transit.toOperatorMspId,
    custodianMspId: facts.asset.trusteeMspId,
  });
  return id;
}
