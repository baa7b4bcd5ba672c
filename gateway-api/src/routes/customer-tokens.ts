import { ErrorCode, Role, type Account } from '@ecf/common';
import { Router, type Request, type Response } from 'express';
import {
  CUSTOMER_SCOPES,
  CUSTOMER_TOKEN_DAYS_DEFAULT,
  customerTokenView,
  issueCustomerTokenSchema,
} from '../auth/customer-tokens';
import { principalOf, Scope, type Principal } from '../auth/principal';
import type { GatewayDeps } from '../deps';
import { FabricFailure } from '../fabric/types';
import { accountIdentity } from '../operation-hooks';
import { describeErrors, type DocumentValidators } from '../openapi';
import { ApiError, GatewayCode } from '../problem';
import { deadlineOf, sendJson } from './respond';

const DAY_MS = 86_400_000;

/**
 * An operator's customers' API tokens: issue (POST), list (GET), revoke (DELETE). The operator proves
 * the account is its own customer the way the chain decides it, by reading the account as itself
 * (`Accounts:GetAccount` refuses another operator's customer); the token is then bound to that
 * account's wallet identity and no other, so no request can bind one to an org identity or to
 * someone else's customer.
 */
export function customerTokensRouter(deps: GatewayDeps, validators: DocumentValidators): Router {
  const router = Router();

  router.post('/v1/accounts/:accountId/tokens', async (req: Request, res: Response) => {
    const principal = operatorOnly(req);
    const v = validators.of('issueCustomerToken');
    const accountId = pathAccountId(req, validators, 'issueCustomerToken');
    if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body))
      throw new ApiError(GatewayCode.INVALID_ARGUMENT, 'the body must be a JSON object');
    if (v.body && !v.body(req.body)) throw new ApiError(GatewayCode.INVALID_ARGUMENT, describeErrors(v.body, 'body'));
    const parsed = issueCustomerTokenSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(GatewayCode.INVALID_ARGUMENT, `body.${issue?.path.join('.')}: ${issue?.message}`);
    }
    const account = await ownCustomer(deps, req, principal, accountId);
    if (account.status === 'OFFBOARDED')
      throw new ApiError(GatewayCode.CONFLICT, `account ${accountId} is offboarded; its identity is revoked`);
    const identity = accountIdentity(accountId);
    if (!(await deps.wallet.has(identity))) {
      throw new ApiError(GatewayCode.CONFLICT, `this gateway holds no identity for account ${accountId}`);
    }
    const input = parsed.data;
    const { token, record } = deps.tokens.create({
      identity,
      role: account.type === 'issuer' ? Role.ISSUER : Role.INVESTOR,
      accountId,
      scopes: input.scopes ?? [...CUSTOMER_SCOPES],
      description: input.label ?? '',
      expiresAt: new Date(Date.now() + (input.expiresInDays ?? CUSTOMER_TOKEN_DAYS_DEFAULT) * DAY_MS),
      issuedBy: principal.credentialId,
    });
    deps.logger.info('customer token issued', { tokenId: record.id, by: principal.credentialId });
    res.set('Cache-Control', 'no-store');
    sendJson(res, validators.of('issueCustomerToken').response, 201, { ...customerTokenView(record), token });
  });

  router.get('/v1/accounts/:accountId/tokens', async (req: Request, res: Response) => {
    const principal = operatorOnly(req);
    const accountId = pathAccountId(req, validators, 'listCustomerTokens');
    await ownCustomer(deps, req, principal, accountId);
    const items = tokensOf(deps, accountId).map((r) => customerTokenView(r));
    sendJson(res, validators.of('listCustomerTokens').response, 200, { items });
  });

  router.delete('/v1/accounts/:accountId/tokens/:tokenId', async (req: Request, res: Response) => {
    const principal = operatorOnly(req);
    const accountId = pathAccountId(req, validators, 'revokeCustomerToken');
    const tokenId = String(req.params.tokenId);
    await ownCustomer(deps, req, principal, accountId);
    // Only a token of this account's identity: an id of an org token or another customer's is unknown here.
    if (!tokensOf(deps, accountId).some((r) => r.id === tokenId))
      throw new ApiError(GatewayCode.NOT_FOUND, `account ${accountId} has no token ${tokenId}`);
    deps.tokens.revoke({ id: tokenId });
    deps.logger.info('customer token revoked', { tokenId, by: principal.credentialId });
    res.status(204).end();
  });

  return router;
}

/** An operator's credential with the `identities` scope: the same bar as onboarding. */
function operatorOnly(req: Request): Principal {
  const principal = principalOf(req);
  if (!principal.scopes.includes(Scope.IDENTITIES))
    throw new ApiError(GatewayCode.FORBIDDEN, 'the credential lacks the identities scope');
  if (principal.role !== Role.OPERATOR || principal.accountId !== undefined)
    throw new ApiError(GatewayCode.FORBIDDEN, `a ${principal.role} credential cannot manage customers' tokens`);
  return principal;
}

function pathAccountId(req: Request, validators: DocumentValidators, operationId: string): string {
  const params = { ...req.params };
  const v = validators.of(operationId);
  if (!v.params(params)) throw new ApiError(GatewayCode.INVALID_ARGUMENT, describeErrors(v.params, 'path'));
  return String(params.accountId);
}

/** The account, read as the operator: the chaincode refuses (403) another operator's customer. */
async function ownCustomer(deps: GatewayDeps, req: Request, principal: Principal, accountId: string): Promise<Account> {
  let account: Account;
  try {
    account = (await deps.fabric.evaluate(principal.identity, {
      fn: 'Accounts:GetAccount',
      args: [accountId],
      deadline: deadlineOf(req),
    })) as Account;
  } catch (err) {
    if (err instanceof FabricFailure && err.kind === 'chaincode' && err.message.startsWith(`${ErrorCode.FORBIDDEN}:`))
      throw new ApiError(GatewayCode.FORBIDDEN, `account ${accountId} is not a customer of ${deps.org.mspId}`);
    throw err;
  }
  if (!account || account.operatorMspId !== deps.org.mspId)
    throw new ApiError(GatewayCode.FORBIDDEN, `account ${accountId} is not a customer of ${deps.org.mspId}`);
  return account;
}

function tokensOf(deps: GatewayDeps, accountId: string) {
  const identity = accountIdentity(accountId);
  return deps.tokens.list().filter((r) => r.identity === identity && r.accountId === accountId);
}
