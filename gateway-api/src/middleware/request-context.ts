import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type winston from 'winston';
import type { RequestLogSettings } from '../deps';
import type { Metrics } from '../metrics';
import { setDeadline } from '../routes/respond';

export function requestIdOf(req: Request): string {
  return (req as Request & { id?: string }).id ?? '';
}

/**
 * Which requests get a log line (decision 62): every write (a method other than GET and HEAD: who asked
 * for a change is kept whatever the rate), every error (4xx, 5xx) and every request slower than `slowMs`,
 * always; of the other, successful reads, an exact share `sampleRate`, spread evenly (a running credit, not
 * a coin toss, so the share holds over any stretch and a test can count it). The latency metric still
 * observes every request, so counts come from the metrics, not from the log.
 */
export function requestLogSampler(
  settings: RequestLogSettings,
): (method: string, status: number, ms: number) => boolean {
  let credit = 0;
  return (method, status, ms) => {
    if (!isRead(method) || status >= 400 || ms >= settings.slowMs) return true;
    credit += settings.sampleRate;
    if (credit < 1) return false;
    credit -= 1;
    return true;
  };
}

/**
 * A request id (echoed as X-Request-Id), the request's deadline, one latency observation per request,
 * and a log line for the requests the sampler picks. The log line carries the route pattern, never the
 * URL's values, the body or any header except the request id: paths and bodies can hold account ids and
 * personal data.
 */
export function requestContext(logger: winston.Logger, metrics: Metrics, timeoutMs: number, log: RequestLogSettings) {
  const logged = requestLogSampler(log);
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
      const ms = Math.round(seconds * 1000);
      if (!logged(req.method, res.statusCode, ms)) return;
      const principal = (req as Request & { principal?: { credentialId: string; role: string } }).principal;
      logger.info('request', {
        requestId: id,
        method: req.method,
        route,
        status: res.statusCode,
        ms,
        ...(principal ? { credential: principal.credentialId, role: principal.role } : {}),
        ...(isSampled(req.method, res.statusCode, ms, log) ? { sampled: log.sampleRate } : {}),
      });
    });
    next();
  };
}

const isRead = (method: string): boolean => method === 'GET' || method === 'HEAD';

/** Whether a logged request's line stands for others left out, so whoever counts lines knows to scale. */
function isSampled(method: string, status: number, ms: number, log: RequestLogSettings): boolean {
  return isRead(method) && status < 400 && ms < log.slowMs && log.sampleRate < 1;
}
