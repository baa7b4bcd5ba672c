import type { NextFunction, Request, Response } from 'express';
import type winston from 'winston';
import { problemOf, toApiError } from '../problem';
import { requestIdOf } from './request-context';

/**
 * Every error leaves as an RFC 9457 problem; 5xx are logged with their class, never with the request.
 * A refusal that came from Fabric or the CA is logged at any status with what the peer or CA said (its
 * sanitised `cause`): the client's detail is deliberately generic, and without this line the reason
 * would survive only in the peer's and CA's own logs.
 */
export function problemHandler(logger: winston.Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const apiError = toApiError(err);
    const requestId = requestIdOf(req);
    if (apiError.status >= 500) {
      logger.error('request failed', {
        requestId,
        code: apiError.code,
        error: (err as Error)?.name,
        detail: apiError.code === 'INTERNAL' ? (err as Error)?.message : apiError.message,
        ...(apiError.extra.cause
          ? { cause: apiError.extra.cause, txId: apiError.extra.txId ?? apiError.extra.proposalTxId }
          : {}),
      });
    } else if (apiError.extra.cause) {
      logger.warn('request refused by the network', {
        requestId,
        code: apiError.code,
        txId: apiError.extra.txId ?? apiError.extra.proposalTxId,
        cause: apiError.extra.cause,
      });
    }
    for (const [k, v] of Object.entries(apiError.extra.headers ?? {})) res.set(k, v);
    res
      .status(apiError.status)
      .type('application/problem+json')
      .send(JSON.stringify(problemOf(apiError, requestId)));
  };
}
