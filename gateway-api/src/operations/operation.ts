import { Role, idSchema, mspIdSchema, txDerivedIdSchema } from '@ecf/common';
import { z } from 'zod';
import { Scope } from '../auth/principal';

/**
 * Every route that maps onto a chaincode transaction, as data: the router, the OpenAPI document, the
 * gateway's role check and the HTTP authorization matrix test are all generated from this one table.
 * The chaincode still makes the final decision on every call; the role list here only refuses early
 * what the chaincode would refuse anyway.
 */
export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

export interface Operation {
  readonly id: string;
  readonly method: HttpMethod;
  /** Express-style path, e.g. /v1/accounts/:accountId */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly roles: readonly Role[];
  readonly scope: Scope;
  readonly fn: string;
  readonly mode: 'submit' | 'evaluate';
  /**
   * How the input reaches the chaincode. `arg`: one JSON argument; `transient`: the private `payload`;
   * `args`: the path parameters as positional arguments; `none`: nothing.
   */
  readonly via: 'arg' | 'transient' | 'args' | 'none';
  /** The shared payload schema the merged input (path parameters + query + body) must satisfy. */
  readonly input?: z.ZodTypeAny;
  /** Path parameter schemas, in positional order for `via: 'args'`. */
  readonly params: Readonly<Record<string, z.ZodTypeAny>>;
  /** Query parameters that are part of the input (besides pagination). */
  readonly query?: readonly string[];
  /**
   * The field that names the acting account. A credential bound to an account fills it in; a request
   * naming another account is refused.
   */
  readonly acting?: string;
  /** Fields the gateway fills in itself and the client must not send (e.g. the personal data salt). */
  readonly generated?: readonly string[];
  /** The chaincode's result: a record schema, or an item schema when `list`. */
  readonly result: z.ZodTypeAny;
  /** The result is a list (`true`), or an object whose named field is the list; either way it is paged. */
  readonly list?: true | string;
  /** The channel's chaincode the function runs on (default: market). */
  readonly channel?: 'audit';
  readonly status?: 200 | 201;
  /**
   * `supervisors`: endorse on the regulator's peer and the caller's trustee's, not by discovery from this
   * org's peer. A pledge may count a person's investor limits (decision 49), in a collection this org's peer
   * does not hold, so a simulation there cannot match the members'.
   */
  readonly endorsers?: 'supervisors';
}

/**
 * A route that changes something: every submit, and the evaluate routes that act elsewhere (credential
 * renewal re-enrolls at the CA). These take an Idempotency-Key; a read posted for its body does not.
 */
export function isWrite(op: Operation): boolean {
  return op.mode === 'submit' || (op.method !== 'get' && op.scope !== Scope.READ);
}

export const { REGULATOR: R, TRUSTEE: T, OPERATOR: O, ISSUER: S, INVESTOR: I } = Role;
export const EVERYONE = [R, T, O, S, I] as const;
export const ACCOUNT_READERS = [R, T, O, S, I] as const;
/** An id the chaincode derived from the transaction (pledge, order, instruction). */
export const idResult = txDerivedIdSchema;
export const nothing = z.null();

export type Spec = Omit<Operation, 'params' | 'scope'> & { params?: Operation['params']; scope?: Scope };

export function op(spec: Spec): Operation {
  const params: Record<string, z.ZodTypeAny> = spec.params ?? {};
  return {
    ...spec,
    params,
    scope: spec.scope ?? (spec.mode === 'evaluate' ? Scope.READ : Scope.WRITE),
  };
}

// Path parameters, each described once for the OpenAPI document.
export const accountId = {
  accountId: idSchema.describe('The account (an investor or issuer), by the id its operator chose.'),
};
export const classId = { classId: idSchema.describe('The share class, by the id its trustee chose.') };
export const campaignId = { campaignId: idSchema.describe('The campaign, by the id its proposer chose.') };
export const assetId = {
  assetId: idSchema.describe('The asset: a money token (e.g. TrusteeMSP.MYR) or a share class, by its id.'),
};
export const mspId = { mspId: mspIdSchema.describe('The participant org, by its MSP ID (e.g. OperatorAMSP).') };
export const exitingMspId = {
  exitingMspId: mspIdSchema.describe('The exiting operator, by its MSP ID (e.g. OperatorBMSP).'),
};
export const orderId = { orderId: idSchema.describe('The order: the id returned when it was placed.') };
export const tokenId = { tokenId: idSchema.describe('The money token, by its id (e.g. TrusteeMSP.MYR).') };
export const withdrawalId = {
  withdrawalId: idSchema.describe('The held withdrawal: the id returned when it was requested.'),
};
/** The wallet identity an account's holder signs with. */
export const walletIdentity = z
  .string()
  .describe("The account holder's identity in the operator's wallet and at its CA: `acct-<accountId>`.");
