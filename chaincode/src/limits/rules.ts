import { ComplianceCode, type LimitPolicy, type TransferCheck } from '@ecf/common';

const ok: TransferCheck = { allowed: true, code: ComplianceCode.OK, message: 'within the investor limits' };

/** A person's usage this year, across every operator, before the investment being checked. */
export interface PersonUsage {
  readonly total: bigint;
  readonly issuer: bigint;
}

/**
 * Would this investment take the person past a cap? Messages name the cap, never the usage: the caller
 * may be an operator, and the usage includes what the person did at other operators.
 */
export function checkInvestorLimits(policy: LimitPolicy, used: PersonUsage, amount: bigint): TransferCheck {
  if (used.total + amount > BigInt(policy.totalPerYear)) {
    return {
      allowed: false,
      code: ComplianceCode.INVESTOR_LIMIT_EXCEEDED,
      message: `a retail investor may invest at most ${policy.totalPerYear} of ${policy.tokenId} a year across all operators`,
    };
  }
  if (used.issuer + amount > BigInt(policy.perIssuerPerYear)) {
    return {
      allowed: false,
      code: ComplianceCode.ISSUER_LIMIT_EXCEEDED,
      message: `a retail investor may invest at most ${policy.perIssuerPerYear} of ${policy.tokenId} a year in one issuer across all operators`,
    };
  }
  return ok;
}
