import { ErrorCode, MarketError } from '@ecf/common';
import type { z } from 'zod';
import type { MarketContext } from './context';

/** Parses a value with its schema; any problem is INVALID_ARGUMENT naming the field, before any read. */
export function parse<S extends z.ZodTypeAny>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'input';
    throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${where}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** JSON text from an argument, refusing anything that is not a JSON object. */
export function parseJsonArg<S extends z.ZodTypeAny>(schema: S, text: string): z.output<S> {
  return parse(schema, jsonObject(text, 'argument'));
}

/** A JSON object argument, unparsed beyond that (for inputs assembled from several parts). */
export function jsonArg(text: string): Record<string, unknown> {
  return jsonObject(text, 'argument') as Record<string, unknown>;
}

/**
 * The transaction's private input: the `payload` entry of the transient map. Private data never travels
 * in arguments, because arguments are recorded in the block for every channel member to read.
 */
export function transientPayload<S extends z.ZodTypeAny>(ctx: MarketContext, schema: S): z.output<S> {
  const raw = ctx.stub.getTransient().get('payload');
  if (!raw || raw.length === 0) {
    throw new MarketError(
      ErrorCode.INVALID_ARGUMENT,
      'transient data must carry the payload (transient key "payload")',
    );
  }
  return parse(schema, jsonObject(Buffer.from(raw).toString('utf8'), 'transient payload'));
}

/** Whether the transaction carries a private input at all. */
export function hasTransientPayload(ctx: MarketContext): boolean {
  return ctx.stub.getTransient().has('payload');
}

function jsonObject(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${what} is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MarketError(ErrorCode.INVALID_ARGUMENT, `${what} must be a JSON object`);
  }
  return value;
}
