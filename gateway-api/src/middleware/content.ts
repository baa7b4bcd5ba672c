import type { NextFunction, Request, Response } from 'express';
import { ApiError, GatewayCode } from '../problem';

/** The methods whose bodies the gateway reads; a body on any other method is ignored, never parsed. */
export const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/**
 * One content coding at most, and one the body parser can undo within its size limit. Lists ("gzip,
 * gzip") and codings that depend on the Node version (zstd) are refused rather than half-supported.
 */
const CODINGS: ReadonlySet<string> = new Set(['identity', 'gzip', 'deflate', 'br']);

/** Whether the request carries a body (a non-zero Content-Length, or a chunked one). */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Refuses, before authentication and before anything reads the body, a body the gateway could not read
 * as JSON: an unknown or stacked Content-Encoding, a media type other than JSON, a charset other than
 * UTF-8. Each is a 415 problem (UNSUPPORTED_MEDIA_TYPE), never a parser error surfacing as a 500.
 */
export function acceptedBodies() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!BODY_METHODS.has(req.method) || !hasBody(req)) {
      next();
      return;
    }
    const encoding = req.get('Content-Encoding');
    if (encoding !== undefined) {
      const codings = encoding
        .split(',')
        .map((c) => c.trim().toLowerCase())
        .filter((c) => c !== '');
      if (codings.length !== 1 || !CODINGS.has(codings[0] as string)) {
        throw new ApiError(
          GatewayCode.UNSUPPORTED_MEDIA_TYPE,
          'Content-Encoding must be one of identity, gzip, deflate or br (a single coding)',
        );
      }
    }
    const { type, charset } = mediaTypeOf(req.get('Content-Type') ?? '');
    if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
      throw new ApiError(GatewayCode.UNSUPPORTED_MEDIA_TYPE, 'a request body must be application/json');
    }
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      throw new ApiError(GatewayCode.UNSUPPORTED_MEDIA_TYPE, 'a JSON body must be UTF-8');
    }
    next();
  };
}

/** `type/subtype; charset=x` → the lower-cased type and charset (quotes removed); other parameters ignored. */
export function mediaTypeOf(header: string): { type: string; charset?: string } {
  const [media = '', ...params] = header.split(';');
  const type = media.trim().toLowerCase();
  for (const param of params) {
    const m = /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/i.exec(param);
    if (m) return { type, charset: (m[1] ?? '').toLowerCase() };
  }
  return { type };
}
