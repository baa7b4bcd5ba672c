import { auditFilingSchema, DEFAULT_AUDIT_POLICY, type Distribution, type DistributionEscrow } from '@ecf/common';
import { expect } from 'chai';
import type { DecodedBlock, DecodedTx, KeyWrite } from '../fabric/blocks';
import { MarketObserver } from './observer';

const T0 = 1_800_000_000;
const hex = (n: number) => n.toString(16).padStart(64, '0');
const write = (type: string, value: unknown, collection?: string): KeyWrite => ({
  namespace: 'market',
  type,
  attributes: ['x'],
  deleted: false,
  value,
  ...(collection ? { collection } : {}),
});
const tx = (n: number, fn: string, writes: KeyWrite[], event: Record<string, unknown>): DecodedTx => ({
  txId: hex(n),
  valid: true,
  validationCode: 'VALID',
  timestamp: T0 + n,
  creatorMspId: 'OperatorAMSP',
  chaincode: 'market',
  fn,
  args: [],
  event: { name: String(event.type), payload: { v: 1, txId: hex(n), at: T0 + n, ...event } },
  writes,
});
const block = (n: number, txs: DecodedTx[]): DecodedBlock => ({
  number: String(n),
  hash: hex(1000 + n),
  previousHash: hex(999 + n),
  dataHash: hex(5000 + n),
  txs,
});

const terms: Distribution = {
  v: 1,
  id: 'div-1',
  classId: 'ACME-ORD',
  tokenId: 'TrusteeMSP.MYR',
  issuerAccountId: 'acme',
  operatorMspId: 'OperatorAMSP',
  trusteeMspId: 'TrusteeMSP',
  amountPerUnit: '2.5',
  declaredUnits: '1000',
  escrowed: '2500',
  recordAt: T0 + 100,
  payAt: T0 + 100,
  status: 'DECLARED',
  accountsWalked: 0,
  declaredAt: T0 + 1,
};
const escrow: DistributionEscrow = {
  v: 1,
  distributionId: 'div-1',
  tokenId: 'TrusteeMSP.MYR',
  issuerAccountId: 'acme',
  escrowed: '2500',
  paid: '1250',
  accountsPaid: 2,
  withheld: '0',
  residual: '1250',
  done: true,
};
const event = (type: string) => ({
  type,
  distributionId: 'div-1',
  classId: 'ACME-ORD',
  tokenId: 'TrusteeMSP.MYR',
  operatorMspId: 'OperatorAMSP',
  trusteeMspId: 'TrusteeMSP',
});

describe('audit observer: corporate actions (decision 51)', () => {
  it('files a CORPORATE_ACTION report when a distribution is declared and when its last batch pays, not per batch', () => {
    const o = new MarketObserver();
    const filings = [
      block(1, [tx(1, 'Distributions:Declare', [write('distribution', terms)], event('DistributionDeclared'))]),
      block(2, [
        tx(
          2,
          'Distributions:Pay',
          [write('distribution', { ...terms, status: 'PAYING', accountsWalked: 2 })],
          event('DistributionBatchPaid'),
        ),
      ]),
      block(3, [
        tx(
          3,
          'Distributions:Pay',
          [
            write('distribution', { ...terms, status: 'PAID', accountsWalked: 5 }),
            write('desc', { ...escrow, seal: 'ignored' }, 'pdcOperatorA'),
          ],
          event('DistributionPaid'),
        ),
      ]),
    ]
      .flatMap((b) => o.observe(b, { ...DEFAULT_AUDIT_POLICY, checkpointEvery: 1000 }))
      .filter((f) => f.type === 'CORPORATE_ACTION');
    expect(filings.map((f) => f.id)).to.deep.equal([
      'corporate-action:distribution:div-1:declared',
      'corporate-action:distribution:div-1:paid',
    ]);
    for (const f of filings) {
      expect(auditFilingSchema.safeParse(f).success, JSON.stringify(f)).to.equal(true);
      expect(f.parties).to.deep.equal(['OperatorAMSP', 'TrusteeMSP']);
      expect(f.subjects).to.deep.equal(['ACME-ORD', 'acme']);
    }
    expect(filings[0]?.details).to.include({ action: 'DISTRIBUTION_DECLARED', amountPerUnit: '2.5', escrowed: '2500' });
    expect(filings[1]?.details).to.include({
      action: 'DISTRIBUTION_PAID',
      paid: '1250',
      accountsPaid: 2,
      residualToIssuer: '1250',
    });
  });
});
