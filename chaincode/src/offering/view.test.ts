import type { Campaign } from '@ecf/common';
import { expect } from 'chai';
import { campaignView } from './view';

const base: Campaign = {
  v: 1,
  id: 'seed',
  classId: 'ACME',
  issuerAccountId: 'acme',
  operatorMspId: 'OperatorAMSP',
  trusteeMspId: 'TrusteeMSP',
  tokenId: 'MYR',
  pricePerUnit: '100',
  minUnits: '10',
  maxUnits: '100',
  openAt: 1000,
  closeAt: 2000,
  minPledge: '100',
  maxPledge: '10000',
  allowedInvestorClasses: ['retail'],
  coolingOffSeconds: 600,
  status: 'SETTLING',
  escrowUnits: '100',
  createdAt: 900,
  updatedAt: 2000,
};
const settlement = {
  lastKey: '\u0000pledgeref\u0000seed\u0000abc\u0000',
  cumulativeUnits: '0',
  totalUnits: '30',
  unitsAllocated: '0',
  moneyToIssuer: '0',
};

describe('campaign view: settlement in public terms', () => {
  it('is settleable from the close time, unless rejected', () => {
    expect(campaignView({ ...base, status: 'APPROVED' }).settleableFrom).to.equal(2000);
    expect(campaignView({ ...base, status: 'REJECTED' })).not.to.have.property('settleableFrom');
  });

  it('counts pledges through the tally, then settled of total; never shows the cursors', () => {
    const tally = campaignView({ ...base, settlement: { ...settlement, phase: 'TALLY', pledgesProcessed: 4 } });
    expect(tally.settlement).to.deep.equal({
      phase: 'TALLY',
      pledgesCounted: 4,
      pledgesSettled: 0,
      totalUnits: '30',
      unitsAllocated: '0',
      moneyToIssuer: '0',
    });
    // pledgesProcessed runs on through the second pass: 5 tallied, then 2 settled.
    const allocating = campaignView({
      ...base,
      settlement: { ...settlement, phase: 'ALLOCATE', pledgesProcessed: 7, pledgesTotal: 5 },
    });
    expect(allocating.settlement).to.include({ pledgesCounted: 5, pledgesTotal: 5, pledgesSettled: 2 });
    expect(JSON.stringify(allocating)).not.to.match(/lastKey|cumulativeUnits|pledgesProcessed|\\u0000/);
  });

  it('gives no counts for a settlement begun before the total was recorded, rather than wrong ones', () => {
    const legacy = campaignView({ ...base, settlement: { ...settlement, phase: 'REFUND', pledgesProcessed: 7 } });
    expect(legacy.settlement).not.to.have.any.keys('pledgesCounted', 'pledgesTotal', 'pledgesSettled');
    expect(legacy.settlement).to.include({ phase: 'REFUND', totalUnits: '30' });
  });
});
