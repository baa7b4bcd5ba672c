import type { NextFunction, Request, Response } from 'express';
import { setPrincipal, type Authenticator } from '../auth/principal';
import { ApiError, GatewayCode } from '../problem';

/** Establishes who is calling from the Authorization header; nothing else in the request can. */
export function authenticate(authenticators: readonly Authenticator[]) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('Authorization');
    if (!header)
      throw new ApiError(GatewayCode.UNAUTHENTICATED, 'an Authorization: Bearer credential is required', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    for (const authenticator of authenticators) {
      const principal = await authenticator.authenticate(header);
      if (principal) {
        setPrincipal(req, principal);
        next();
        return;
      }
    }
    throw new ApiError(GatewayCode.UNAUTHENTICATED, 'the credential is not one this gateway accepts', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  };
}
