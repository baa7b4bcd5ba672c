import { Router, type Request, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import type { z } from 'zod';
import { principalOf, type Principal } from '../auth/principal';
import { auditPort, type GatewayDeps } from '../deps';
import { FabricFailure, type FabricPort, type Invocation, type SubmitResult } from '../fabric/types';
import { accountsOf, Admission, type Ticket } from '../admission';
import { IdempotencyStore, settle, type Claim, type SentTransaction, type StoredResponse } from '../idempotency';
import { HOOKS, type Undo } from '../operation-hooks';
import { describeErrors, PAGE_LIMIT_DEFAULT, type DocumentValidators } from '../openapi';
import { isWrite, OPERATIONS, type Operation } from '../operations';
import { ApiError, GatewayCode, problemOf, toApiError } from '../problem';
import { deadlineOf, sendProblem } from './respond';

export function operationsRouter(deps: GatewayDeps, validators: DocumentValidators): Router {
  const router = Router();
  const admission = new Admission(deps.config.admission, deps.metrics);
  for (const op of OPERATIONS) {
    router[op.method](op.path, async (req: Request, res: Response) => {
      const started = process.hrtime.bigint();
      try {
        const principal = principalOf(req);
        authorize(op, principal);
        const key = isWrite(op) ? idempotencyKeyOf(req) : undefined;
        const input = requestInput(op, req, principal, validators);
        if (isWrite(op)) {
          await writeOnce(deps, admission, validators, op, req, res, { principal, input, key, started });
          return;
        }
        const value = await evaluate(deps, op, principal, input, deadlineOf(req));
        const body = checked(deps, op, validators.of(op.id).response, paged(op, value, req));
        res.status(op.status ?? 200).json(body);
      } catch (err) {
        const apiError = toApiError(err);
        if (err && (err as { kind?: string }).kind)
          deps.metrics.fabricErrors.inc({ class: (err as { kind: string }).kind, operation: op.id });
        throw apiError;
      }
    });
  }
  return router;
}

function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('Idempotency-Key');
  if (key !== undefined && (key.length === 0 || key.length > 200))
    throw new ApiError(GatewayCode.INVALID_ARGUMENT, 'Idempotency-Key must be 1 to 200 characters');
  return key;
}

/** The Fabric port of the channel an operation runs on. */
function portOf(deps: GatewayDeps, op: Operation): FabricPort {
  return op.channel === 'audit' ? auditPort(deps) : deps.fabric;
}

/** The gateway's own role and scope check: refuses early what the chaincode would refuse anyway. */
function authorize(op: Operation, principal: Principal): void {
  if (!principal.scopes.includes(op.scope)) {
    throw new ApiError(GatewayCode.FORBIDDEN, `the credential lacks the ${op.scope} scope`);
  }
  if (!op.roles.includes(principal.role)) {
    throw new ApiError(GatewayCode.FORBIDDEN, `a ${principal.role} credential cannot ${op.summary.toLowerCase()}`);
  }
}

/**
 * Path parameters + query fields + body, validated against the published document, with the acting
 * account taken from the credential when it names one, then parsed by the shared payload schema.
 */
function requestInput(
  op: Operation,
  req: Request,
  principal: Principal,
  validators: DocumentValidators,
): Record<string, unknown> {
  const v = validators.of(op.id);
  const params = { ...req.params };
  if (!v.params(params)) throw new ApiError(GatewayCode.INVALID_ARGUMENT, describeErrors(v.params, 'path'));
  const query = { ...(req.query as Record<string, unknown>) };
  if (!v.query(query)) throw new ApiError(GatewayCode.INVALID_ARGUMENT, describeErrors(v.query, 'query'));
  let body: Record<string, unknown> = {};
  if (v.body) {
    if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw new ApiError(GatewayCode.INVALID_ARGUMENT, 'the body must be a JSON object');
    }
    if (!v.body(req.body)) throw new ApiError(GatewayCode.INVALID_ARGUMENT, describeErrors(v.body, 'body'));
    body = req.body as Record<string, unknown>;
  }
  const input: Record<string, unknown> = { ...body };
  for (const name of op.query ?? []) if (query[name] !== undefined) input[name] = query[name];
  Object.assign(input, params);

  if (op.acting && principal.accountId !== undefined) {
    const named = input[op.acting];
    if (named !== undefined && named !== principal.accountId) {
      throw new ApiError(GatewayCode.FORBIDDEN, `this credential acts only for account ${principal.accountId}`);
    }
    input[op.acting] = principal.accountId;
  } else if (op.acting && input[op.acting] === undefined) {
    throw new ApiError(GatewayCode.INVALID_ARGUMENT, `${op.acting} is required for a ${principal.role} credential`);
  }
  for (const field of op.generated ?? []) {
    // The personal-data salt: random, chosen here so the on-chain hash of the personal data is unguessable.
    if (field === 'salt' && (op.id !== 'updateKyc' || input.personal !== undefined))
      input.salt = randomBytes(18).toString('base64');
    // A ballot's nonce: random, so its receipt in the public tally cannot be linked to a guessed choice.
    if (field === 'nonce') input.nonce = randomBytes(24).toString('base64');
  }
  if (!op.input) return input;
  return parsed(op.input, input);
}

function parsed(schema: z.ZodTypeAny, input: Record<string, unknown>): Record<string, unknown> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ApiError(
      GatewayCode.INVALID_ARGUMENT,
      `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data as Record<string, unknown>;
}

function call(
  op: Operation,
  input: Record<string, unknown>,
  deadline: number,
  supervisors?: readonly string[],
): Invocation {
  const endorsers =
    op.endorsers === 'supervisors' && supervisors && supervisors.length > 0
      ? { endorsingOrganizations: supervisors }
      : {};
  switch (op.via) {
    case 'arg':
      return { fn: op.fn, args: [JSON.stringify(input)], deadline, ...endorsers };
    case 'transient':
      return { fn: op.fn, transient: input, deadline, ...endorsers };
    case 'args':
      return { fn: op.fn, args: Object.keys(op.params).map((k) => String(input[k])), deadline };
    case 'none':
      return { fn: op.fn, deadline };
  }
}

/** A write's answer, ready to send and (when durable) to keep as the answer to its Idempotency-Key. */
interface Answer extends StoredResponse {
  /**
   * Whether a retry with the same key gets this answer back. Not when follow-up work after the commit
   * failed: the retry finds the transaction on the ledger and runs the follow-up again.
   */
  readonly durable: boolean;
}

interface WriteRequest {
  readonly principal: Principal;
  readonly input: Record<string, unknown>;
  readonly key: string | undefined;
  readonly started: bigint;
}

/**
 * Runs a write at most once per Idempotency-Key, across retries and gateway restarts, once admission
 * control (decision 43) has let it in and the earlier writes on its accounts have finished.
 */
async function writeOnce(
  deps: GatewayDeps,
  admission: Admission,
  validators: DocumentValidators,
  op: Operation,
  req: Request,
  res: Response,
  { principal, input, key, started }: WriteRequest,
): Promise<void> {
  const validate = validators.of(op.id).response;
  const run = (ticket: Ticket, sending?: Sending): Promise<Answer> =>
    op.mode === 'submit'
      ? commit(deps, op, validate, principal, input, deadlineOf(req), started, ticket, sending)
      : evaluateWrite(deps, op, validate, principal, input, deadlineOf(req));
  const accounts = accountsOf(input);
  if (key === undefined) {
    const ticket = admission.admit(accounts);
    try {
      await ticket.ready(deadlineOf(req));
      send(res, await run(ticket));
    } finally {
      ticket.release();
    }
    return;
  }
  const store = deps.idempotency;
  const slot = IdempotencyStore.slot(principal.credentialId, key);
  // The hash covers what the client sent, not the generated salt, so a retry matches the first attempt.
  const requestHash = IdempotencyStore.requestHash(req.method, req.originalUrl, req.body);
  // What needs no work is answered before admission: a stored answer is served even when the queue is full.
  const known = store.check(slot, requestHash);
  if (known) {
    answerKnown(deps, validators, op, res, known);
    return;
  }
  // A refusal here leaves the key untouched: the retry with it runs as the first attempt would have.
  const ticket = admission.admit(accounts);
  let claim: Claim;
  try {
    claim = store.claim(slot, requestHash);
  } catch (err) {
    ticket.release();
    throw err;
  }
  if (claim.kind !== 'new' && claim.kind !== 'orphan') {
    ticket.release();
    answerKnown(deps, validators, op, res, claim);
    return;
  }
  // From here the slot is this request's; whatever happens, it is released for the next attempt (an
  // answer stored by `complete` stays the answer).
  try {
    await ticket.ready(deadlineOf(req));
    if (claim.kind === 'orphan' && op.mode === 'submit') {
      // An error here leaves the outcome open: nothing ran, and the next retry settles it again. While a
      // kept transaction's fate is unknown, it is pending (202), as on the first attempt.
      let recovered: Answer | undefined;
      try {
        recovered = await recover(deps, op, validate, input, claim.sent, deadlineOf(req));
      } catch (err) {
        if (!isPending(err)) throw err;
        send(
          res,
          pendingAnswer(
            deps,
            op,
            principal,
            err.txId,
            claim.sent.find((t) => t.txId === err.txId),
          ),
        );
        return;
      }
      if (recovered) {
        if (recovered.durable) store.complete(slot, stored(recovered));
        res.set('Idempotent-Replayed', 'true');
        send(res, recovered);
        return;
      }
    }
    let answer: Answer;
    try {
      answer = await run(ticket, (txId, transaction) => store.sending(slot, txId, transaction));
    } catch (err) {
      const apiError = toApiError(err);
      // A definite refusal is the answer to this key; an unknown outcome (timeout, unreachable) is not,
      // nor is a conflict or a refusal for load (nothing was written: the retry may succeed).
      if (apiError.status < 500 && apiError.status !== 429 && apiError.code !== GatewayCode.MVCC_CONFLICT) {
        store.complete(slot, { status: apiError.status, body: problemOf(apiError) });
      }
      throw err;
    }
    if (answer.durable) store.complete(slot, stored(answer));
    send(res, answer);
  } finally {
    store.release(slot);
    ticket.release();
  }
}

/** The answer to a key that needs no work: its stored answer, or why it cannot run now. */
function answerKnown(
  deps: GatewayDeps,
  validators: DocumentValidators,
  op: Operation,
  res: Response,
  known: Exclude<Claim, { kind: 'new' | 'orphan' }>,
): void {
  switch (known.kind) {
    case 'mismatch':
      throw new ApiError(GatewayCode.IDEMPOTENCY_KEY_REUSED, 'this Idempotency-Key was used for a different request');
    case 'in-progress':
      throw new ApiError(
        GatewayCode.IDEMPOTENCY_IN_PROGRESS,
        'the first request with this Idempotency-Key has not finished',
        {
          headers: { 'Retry-After': '1' },
        },
      );
    case 'replay':
      res.set('Idempotent-Replayed', 'true');
      if (known.response.status >= 400) sendProblem(res, validators.problem, known.response.body);
      else send(res, replayed(deps, op, validators.of(op.id).response, known.response));
      return;
  }
}

type Sending = (txId: string, transaction: Uint8Array) => void;

function send(res: Response, answer: StoredResponse): void {
  for (const [k, v] of Object.entries(answer.headers ?? {})) res.set(k, v);
  res.status(answer.status).json(answer.body);
}

function stored({ durable: _durable, ...response }: Answer): StoredResponse {
  return response;
}

/** The chaincode's answer to a read, through the operation's follow-up hook when it has one. */
async function evaluate(
  deps: GatewayDeps,
  op: Operation,
  principal: Principal,
  input: Record<string, unknown>,
  deadline: number,
): Promise<unknown> {
  const result = await portOf(deps, op).evaluate(principal.identity, call(op, input, deadline));
  const after = HOOKS[op.id]?.after;
  return after ? await after(deps, input, result) : result;
}

/**
 * A body that nothing committed for (a read, a renewal): one that does not match the published document
 * is a bug here, answered 500 with the mismatch in the log and the metric, not in the answer.
 */
function checked(deps: GatewayDeps, op: Operation, validate: ValidateFunction, body: unknown): unknown {
  if (validate(body)) return body;
  responseFailure(deps, op, 'schema', { validation: describeErrors(validate, 'response') });
  throw new ApiError(GatewayCode.INTERNAL, `response of ${op.id} failed its schema`);
}

async function evaluateWrite(
  deps: GatewayDeps,
  op: Operation,
  validate: ValidateFunction,
  principal: Principal,
  input: Record<string, unknown>,
  deadline: number,
): Promise<Answer> {
  const value = await evaluate(deps, op, principal, input, deadline);
  return { status: op.status ?? 200, body: checked(deps, op, validate, value), durable: true };
}

/** Submits the transaction; once it has committed, the answer is a 2xx whatever shaping it then does. */
async function commit(
  deps: GatewayDeps,
  op: Operation,
  validate: ValidateFunction,
  principal: Principal,
  input: Record<string, unknown>,
  deadline: number,
  started: bigint,
  ticket: Ticket,
  sending?: Sending,
): Promise<Answer> {
  const hooks = HOOKS[op.id];
  const undo = await hooks?.before?.(deps, input, { identity: principal.identity, deadline });
  // The last transaction handed to ordering, kept in memory only: written to disk on the 202 path alone.
  let handed: SentTransaction | undefined;
  let outcome: SubmitResult;
  try {
    outcome = await portOf(deps, op).submit(principal.identity, call(op, input, deadline, deps.org.supervisors), {
      beforeOrder: async (txId, transaction) => {
        sending?.(txId, transaction);
        handed = { txId, transaction: Buffer.from(transaction).toString('base64') };
      },
      mayRetry: (attempt) => ticket.mayRetry(attempt),
    });
  } catch (err) {
    // The account queue is released either way (decision 43): a write whose status did not arrive holds
    // no one else up.
    ticket.release();
    if (undo) await undoBefore(deps, op, undo, err);
    if (isPending(err)) return pendingAnswer(deps, op, principal, err.txId, handed);
    throw err;
  }
  // Once its commit status is in, the write's accounts are up to date on this peer: the next write on
  // them may run while this one shapes its answer.
  ticket.release();
  deps.metrics.commit.observe({ operation: op.id }, Number(process.hrtime.bigint() - started) / 1e9);
  if (outcome.attempts > 1) deps.metrics.mvccRetries.inc({ operation: op.id }, outcome.attempts - 1);
  return committedAnswer(deps, op, validate, input, outcome);
}

/**
 * The answer to a committed transaction: `{ txId, blockNumber, result }`. The transaction is on the
 * ledger, so nothing after this may turn the answer into an error, or the client would retry (and, without
 * a key, pay twice) or give up on a write that happened. When the follow-up hook fails or the result does
 * not match the document, the failure is logged and counted, and the answer leaves without `result`, with
 * `Result-Omitted` saying why.
 */
async function committedAnswer(
  deps: GatewayDeps,
  op: Operation,
  validate: ValidateFunction,
  input: Record<string, unknown>,
  tx: { readonly txId: string; readonly blockNumber: string; readonly result: unknown },
): Promise<Answer> {
  const status = op.status ?? 200;
  const bare = { txId: tx.txId, blockNumber: tx.blockNumber };
  let result: unknown;
  try {
    const after = HOOKS[op.id]?.after;
    result = after ? await after(deps, input, tx.result) : tx.result;
  } catch (err) {
    responseFailure(deps, op, 'follow-up', { txId: tx.txId, error: (err as Error)?.name ?? 'Error' });
    return { status, body: bare, headers: { 'Result-Omitted': 'follow-up' }, durable: false };
  }
  const body = { ...bare, result };
  if (validate(body)) return { status, body, durable: true };
  responseFailure(deps, op, 'schema', { txId: tx.txId, validation: describeErrors(validate, 'response') });
  return { status, body: bare, headers: { 'Result-Omitted': 'schema' }, durable: true };
}

/** A stored 2xx, checked again: an answer kept by an older version may not match today's document. */
function replayed(deps: GatewayDeps, op: Operation, validate: ValidateFunction, response: StoredResponse): Answer {
  if (validate(response.body)) return { ...response, durable: true };
  responseFailure(deps, op, 'schema', { validation: describeErrors(validate, 'response'), replay: true });
  const { txId, blockNumber } = response.body as { txId?: unknown; blockNumber?: unknown };
  if (typeof txId === 'string' && typeof blockNumber === 'string')
    return {
      status: response.status,
      body: { txId, blockNumber },
      headers: { 'Result-Omitted': 'schema' },
      durable: true,
    };
  throw new ApiError(GatewayCode.INTERNAL, `stored answer of ${op.id} failed its schema`);
}

/**
 * Logged and counted, never answered: the operation, the stage and what did not match (schema paths and
 * keywords, never values, so no personal data reaches the log).
 */
function responseFailure(
  deps: GatewayDeps,
  op: Operation,
  stage: 'schema' | 'follow-up',
  detail: Record<string, unknown>,
): void {
  deps.metrics.responseFailures.inc({ operation: op.id, stage });
  deps.logger.error('response could not be shaped as documented', { operation: op.id, stage, ...detail });
}

/** A failure that leaves a transaction sent for ordering with its outcome unknown: answered 202. */
function isPending(err: unknown): err is FabricFailure & { readonly txId: string } {
  return err instanceof FabricFailure && err.pending && err.txId !== undefined;
}

/** Where a transaction's status is read: the route in routes/transactions.ts. */
function transactionLocation(txId: string): string {
  return `/v1/transactions/${txId}`;
}

/** Seconds a client waits before asking a pending transaction's status. */
const PENDING_RETRY_AFTER = '2';

/**
 * The answer to a write whose transaction was sent for ordering and whose commit status did not arrive
 * (decision 63): `202 { txId, status: 'PENDING' }`, never a 5xx, since it may have committed. Its sender
 * and envelope are recorded for the status route. Not durable: the 202 is never a key's answer, so a
 * retry with the same Idempotency-Key settles the transaction and answers what became of it.
 */
function pendingAnswer(
  deps: GatewayDeps,
  op: Operation,
  principal: Principal,
  txId: string,
  handed: SentTransaction | undefined,
): Answer {
  deps.metrics.fabricErrors.inc({ class: 'pending', operation: op.id });
  try {
    deps.pending.record({
      txId,
      identity: principal.identity,
      channel: op.channel === 'audit' ? 'audit' : 'market',
      transaction: handed?.txId === txId ? handed.transaction : '',
      acceptedAt: new Date().toISOString(),
    });
  } catch (err) {
    // Still a 202: the transaction may commit whatever this disk does. Its sender can read a committed
    // status through the ledger's record of who signed it; only PENDING is lost to it.
    deps.logger.error('could not record a pending transaction', { operation: op.id, txId, error: (err as Error).name });
  }
  deps.logger.warn('commit status did not arrive; answered 202 PENDING', { operation: op.id, txId });
  return {
    status: 202,
    body: { txId, status: 'PENDING' },
    headers: { Location: transactionLocation(txId), 'Retry-After': PENDING_RETRY_AFTER },
    durable: false,
  };
}

/**
 * Takes back a `before` hook's work (a CA identity, a wallet entry) when its transaction cannot have
 * committed: it never reached ordering, or it was refused at endorsement or committed invalid. A
 * transaction that may still commit (pending: a timeout or lost connection after ordering) keeps it: the
 * account may yet exist, and its holder needs the identity; a retry with the Idempotency-Key settles it.
 */
async function undoBefore(deps: GatewayDeps, op: Operation, undo: Undo, err: unknown) {
  if (isPending(err)) {
    deps.logger.warn('outcome unknown; kept the identity prepared for the transaction', { operation: op.id });
    return;
  }
  try {
    await undo();
  } catch (undoErr) {
    // The refusal stays the answer; what could not be taken back is for an operator to finish.
    deps.logger.error('could not take back the work done before a refused transaction', {
      operation: op.id,
      detail: (undoErr as Error).message,
    });
  }
}

/**
 * A key left behind without an answer (a gateway that died mid-request, or an unknown outcome): its
 * committed transaction, if one is valid, as this operation answers it (read back from the block).
 */
async function recover(
  deps: GatewayDeps,
  op: Operation,
  validate: ValidateFunction,
  input: Record<string, unknown>,
  sent: readonly SentTransaction[],
  deadline: number,
): Promise<Answer | undefined> {
  const found = await settle(portOf(deps, op), sent, deadline, (tx, sentAgain) =>
    deps.logger.info('settled a transaction left without an answer', {
      operation: op.id,
      txId: tx.txId,
      validationCode: tx.validationCode,
      sentAgain,
    }),
  );
  return found && committedAnswer(deps, op, validate, input, found);
}

/** Pages a list result: `?limit=` and an opaque `?cursor=` (an offset into the chaincode's list). */
function paged(op: Operation, value: unknown, req: Request): unknown {
  if (!op.list) return value;
  const limit = Number(req.query.limit ?? PAGE_LIMIT_DEFAULT);
  const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
  const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new ApiError(GatewayCode.INVALID_ARGUMENT, 'query.cursor: not a cursor this gateway issued');
  const page = (all: unknown[]) => {
    const items = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
    return { items, ...(next ? { nextCursor: next } : {}) };
  };
  if (op.list === true) return page(Array.isArray(value) ? value : []);
  const record = value as Record<string, unknown>;
  const { items, nextCursor } = page(Array.isArray(record[op.list]) ? (record[op.list] as unknown[]) : []);
  return { ...record, [op.list]: items, ...(nextCursor ? { nextCursor } : {}) };
}
