import type { NextFunction, Request, Response } from 'express';
import { ApiError, GatewayCode } from '../problem';

interface KnownPath {
  readonly pattern: RegExp;
  readonly allow: string;
}

/** `/v1/accounts/{accountId}` → a regex matching the concrete path as Express does (any case, optional `/`). */
function patternOf(path: string): RegExp {
  const source = path
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}/?$`, 'i');
}

/**
 * The last stop before 404: a path the gateway serves, asked with a method it does not declare there,
 * gets 405 with `Allow` (RFC 9110 §15.5.6). `paths` is the OpenAPI `paths` object plus the few routes the
 * document does not describe, so the answer lists exactly the methods the document publishes.
 */
export function methodNotAllowed(paths: Readonly<Record<string, object>>) {
  const known: KnownPath[] = Object.entries(paths).map(([path, methods]) => {
    const declared = Object.keys(methods).map((m) => m.toUpperCase());
    // Express answers HEAD with the GET route.
    if (declared.includes('GET')) declared.push('HEAD');
    return { pattern: patternOf(path), allow: declared.join(', ') };
  });
  return (req: Request, _res: Response, next: NextFunction): void => {
    const path = req.path;
    const hits = known.filter((k) => k.pattern.test(path));
    const methods = [...new Set(hits.flatMap((h) => h.allow.split(', ')))];
    // No such path, or a declared route that passed the request on (e.g. an unknown dashboard file): 404.
    if (hits.length === 0 || methods.includes(req.method)) {
      next();
      return;
    }
    const allow = methods.join(', ');
    next(
      new ApiError(GatewayCode.METHOD_NOT_ALLOWED, `${req.method} is not allowed here; allowed: ${allow}`, {
        headers: { Allow: allow },
      }),
    );
  };
}
