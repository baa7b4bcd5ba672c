import { ErrorCode, errorCodeOf } from '@ecf/common';
import { FabricFailure } from './fabric/types';

/**
 * Errors as RFC 9457 problem details. Every error response carries a stable `code` (the chaincode's
 * error codes plus the gateway's own) and the request id; `txId` only for a transaction that reached the
 * ledger (committed invalid), so that it can always be looked up there.
 */
export const GatewayCode = {
  ...ErrorCode,
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  /** Admission control (decision 43): one account has as many writes pending as it may. */
  ACCOUNT_BUSY: 'ACCOUNT_BUSY',
  /** Admission control (decision 43): the gateway's write queue is full; nothing was sent. */
  OVERLOADED: 'OVERLOADED',
  MVCC_CONFLICT: 'MVCC_CONFLICT',
  TRANSACTION_INVALID: 'TRANSACTION_INVALID',
  TIMEOUT: 'TIMEOUT',
  UNAVAILABLE: 'UNAVAILABLE',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_IN_PROGRESS: 'IDEMPOTENCY_IN_PROGRESS',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** The org's CA answered a registration or enrolment with a refusal (a 502: an upstream said no). */
  CA_REFUSED: 'CA_REFUSED',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
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
  UNSUPPORTED_MEDIA_TYPE: 415,
  COMPLIANCE: 422,
  LIMIT_EXCEEDED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  TRANSACTION_INVALID: 422,
  RATE_LIMITED: 429,
  ACCOUNT_BUSY: 429,
  INTERNAL: 500,
  CA_REFUSED: 502,
  UNAVAILABLE: 503,
  OVERLOADED: 503,
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
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported body encoding or media type',
  COMPLIANCE: 'Refused by a compliance rule',
  LIMIT_EXCEEDED: 'A balance or supply total would exceed 2^63-1',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency-Key reused with a different request',
  TRANSACTION_INVALID: 'Transaction invalidated by the network',
  RATE_LIMITED: 'Too many requests',
  ACCOUNT_BUSY: 'Too many writes pending for one account; retry later',
  OVERLOADED: 'The gateway is at capacity; retry later',
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
  /** A transaction that reached the ledger (it committed invalid); never an endorsement that was refused. */
  txId?: string;
  instance?: string;
}

/** What a 500 says: the cause is in the log (by request id), never in the answer. */
export const INTERNAL_DETAIL = 'an internal error occurred; it has been logged';

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
      /** The id of a proposal that never reached the ledger: logged beside the cause, never sent. */
      proposalTxId?: string;
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
    // An INTERNAL error's message can name internals (a schema mismatch, a chaincode's own INTERNAL text);
    // the problem handler logs it, the client gets the generic text.
    detail: err.code === GatewayCode.INTERNAL ? INTERNAL_DETAIL : err.message,
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
  // body-parser's own refusal of an encoding or charset the content check did not already refuse.
  if (status === 415) return new ApiError(GatewayCode.UNSUPPORTED_MEDIA_TYPE, 'the body encoding is not supported');
  return new ApiError(GatewayCode.INTERNAL, INTERNAL_DETAIL);
}

/**
 * Only a transaction that committed (invalid) carries its id into the problem: a refused endorsement's
 * proposal id names nothing on the ledger, and after a timeout or an unreachable network the id may never
 * get there (a retry with the same Idempotency-Key settles that, not the client).
 */
function fromFabric(err: FabricFailure): ApiError {
  const mapped = mapFabric(err);
  if (err.upstream) {
    mapped.extra.cause = err.upstream;
    if (err.txId && !mapped.extra.txId) mapped.extra.proposalTxId = err.txId;
  }
  return mapped;
}

function mapFabric(err: FabricFailure): ApiError {
  switch (err.kind) {
    case 'chaincode': {
      const code = errorCodeOf(err.message) ?? ErrorCode.INTERNAL;
      // "CODE: [REASON: ]message" as the chaincode wrote it.
      const rest = err.message.slice(err.message.indexOf(`${code}: `) + code.length + 2);
      const compliance = code === ErrorCode.COMPLIANCE ? /^([A-Z][A-Z_]+): (.*)$/.exec(rest) : null;
      if (compliance) return new ApiError(code, compliance[2] ?? rest, { reason: compliance[1] });
      return new ApiError(code, rest);
    }
    case 'conflict':
      // The same answer whether the conflict showed at validation (MVCC) or at endorsement (endorsers'
      // private write sets differ under concurrent updates): nothing was written, try again shortly.
      return new ApiError(GatewayCode.MVCC_CONFLICT, err.message, {
        ...committed(err),
        headers: { 'Retry-After': '1' },
      });
    case 'invalid':
      return new ApiError(GatewayCode.TRANSACTION_INVALID, err.message, committed(err));
    case 'timeout':
      return new ApiError(GatewayCode.TIMEOUT, err.message);
    case 'identity':
      return new ApiError(GatewayCode.FORBIDDEN, 'the credential is bound to an identity this gateway no longer holds');
    case 'unavailable':
      return new ApiError(GatewayCode.UNAVAILABLE, 'the network could not be reached');
    case 'ca':
      return new ApiError(GatewayCode.CA_REFUSED, `${err.message} (the CA's answer is in the gateway log)`);
  }
}

/** 'conflict' and 'invalid' are raised from a commit status: the transaction is in a block, marked invalid. */
function committed(err: FabricFailure): { txId?: string } {
  return err.txId ? { txId: err.txId } : {};
}
