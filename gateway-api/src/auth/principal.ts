import type { Role } from '@ecf/common';
import type { Request } from 'express';

/** What a credential may be used for; each route names the scope it needs. */
export const Scope = {
  READ: 'read',
  WRITE: 'write',
  EVENTS: 'events',
  /** Registering, re-enrolling and revoking people's identities at the org's CA. */
  IDENTITIES: 'identities',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];
export const ALL_SCOPES: readonly Scope[] = Object.values(Scope);

/** Who is calling, as established by the credential; transactions are signed by `identity`. */
export interface Principal {
  /** Short, non-secret id of the credential, for logs and rate limits. */
  readonly credentialId: string;
  /** Wallet label the gateway signs with. */
  readonly identity: string;
  readonly role: Role;
  /** For investors and issuers: the one account they are. */
  readonly accountId?: string;
  readonly scopes: readonly Scope[];
}

/**
 * Turns a request's credential into a principal. Tokens ship first; an OpenID Connect authenticator
 * (validating a JWT against the IdP's JWKS and mapping `sub` to a wallet identity) plugs in here.
 */
export interface Authenticator {
  /** undefined: this authenticator does not recognise the credential's kind; throws on a bad one. */
  authenticate(authorization: string): Promise<Principal | undefined>;
}

export function principalOf(req: Request): Principal {
  const principal = (req as Request & { principal?: Principal }).principal;
  if (!principal) throw new Error('route reached without authentication');
  return principal;
}

export function setPrincipal(req: Request, principal: Principal): void {
  (req as Request & { principal?: Principal }).principal = principal;
}
