import type { z } from 'zod';
import { capTableSchema, capTableStatusSchema, concentrationSchema, positionHistorySchema } from './views';

type JsonSchema = Record<string, unknown>;

const asOfParameters = [
  {
    name: 'block',
    in: 'query',
    required: false,
    description: 'As of this market block (decimal): every change in it and before. Not with `at`.',
    schema: { type: 'string', pattern: '^[0-9]{1,19}$' },
  },
  {
    name: 'at',
    in: 'query',
    required: false,
    description:
      'As of this time: epoch seconds or an ISO 8601 time (the last block at or before it). Not with `block`.',
    schema: { type: 'string', maxLength: 40 },
  },
];
const assetParameter = {
  name: 'assetId',
  in: 'path',
  required: true,
  description: 'The share class (or money token), by its id.',
  schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 64 },
};

/**
 * `/v1/captable/…`: the trustee's cap table views (routes/captable.ts), answered by its cap table service
 * (decision 46). The helpers come from openapi.ts, which imports this module.
 */
export function capTablePaths(
  jsonSchema: (s: z.ZodTypeAny) => JsonSchema,
  problemResponses: (statuses: readonly string[]) => Record<string, unknown>,
): Record<string, Record<string, unknown>> {
  const view = (
    id: string,
    summary: string,
    schema: z.ZodTypeAny | 'csv',
    parameters: JsonSchema[],
    errors: string[] = [],
  ) => ({
    get: {
      operationId: id,
      summary,
      tags: ['Cap table'],
      description: 'Roles: trustee (its own gateway, decision 46). Scope: `read`.',
      security: [{ bearerToken: ['read'] }],
      ...(parameters.length ? { parameters } : {}),
      responses: {
        '200': {
          description: 'Success',
          content:
            schema === 'csv'
              ? { 'text/csv': { schema: { type: 'string', description: 'The register of members as CSV' } } }
              : { 'application/json': { schema: jsonSchema(schema) } },
        },
        ...problemResponses(['401', '403', '405', '429', '500', '503', ...errors].sort()),
      },
    },
  });
  return {
    '/v1/captable/status': view(
      'capTableStatus',
      "The cap table service's progress through the market channel",
      capTableStatusSchema,
      [],
    ),
    '/v1/captable/classes/{assetId}': view(
      'getCapTable',
      "A class's cap table now, or as of a block or a time",
      capTableSchema,
      [assetParameter, ...asOfParameters],
      ['400', '404'],
    ),
    '/v1/captable/classes/{assetId}/concentration': view(
      'getHolderConcentration',
      'How many hold a class and how concentrated its holdings are (now, or as of a block or time)',
      concentrationSchema,
      [assetParameter, ...asOfParameters],
      ['400', '404'],
    ),
    '/v1/captable/classes/{assetId}/register': view(
      'exportRegisterOfMembers',
      "The class's register of members as CSV (now, or as of a block or time)",
      'csv',
      [assetParameter, ...asOfParameters],
      ['400', '404'],
    ),
    '/v1/captable/holders/{accountId}/positions': view(
      'getPositionHistory',
      "A holder's position history: every change of its balances and open-order units",
      positionHistorySchema,
      [
        {
          name: 'accountId',
          in: 'path',
          required: true,
          description: 'The holder, by its account id.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 64 },
        },
        {
          name: 'assetId',
          in: 'query',
          required: false,
          description: 'Only this share class or money token.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 64 },
        },
      ],
      ['400'],
    ),
  };
}
