/** What the gateway's unit tests send and what the fake chain answers, shared so each suite says only what differs. */

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export const KYC = { validUntil: 2000000000, investorClass: 'retail', jurisdiction: 'MY' };

/** An account record as `Accounts:GetAccount` returns it: an active retail investor of OperatorA. */
export const accountRecord = (id: string, extra: Record<string, unknown> = {}) => ({
  v: 1,
  id,
  operatorMspId: 'OperatorAMSP',
  type: 'investor',
  status: 'ACTIVE',
  frozen: false,
  kyc: KYC,
  personalDataHash: 'ab',
  createdAt: 1,
  updatedAt: 1,
  ...extra,
});
