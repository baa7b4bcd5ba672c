import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type winston from 'winston';
import type { Metrics } from '../metrics';
import { setDeadline } from '../routes/respond';

export function requestIdOf(req: Request): string {
  return (req as Request & { id?: string }).id ?? '';
}

/**
 * A request id (echoed as X-Request-Id), the request's deadline, and one log line and one latency
 * observation per request. The log line carries the route pattern, never the URL's values, the body or
 * any header except the request id: paths and bodies can hold account ids and personal data.
 */
export function requestContext(logger: winston.Logger, metrics: Metrics, timeoutMs: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('X-Request-Id');
    const id = incoming && /^[A-Za-z0-9-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    (req as Request & { id?: string }).id = id;
    res.set('X-Request-Id', id);
    setDeadline(req, Date.now() + timeoutMs);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.http.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      const principal = (req as Request & { principal?: { credentialId: string; role: string } }).principal;
      logger.info('request', {
        requestId: id,
        method: req.method,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 1000),
        ...(principal ? { credential: principal.credentialId, role: principal.role } : {}),
      });
    });
    next();
  };
}
