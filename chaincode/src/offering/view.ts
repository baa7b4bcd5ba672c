import type { Campaign, CampaignSettlementView, CampaignView } from '@ecf/common';

/**
 * What a campaign shows its readers: the stored record, when it can be settled, and how far settlement
 * has got in counts. The stored settlement state also holds the walk's cursor (a composite key of the
 * pledge index, NUL bytes included) and the rounding cursor: both are the chaincode's, not the reader's.
 */
export function campaignView(campaign: Campaign): CampaignView {
  const { settlement, ...terms } = campaign;
  return {
    ...terms,
    // Settle is accepted from the close time: pledging and withdrawing both stop there (a pledge's
    // cooling-off period ends at the close at the latest), so nothing waits beyond it. A rejected
    // campaign never settles.
    ...(campaign.status === 'REJECTED' ? {} : { settleableFrom: campaign.closeAt }),
    ...(settlement ? { settlement: settlementView(settlement) } : {}),
  };
}

function settlementView(s: NonNullable<Campaign['settlement']>): CampaignSettlementView {
  const totals = {
    phase: s.phase,
    totalUnits: s.totalUnits,
    unitsAllocated: s.unitsAllocated,
    moneyToIssuer: s.moneyToIssuer,
    ...(s.outcome ? { outcome: s.outcome } : {}),
  };
  // pledgesProcessed counts the tally's pass and then the allocation's (or refunds') pass.
  if (s.phase === 'TALLY') return { ...totals, pledgesCounted: s.pledgesProcessed, pledgesSettled: 0 };
  // A settlement begun before pledgesTotal was recorded cannot tell its two passes apart: no counts.
  if (s.pledgesTotal === undefined) return totals;
  return {
    ...totals,
    pledgesCounted: s.pledgesTotal,
    pledgesTotal: s.pledgesTotal,
    pledgesSettled: s.pledgesProcessed - s.pledgesTotal,
  };
}
