import { ComplianceCode, ErrorCode, MarketError, type Asset, type Campaign } from '@ecf/common';
import { isHalted } from '../compliance/check-transfer';

/**
 * The close an early close may set (decision 64), or the reason it may not. Only an open campaign closes
 * early: FUNDED, past openAt, before its close, its class not halted. The new close is never later than the
 * current one and is after every cooling-off period already running: a pledge made at `now` may be
 * withdrawn up to `now + coolingOffSeconds` inclusive, and withdrawals stop at the close, so the close is at
 * least one second later. Pledges made after the call get the cooling-off a pledge made that close to a
 * normal deadline gets: it ends at the close.
 */
export function earlyCloseAt(campaign: Campaign, shareClass: Asset, now: number, requested?: number): number {
  const id = campaign.id;
  if (campaign.status === 'PROPOSED' || campaign.status === 'APPROVED' || campaign.status === 'REJECTED') {
    throw new MarketError(
      ErrorCode.CONFLICT,
      `campaign ${id} is ${campaign.status}: only a funded campaign taking pledges closes early`,
      'CAMPAIGN_NOT_FUNDED',
    );
  }
  if (campaign.status !== 'FUNDED' || now >= campaign.closeAt) {
    throw new MarketError(ErrorCode.CONFLICT, `campaign ${id} has closed`, 'CAMPAIGN_CLOSED');
  }
  if (now < campaign.openAt) {
    throw new MarketError(ErrorCode.CONFLICT, `campaign ${id} opens at ${campaign.openAt}`, 'CAMPAIGN_NOT_OPEN');
  }
  if (isHalted(shareClass, now)) {
    throw new MarketError(ErrorCode.COMPLIANCE, `${shareClass.id} is halted`, ComplianceCode.INSTRUMENT_HALTED);
  }
  const earliest = now + campaign.coolingOffSeconds + 1;
  if (earliest >= campaign.closeAt) {
    throw new MarketError(
      ErrorCode.CONFLICT,
      `campaign ${id} closes at ${campaign.closeAt}, within the cooling-off period of a pledge made now`,
      'CLOSE_NOT_EARLIER',
    );
  }
  if (requested === undefined) return earliest;
  if (requested < earliest || requested >= campaign.closeAt) {
    throw new MarketError(
      ErrorCode.INVALID_ARGUMENT,
      `closeAt must be from ${earliest} (now + coolingOffSeconds + 1) and before the current close ${campaign.closeAt}`,
    );
  }
  return requested;
}

/**
 * Whether a tally below the minimum reopens the campaign instead of failing it: only when it was closed
 * early and its original deadline has not passed. An early close is allowed once the minimum is reached,
 * but only the tally can tell (the pledges sit in every operator's collection), so a campaign closed early
 * below its minimum gets back the time its proposer set rather than fewer pledges than a normal close.
 */
export function reopensBelowMinimum(campaign: Campaign, now: number): boolean {
  const early = campaign.earlyClose;
  return early !== undefined && early.reopenedAt === undefined && now < early.originalCloseAt;
}

/** The campaign taking pledges again until its original deadline, its tally discarded. */
export function reopened(campaign: Campaign, now: number): Campaign {
  const { settlement: _tally, earlyClose, ...terms } = campaign;
  if (!earlyClose) throw new MarketError(ErrorCode.INTERNAL, `campaign ${campaign.id} was not closed early`);
  return {
    ...terms,
    status: 'FUNDED',
    closeAt: earlyClose.originalCloseAt,
    earlyClose: { ...earlyClose, reopenedAt: now },
  };
}
