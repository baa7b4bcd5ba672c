import type { ValidateFunction } from 'ajv';
import type { Request, Response } from 'express';
import { describeErrors } from '../openapi';
import { ApiError, GatewayCode } from '../problem';

/** The request's absolute deadline (set by the deadline middleware). */
export function deadlineOf(req: Request): number {
  return (req as Request & { deadline?: number }).deadline ?? Date.now() + 30_000;
}

export function setDeadline(req: Request, deadline: number): void {
  (req as Request & { deadline?: number }).deadline = deadline;
}

/**
 * Sends a success body after checking it against the operation's published response schema. A body
 * that does not match is a bug in this service: the client gets a 500 and the mismatch is logged.
 */
export function sendJson(res: Response, validate: ValidateFunction, status: number, body: unknown): void {
  if (!validate(body)) {
    throw new ApiError(GatewayCode.INTERNAL, `response failed its schema (${describeErrors(validate, 'response')})`);
  }
  res.status(status).json(body);
}

export function sendProblem(res: Response, validate: ValidateFunction, problem: unknown): void {
  if (!validate(problem)) throw new ApiError(GatewayCode.INTERNAL, 'problem failed its schema');
  const status = (problem as { status: number }).status;
  res.status(status).type('application/problem+json').send(JSON.stringify(problem));
}
