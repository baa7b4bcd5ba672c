import { ErrorCode, errorCodeOf } from '@ecf/common';
import { FabricFailure } from './fabric/types';

/**
 * Errors as RFC 9457 problem details. Every error response carries a stable `code` (the chaincode's
 * error codes plus the gateway's own), the transaction id when one exists, and the request id.
 */
export const GatewayCode = {
  ...ErrorCode,
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  MVCC_CONFLICT: 'MVCC_CONFLICT',
  TRANSACTION_INVALID: 'TRANSACTION_INVALID',
  TIMEOUT: 'TIMEOUT',
  UNAVAILABLE: 'UNAVAILABLE',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_IN_PROGRESS: 'IDEMPOTENCY_IN_PROGRESS',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** The org's CA answered a registration or enrolment with a refusal (a 502: an upstream said no). */
  CA_REFUSED: 'CA_REFUSED',
} as const;
export type GatewayCode = (typeof GatewayCode)[keyof typeof GatewayCode];

const STATUS: Record<GatewayCode, number> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  MVCC_CONFLICT: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  COMPLIANCE: 422,
  LIMIT_EXCEEDED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  TRANSACTION_INVALID: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  CA_REFUSED: 502,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

const TITLES: Record<GatewayCode, string> = {
  INVALID_ARGUMENT: 'Invalid request',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  CONFLICT: 'Conflicts with the current state',
  MVCC_CONFLICT: 'Concurrent update; try again',
  IDEMPOTENCY_IN_PROGRESS: 'A request with this Idempotency-Key is still running',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  COMPLIANCE: 'Refused by a compliance rule',
  LIMIT_EXCEEDED: 'A balance or supply total would exceed 2^63-1',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency-Key reused with a different request',
  TRANSACTION_INVALID: 'Transaction invalidated by the network',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal error',
  CA_REFUSED: "Refused by the org's certificate authority",
  UNAVAILABLE: 'Network unavailable',
  TIMEOUT: 'Timed out; the outcome may be unknown',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: GatewayCode;
  /** For COMPLIANCE: the specific rule (e.g. KYC_EXPIRED). */
  reason?: string;
  txId?: string;
  instance?: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: GatewayCode,
    message: string,
    readonly extra: {
      txId?: string;
      reason?: string;
      headers?: Record<string, string>;
      /** What Fabric or the CA said, sanitised: logged by the problem handler, never sent to the client. */
      cause?: string;
    } = {},
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export function problemOf(err: ApiError, requestId?: string): Problem {
  return {
    type: `https://ecf.example.com/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[err.code],
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(err.extra.reason ? { reason: err.extra.reason } : {}),
    ...(err.extra.txId ? { txId: err.extra.txId } : {}),
    ...(requestId ? { instance: `urn:request:${requestId}` } : {}),
  };
}

/** Maps anything thrown below the routes to an ApiError; unknown errors become INTERNAL without details. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof FabricFailure) return fromFabric(err);
  const status = (err as { status?: number; type?: string }).status;
  if (status === 413) return new ApiError(GatewayCode.PAYLOAD_TOO_LARGE, 'the request body exceeds the limit');
  if (status === 400) return new ApiError(GatewayCode.INVALID_ARGUMENT, 'the request body is not valid JSON');
  return new ApiError(GatewayCode.INTERNAL, 'an internal error occurred; it has been logged');
}

function fromFabric(err: FabricFailure): ApiError {
  const mapped = mapFabric(err);
  if (err.upstream) mapped.extra.cause = err.upstream;
  return mapped;
}

function mapFabric(err: FabricFailure): ApiError {
  const txId = err.txId;
  switch (err.kind) {
    case 'chaincode': {
      const code = errorCodeOf(err.message) ?? ErrorCode.INTERNAL;
      // "CODE: [REASON: ]message" as the chaincode wrote it.
      const rest = err.message.slice(err.message.indexOf(`${code}: `) + code.length + 2);
      const compliance = code === ErrorCode.COMPLIANCE ? /^([A-Z][A-Z_]+): (.*)$/.exec(rest) : null;
      if (compliance) return new ApiError(code, compliance[2] ?? rest, { txId, reason: compliance[1] });
      return new ApiError(code, rest, { txId });
    }
    case 'conflict':
      // The same answer whether the conflict showed at validation (MVCC) or at endorsement (endorsers'
      // private write sets differ under concurrent updates): nothing was written, try again shortly.
      return new ApiError(GatewayCode.MVCC_CONFLICT, err.message, { txId, headers: { 'Retry-After': '1' } });
    case 'invalid':
      return new ApiError(GatewayCode.TRANSACTION_INVALID, err.message, { txId });
    case 'timeout':
      return new ApiError(GatewayCode.TIMEOUT, err.message, { txId });
    case 'identity':
      return new ApiError(
        GatewayCode.FORBIDDEN,
        'the credential is bound to an identity this gateway no longer holds',
        { txId },
      );
    case 'unavailable':
      return new ApiError(GatewayCode.UNAVAILABLE, 'the network could not be reached', { txId });
    case 'ca':
      return new ApiError(GatewayCode.CA_REFUSED, `${err.message} (the CA's answer is in the gateway log)`, { txId });
  }
}
