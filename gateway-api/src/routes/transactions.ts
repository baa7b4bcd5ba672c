import { Role, type TransactionStatus } from '@ecf/common';
import { Router, type Request, type Response } from 'express';
import { principalOf, Scope, type Principal } from '../auth/principal';
import { auditPort, type GatewayDeps } from '../deps';
import type { CommittedTransaction, FabricPort } from '../fabric/types';
import { describeErrors, type DocumentValidators } from '../openapi';
import type { PendingTransaction } from '../pending';
import { ApiError, GatewayCode } from '../problem';
import { deadlineOf, sendJson } from './respond';

/** How long a background re-send of a pending transaction may wait for its commit. */
const RESEND_WAIT_MS = 60_000;

/**
 * `GET /v1/transactions/{txId}`: what became of a transaction the caller sent (decision 63), read on the
 * org's own peer with the service identity. The outcome only (status, block, validation code), never what
 * the transaction carried. Anyone but its sender and the org's admins gets 404, as for an id that does
 * not exist, so the route confirms no one else's transaction.
 */
export function transactionsRouter(deps: GatewayDeps, validators: DocumentValidators): Router {
  const router = Router();
  const resending = new Set<string>();

  router.get('/v1/transactions/:txId', async (req: Request, res: Response) => {
    const principal = principalOf(req);
    if (!principal.scopes.includes(Scope.READ))
      throw new ApiError(GatewayCode.FORBIDDEN, `the credential lacks the ${Scope.READ} scope`);
    const v = validators.of('transactionStatus');
    const params = { ...req.params };
    if (!v.params(params)) throw new ApiError(GatewayCode.INVALID_ARGUMENT, describeErrors(v.params, 'path'));
    const txId = String(params.txId);
    const record = deps.pending.read(txId);
    const port = record?.channel === 'audit' ? auditPort(deps) : deps.fabric;
    const found = await port.findTransaction(txId, deadlineOf(req));
    if (found && mayRead(deps, principal, record, found)) {
      const body: TransactionStatus = {
        txId,
        status: found.valid ? 'COMMITTED' : 'INVALID',
        blockNumber: found.blockNumber,
        validationCode: found.validationCode,
      };
      sendJson(res, v.response, 200, body);
      return;
    }
    if (found || !record || !mayRead(deps, principal, record)) throw notFound(txId);
    if (record.transaction) resend(deps, port, record, resending);
    res.set('Retry-After', '2');
    sendJson(res, v.response, 200, { txId, status: 'PENDING' } satisfies TransactionStatus);
  });
  return router;
}

function notFound(txId: string): ApiError {
  return new ApiError(GatewayCode.NOT_FOUND, `no transaction ${txId} of this caller is known here`);
}

/**
 * The sender: the wallet identity this gateway answered 202 for, or (committed) the transaction's signer,
 * an identity of this org whose certificate names the caller's wallet identity (a CA-enrolled identity's
 * common name is its enrollment id, which is its wallet label). And the org's admins: a staff credential
 * with the `identities` scope reads any transaction this gateway answered 202 for or this org signed.
 */
function mayRead(
  deps: GatewayDeps,
  principal: Principal,
  record: PendingTransaction | undefined,
  found?: CommittedTransaction,
): boolean {
  const ownOrg = found?.creator?.mspId === deps.org.mspId;
  const admin =
    principal.scopes.includes(Scope.IDENTITIES) && principal.role !== Role.INVESTOR && principal.role !== Role.ISSUER;
  if (admin && (record !== undefined || ownOrg)) return true;
  if (record?.identity === principal.identity) return true;
  return ownOrg && found?.creator?.commonName === principal.identity;
}

/**
 * Sends a pending transaction for ordering again, in the background, one at a time per id: Fabric commits
 * an id at most once, so a copy cannot make the write happen twice, and a transaction that ordering lost
 * gets a final status instead of staying PENDING. The status route answers at once; the next ask finds it.
 */
function resend(deps: GatewayDeps, port: FabricPort, record: PendingTransaction, resending: Set<string>): void {
  if (resending.has(record.txId)) return;
  resending.add(record.txId);
  port
    .seal(Buffer.from(record.transaction, 'base64'), Date.now() + RESEND_WAIT_MS)
    .then(
      (tx) => deps.logger.info('settled a pending transaction', { txId: tx.txId, validationCode: tx.validationCode }),
      (err: unknown) =>
        deps.logger.warn('a pending transaction is still pending', {
          txId: record.txId,
          error: (err as { kind?: string }).kind ?? (err as Error).name,
        }),
    )
    .finally(() => resending.delete(record.txId));
}
