import type { Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import { ApiError, GatewayCode } from '../problem';

/** Per-credential request budget (after authentication, so one client cannot starve the others). */
export function perCredentialRateLimit(limit: number, windowMs: number) {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req: Request) =>
      (req as Request & { principal?: { credentialId: string } }).principal?.credentialId ?? 'anonymous',
    handler: (_req, _res, next, options) => {
      next(
        new ApiError(GatewayCode.RATE_LIMITED, `more than ${options.limit} requests in ${windowMs / 1000} s`, {
          headers: { 'Retry-After': String(Math.ceil(windowMs / 1000)) },
        }),
      );
    },
  });
}
