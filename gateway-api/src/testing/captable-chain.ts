import type { DecodedBlock, DecodedTx, KeyWrite } from '../fabric/blocks';

/**
 * A small market chain as the trustee's peer delivers it (decoded blocks with private writes), for the
 * cap table's unit tests: accounts and a class, issuance, a transfer, a deposit, an invalid transaction,
 * a sell order that is partly filled and then cancelled.
 */
export const CLASS = 'CAP-ORD';
export const MYR = 'TrusteeMSP.MYR';

let keySeq = 0;
const sealed = () => ['#1', (++keySeq).toString(16).padStart(32, '0')];

export function movement(
  accountId: string,
  assetId: string,
  delta: string,
  kind: string,
  counterparty?: string,
): KeyWrite {
  return {
    namespace: 'market',
    collection: accountId === 'ben' ? 'pdcOperatorB' : 'pdcOperatorA',
    type: 'mv',
    attributes: sealed(),
    deleted: false,
    value: {
      v: 1,
      txId: 'x',
      accountId,
      assetId,
      delta,
      kind,
      ...(counterparty ? { counterparty } : {}),
      at: 0,
      seal: 's',
    },
  };
}

/** A balance write: the projection reads movements, never these (they only repeat the sum). */
export function balance(accountId: string, assetId: string, amount: string): KeyWrite {
  return {
    namespace: 'market',
    collection: 'pdcOperatorA',
    type: 'bal',
    attributes: sealed(),
    deleted: false,
    value: { v: 1, accountId, assetId, amount },
  };
}

export const ESCROW_KEY = ['#1', 'e5c0000000000000000000000000000'];
export function escrow(amount: string | undefined): KeyWrite {
  return {
    namespace: 'market',
    collection: 'pdcOperatorB',
    type: 'oesc',
    attributes: ESCROW_KEY,
    deleted: amount === undefined,
    ...(amount === undefined ? {} : { value: { v: 1, orderId: 'o1', accountId: 'ben', assetId: CLASS, amount } }),
  };
}

function account(id: string, operatorMspId: string, type = 'investor'): KeyWrite {
  return {
    namespace: 'market',
    type: 'account',
    attributes: [id],
    deleted: false,
    value: { v: 1, id, operatorMspId, type, status: 'ACTIVE' },
  };
}

function asset(id: string, kind: 'equity' | 'money', issuerAccountId?: string): KeyWrite {
  return {
    namespace: 'market',
    type: 'asset',
    attributes: [id],
    deleted: false,
    value: { v: 1, id, kind, trusteeMspId: 'TrusteeMSP', decimals: 0, ...(issuerAccountId ? { issuerAccountId } : {}) },
  };
}

export function tx(txId: string, at: number, writes: KeyWrite[], valid = true): DecodedTx {
  return {
    txId: txId.padEnd(64, '0'),
    valid,
    validationCode: valid ? 'VALID' : 'MVCC_READ_CONFLICT',
    timestamp: at,
    creatorMspId: 'TrusteeMSP',
    chaincode: 'market',
    fn: 'Test:Fn',
    args: [],
    writes,
  };
}

export function block(n: number, txs: DecodedTx[]): DecodedBlock {
  return { number: String(n), hash: '', previousHash: '', dataHash: '', txs };
}

/** Block times: block n's transactions happen at n * 1000 (epoch seconds). */
export function chain(): DecodedBlock[] {
  return [
    block(0, []),
    block(1, [
      tx('a1', 1000, [
        account('issuer', 'OperatorAMSP', 'issuer'),
        account('ann', 'OperatorAMSP'),
        account('ben', 'OperatorBMSP'),
        account('cat', 'OperatorAMSP'),
        asset(CLASS, 'equity', 'issuer'),
        asset(MYR, 'money'),
      ]),
    ]),
    block(2, [
      tx('b2', 2000, [movement('ann', CLASS, '100', 'issue'), balance('ann', CLASS, '100')]),
      tx('c2', 2000, [movement('ben', CLASS, '50', 'issue')]),
    ]),
    block(3, [
      tx('d3', 3000, [
        movement('ann', CLASS, '-30', 'transfer', 'cat'),
        movement('cat', CLASS, '30', 'transfer', 'ann'),
      ]),
      tx('e3', 3000, [movement('ben', MYR, '500', 'deposit'), movement('cat', MYR, '200', 'deposit')]),
    ]),
    // An invalid transaction's writes never happened.
    block(4, [tx('f4', 4000, [movement('ann', CLASS, '999', 'issue')], false)]),
    block(5, [tx('g5', 5000, [movement('ben', CLASS, '-20', 'order'), escrow('20')])]),
    block(6, [
      tx('h6', 6000, [
        escrow('5'),
        movement('cat', CLASS, '15', 'trade', 'ben'),
        movement('cat', MYR, '-150', 'trade', 'ben'),
        movement('ben', MYR, '150', 'trade', 'cat'),
      ]),
    ]),
    block(7, [tx('i7', 7000, [escrow(undefined), movement('ben', CLASS, '5', 'refund')])]),
  ];
}
