import { ComplianceCode, type AllowanceRecord, type TransferCheck } from '@ecf/common';

const ok: TransferCheck = { allowed: true, code: ComplianceCode.OK, message: 'within the allowance' };
const refuse = (code: ComplianceCode, message: string): TransferCheck => ({ allowed: false, code, message });

/**
 * May the spender move this amount under the allowance now? The allowance's own rules only: the movement's
 * compliance is the transfer's rule set, applied after this. Expired is checked before exhausted, so a
 * lapsed allowance says so whatever is left of it.
 */
export function checkAllowance(allowance: AllowanceRecord, amount: bigint, now: number): TransferCheck {
  if (allowance.status === 'REVOKED')
    return refuse(ComplianceCode.ALLOWANCE_REVOKED, 'the holder revoked the allowance');
  if (now >= allowance.expiresAt)
    return refuse(ComplianceCode.ALLOWANCE_EXPIRED, `the allowance expired at ${allowance.expiresAt}`);
  const remaining = BigInt(allowance.remaining);
  if (remaining === 0n) return refuse(ComplianceCode.ALLOWANCE_EXHAUSTED, 'nothing is left of the allowance');
  if (amount > remaining)
    return refuse(ComplianceCode.ALLOWANCE_EXCEEDED, `${amount} is more than the ${remaining} left of the allowance`);
  return ok;
}
