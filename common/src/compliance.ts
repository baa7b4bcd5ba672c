/**
 * Why a movement is refused, one code per rule (the role ERC-1400's canTransfer reason codes play).
 * `CanTransfer` answers with one of these; a refused transaction fails with `COMPLIANCE: <code>: …`.
 */
export const ComplianceCode = {
  OK: 'OK',
  SENDER_NOT_ACTIVE: 'SENDER_NOT_ACTIVE',
  RECEIVER_NOT_ACTIVE: 'RECEIVER_NOT_ACTIVE',
  SENDER_FROZEN: 'SENDER_FROZEN',
  RECEIVER_FROZEN: 'RECEIVER_FROZEN',
  SENDER_KYC_EXPIRED: 'SENDER_KYC_EXPIRED',
  RECEIVER_KYC_EXPIRED: 'RECEIVER_KYC_EXPIRED',
  SENDER_OPERATOR_SUSPENDED: 'SENDER_OPERATOR_SUSPENDED',
  RECEIVER_OPERATOR_SUSPENDED: 'RECEIVER_OPERATOR_SUSPENDED',
  CUSTODIAN_SUSPENDED: 'CUSTODIAN_SUSPENDED',
  CUSTODY_MISMATCH: 'CUSTODY_MISMATCH',
  INSTRUMENT_HALTED: 'INSTRUMENT_HALTED',
  INVESTOR_CLASS_NOT_ALLOWED: 'INVESTOR_CLASS_NOT_ALLOWED',
  LOCKED_UP: 'LOCKED_UP',
  INVESTMENT_CAP_EXCEEDED: 'INVESTMENT_CAP_EXCEEDED',
  INSUFFICIENT_BALANCE: 'INSUFFICIENT_BALANCE',
  AMOUNT_FROZEN: 'AMOUNT_FROZEN',
  SAME_ACCOUNT: 'SAME_ACCOUNT',
  /** The accounts are at different operators: only an instruction, settled by the custodian, can move it. */
  CROSS_OPERATOR: 'CROSS_OPERATOR',
  /** An instruction between accounts of one operator: a plain transfer does it in one transaction. */
  SAME_OPERATOR: 'SAME_OPERATOR',
  /** A held large withdrawal executed before its review window ended (decision 40). */
  REVIEW_WINDOW_OPEN: 'REVIEW_WINDOW_OPEN',
  /** An issuer's buy order of its own class above the regulator's daily buyback limit (decision 53). */
  BUYBACK_LIMIT_EXCEEDED: 'BUYBACK_LIMIT_EXCEEDED',
  /** A move under an allowance the holder revoked (decision 48). */
  ALLOWANCE_REVOKED: 'ALLOWANCE_REVOKED',
  ALLOWANCE_EXPIRED: 'ALLOWANCE_EXPIRED',
  /** Nothing is left of the allowance. */
  ALLOWANCE_EXHAUSTED: 'ALLOWANCE_EXHAUSTED',
  /** The move is larger than what is left of the allowance. */
  ALLOWANCE_EXCEEDED: 'ALLOWANCE_EXCEEDED',
  /** A retail investor's yearly cap across every operator (decision 49). */
  INVESTOR_LIMIT_EXCEEDED: 'INVESTOR_LIMIT_EXCEEDED',
  /** A retail investor's yearly cap per issuer across every operator (decision 49). */
  ISSUER_LIMIT_EXCEEDED: 'ISSUER_LIMIT_EXCEEDED',
} as const;

export type ComplianceCode = (typeof ComplianceCode)[keyof typeof ComplianceCode];

export interface TransferCheck {
  readonly allowed: boolean;
  readonly code: ComplianceCode;
  readonly message: string;
}
