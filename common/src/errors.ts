/**
 * Stable error codes shared by chaincode and gateway. The chaincode puts the code first in its error
 * message (`CODE: message`) so it survives Fabric's error wrapping; the gateway maps codes to HTTP statuses.
 */
export const ErrorCode = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  /** A movement refused by a compliance rule; the message starts with the specific reason code. */
  COMPLIANCE: 'COMPLIANCE',
  /** Temporarily unavailable on this peer (e.g. private data not yet disseminated to it); retry. */
  UNAVAILABLE: 'UNAVAILABLE',
  /**
   * A balance or a supply total would leave the documented range 1 … 2^63-1 (decimal 14). Not a client's
   * mistake in the request itself, so it is not INVALID_ARGUMENT; nothing is written.
   */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class MarketError extends Error {
  override readonly name = 'MarketError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For COMPLIANCE errors: the specific rule that refused the movement. */
    readonly reason?: string,
  ) {
    super(`${code}: ${reason ? `${reason}: ` : ''}${message}`);
  }
}

/** Recovers the code from an error message that crossed Fabric (e.g. an endorsement error's details). */
export function errorCodeOf(message: string): ErrorCode | undefined {
  const m = /\b([A-Z][A-Z_]{2,}): /.exec(message);
  const code = m?.[1];
  return code && code in ErrorCode ? (code as ErrorCode) : undefined;
}
