import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { OPERATIONS, type Operation } from './operations';
import { relayStatusSchema, transactionViewSchema, transparencySchema, verificationSchema } from './audit/reports';
import {
  CUSTOMER_TOKEN_DAYS_DEFAULT,
  CUSTOMER_TOKEN_DAYS_MAX,
  customerTokenListSchema,
  issueCustomerTokenSchema,
  issuedCustomerTokenSchema,
} from './auth/customer-tokens';

/**
 * The OpenAPI 3.1 document, generated from the operations table and the shared zod schemas, and the
 * validators compiled from it: requests are checked against the document before anything else runs,
 * and responses before they leave.
 */
type JsonSchema = Record<string, unknown>;

export const PAGE_LIMIT_MAX = 200;
export const PAGE_LIMIT_DEFAULT = 50;

export function jsonSchema(schema: z.ZodTypeAny): JsonSchema {
  const out = zodToJsonSchema(schema, { $refStrategy: 'none', target: 'jsonSchema2019-09' }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** The object schema under refinements (`.refine` wraps it in ZodEffects). */
function objectOf(schema: z.ZodTypeAny): z.AnyZodObject | undefined {
  let s: z.ZodTypeAny = schema;
  while (s instanceof z.ZodEffects) s = s.innerType();
  return s instanceof z.ZodObject ? s : undefined;
}

/** What the client sends in the body: the input minus path parameters, query fields and generated fields. */
export function bodySchemaOf(op: Operation): z.ZodTypeAny | undefined {
  if (!op.input || op.method === 'get' || op.method === 'delete') return undefined;
  const obj = objectOf(op.input);
  if (!obj) return op.input;
  const omit = Object.fromEntries(
    [...Object.keys(op.params), ...(op.query ?? []), ...(op.generated ?? [])].map((k) => [k, true as const]),
  );
  let body: z.AnyZodObject = obj.omit(omit);
  if (op.acting && op.acting in body.shape) body = body.partial({ [op.acting]: true });
  return body;
}

const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string' },
    reason: { type: 'string' },
    txId: { type: 'string' },
    instance: { type: 'string' },
  },
  additionalProperties: false,
};

/** The 2xx body of an operation: the result, paged when a list, wrapped with the transaction when a submit. */
export function responseSchemaOf(op: Operation): JsonSchema {
  let result = jsonSchema(op.result);
  if (op.list === true) {
    result = {
      type: 'object',
      required: ['items'],
      properties: { items: { type: 'array', items: result }, nextCursor: { type: 'string' } },
      additionalProperties: false,
    };
  } else if (typeof op.list === 'string') {
    const props = (result.properties ?? {}) as Record<string, JsonSchema>;
    result = { ...result, properties: { ...props, nextCursor: { type: 'string' } } };
  }
  if (op.mode === 'evaluate') return result;
  return {
    type: 'object',
    required: ['txId', 'blockNumber', 'result'],
    properties: {
      txId: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      blockNumber: { type: 'string', pattern: '^[0-9]+$' },
      result,
    },
    additionalProperties: false,
  };
}

function queryParameters(op: Operation): JsonSchema[] {
  const params: JsonSchema[] = (op.query ?? []).map((name) => ({
    name,
    in: 'query',
    required: false,
    description:
      name === 'accountId'
        ? 'The account, for operator and trustee credentials; a customer credential implies its own.'
        : `Filter by ${name}.`,
    schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 64 },
  }));
  if (op.list) {
    params.push(
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: { type: 'integer', minimum: 1, maximum: PAGE_LIMIT_MAX, default: PAGE_LIMIT_DEFAULT },
      },
      { name: 'cursor', in: 'query', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' } },
    );
  }
  return params;
}

const ERROR_STATUSES = ['400', '401', '403', '404', '409', '413', '422', '429', '500', '503', '504'];

export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

export function buildDocument(info: { org: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const body = bodySchemaOf(op);
    const entry: Record<string, unknown> = {
      operationId: op.id,
      summary: op.summary,
      tags: [op.tag],
      description: `Roles: ${op.roles.join(', ')}. Scope: \`${op.scope}\`. Chaincode: \`${op.fn}\` (${op.mode}).${
        op.method !== 'get' ? ' Accepts an `Idempotency-Key` header.' : ''
      }`,
      security: [{ bearerToken: [op.scope] }],
      parameters: [
        ...Object.entries(op.params).map(([name, schema]) => ({
          name,
          in: 'path',
          required: true,
          schema: jsonSchema(schema),
        })),
        ...queryParameters(op),
        ...(op.method !== 'get'
          ? [
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                schema: { type: 'string', minLength: 1, maxLength: 200 },
              },
            ]
          : []),
      ],
      ...(body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(body) } } } }
        : {}),
      responses: {
        [String(op.status ?? 200)]: {
          description: 'Success',
          content: { 'application/json': { schema: responseSchemaOf(op) } },
        },
        ...Object.fromEntries(
          ERROR_STATUSES.map((s) => [
            s,
            {
              description: 'Problem',
              content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
            },
          ]),
        ),
      },
    };
    (paths[openApiPath(op.path)] ??= {})[op.method] = entry;
  }
  paths['/v1/events'] = {
    get: {
      operationId: 'streamEvents',
      summary: "Server-Sent Events: the org's view of the market's chaincode events, resumable",
      tags: ['Events'],
      description:
        'Each event has `id: <block>:<txId>`. Reconnect with `Last-Event-ID` (or `?after=`) to resume after it; `?fromBlock=` replays from a block.',
      security: [{ bearerToken: ['events'] }],
      parameters: [
        { name: 'fromBlock', in: 'query', required: false, schema: { type: 'string', pattern: '^[0-9]{1,19}$' } },
        {
          name: 'after',
          in: 'query',
          required: false,
          schema: { type: 'string', pattern: '^[0-9]{1,19}:[0-9a-f]{64}$' },
        },
        { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
      },
    },
  };
  const regulatorView = (id: string, summary: string, schema: z.ZodTypeAny, extra: Record<string, unknown> = {}) => ({
    get: {
      operationId: id,
      summary,
      tags: ['Audit'],
      description: 'Roles: regulator. Scope: `read`.',
      security: [{ bearerToken: ['read'] }],
      responses: {
        '200': { description: 'Success', content: { 'application/json': { schema: jsonSchema(schema) } } },
        ...Object.fromEntries(
          ['401', '403', '404', '503', '504'].map((s) => [
            s,
            {
              description: 'Problem',
              content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
            },
          ]),
        ),
      },
      ...extra,
    },
  });
  paths['/v1/audit/verification'] = regulatorView(
    'verifyMarket',
    "Recompute the hash of every checkpointed market block on the regulator's peer and compare",
    verificationSchema,
  );
  paths['/v1/audit/transparency'] = regulatorView(
    'transparencyReport',
    'Volumes, participant concentration, open campaigns and uptime (`?format=csv` for CSV)',
    transparencySchema,
    { parameters: [{ name: 'format', in: 'query', required: false, schema: { enum: ['json', 'csv'] } }] },
  );
  paths['/v1/audit/transactions/{txId}'] = regulatorView(
    'auditTransaction',
    'Drill down into a market transaction: block, validity, creator, function, public arguments, event',
    transactionViewSchema,
    {
      parameters: [{ name: 'txId', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } }],
    },
  );
  paths['/v1/audit/status'] = regulatorView(
    'relayStatus',
    "The audit relay's progress through the market channel",
    relayStatusSchema,
  );
  paths['/v1/audit/events'] = {
    get: {
      operationId: 'streamAuditEvents',
      summary: 'Server-Sent Events: filings on the audit channel as they commit (an org sees those naming it)',
      tags: ['Audit'],
      security: [{ bearerToken: ['events'] }],
      responses: {
        '200': { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
      },
    },
  };
  Object.assign(paths, customerTokenPaths());
  for (const [path, summary] of [
    ['/dashboard', "The regulator's supervision dashboard (a web page)"],
    ['/healthz', 'Liveness: the process is serving'],
    ['/readyz', "Readiness: the org's peer and CA answer"],
    ['/metrics', 'Prometheus metrics'],
  ] as const) {
    paths[path] = {
      get: {
        operationId: path.slice(1),
        summary,
        tags: ['Operations'],
        security: [],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `ECF market gateway (${info.org})`,
      version: info.version,
      description:
        'The REST service an org runs to use the market network. Amounts are decimal strings of the smallest unit. Errors are RFC 9457 problem details.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: '/' }],
    security: [{ bearerToken: [] }],
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token from `gateway-api token create`.' },
      },
      schemas: { Problem: problemSchema },
    },
    paths,
  };
}

/** Problem responses by status, each with what it means on that route. */
function problems(meanings: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(meanings).map(([status, description]) => [
      status,
      { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
    ]),
  );
}

/** `/v1/accounts/{accountId}/tokens`: an operator's customers' API tokens (routes/customer-tokens.ts). */
function customerTokenPaths(): Record<string, Record<string, unknown>> {
  const accountId = {
    name: 'accountId',
    in: 'path',
    required: true,
    description: "The customer's account: one this operator onboarded.",
    schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', minLength: 1, maxLength: 64 },
  };
  const who =
    "Roles: operator. Scope: `identities`. The account must be one of the calling operator's customers: the gateway reads it from the chain as the operator (`Accounts:GetAccount`), which refuses another operator's customer with 403.";
  const common = {
    '401': 'No credential, an unknown or revoked one, or an expired one (`reason: TOKEN_EXPIRED`).',
    '403': "Not an operator credential with the `identities` scope, or another operator's customer.",
    '404': 'No such account.',
    '503': 'The network could not be reached.',
    '504': 'The chain did not answer in time.',
  };
  return {
    '/v1/accounts/{accountId}/tokens': {
      post: {
        operationId: 'issueCustomerToken',
        summary: "Issue an API token bound to a customer's identity",
        tags: ['Credentials'],
        description: `${who} The token signs as the account's wallet identity (\`acct-<accountId>\`) with the account's role (investor or issuer), and acts only for that account. Scopes are \`read\` and \`write\` (a customer has no \`events\` or \`identities\`). Every token expires: after ${CUSTOMER_TOKEN_DAYS_DEFAULT} days unless \`expiresInDays\` says otherwise (at most ${CUSTOMER_TOKEN_DAYS_MAX}). The secret is in this answer only; the gateway stores its SHA-256 hash. Not idempotent: a retried request issues a second token (list and revoke the one whose answer was lost).`,
        security: [{ bearerToken: ['identities'] }],
        parameters: [accountId],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: jsonSchema(issueCustomerTokenSchema) } },
        },
        responses: {
          '201': {
            description: 'Issued. `token` is the bearer secret, shown this once.',
            content: { 'application/json': { schema: jsonSchema(issuedCustomerTokenSchema) } },
          },
          ...problems({
            '400': 'The body is not a valid request (unknown field, scope, or expiry out of range).',
            ...common,
            '409': 'The account is offboarded, or this gateway holds no identity for it.',
          }),
        },
      },
      get: {
        operationId: 'listCustomerTokens',
        summary: "List the API tokens bound to a customer's identity (never their secrets)",
        tags: ['Credentials'],
        description: `${who} Expired tokens stay listed, with \`expired: true\`, until revoked.`,
        security: [{ bearerToken: ['identities'] }],
        parameters: [accountId],
        responses: {
          '200': {
            description: 'The tokens',
            content: { 'application/json': { schema: jsonSchema(customerTokenListSchema) } },
          },
          ...problems({ '400': 'The account id is not valid.', ...common }),
        },
      },
    },
    '/v1/accounts/{accountId}/tokens/{tokenId}': {
      delete: {
        operationId: 'revokeCustomerToken',
        summary: "Revoke one of a customer's API tokens",
        tags: ['Credentials'],
        description: `${who} The token stops working at once. Offboarding an account revokes all its tokens by itself.`,
        security: [{ bearerToken: ['identities'] }],
        parameters: [
          accountId,
          {
            name: 'tokenId',
            in: 'path',
            required: true,
            description: 'The token id from the issue answer or the list.',
            schema: { type: 'string', pattern: '^[0-9a-f]{12}$' },
          },
        ],
        responses: {
          '204': { description: 'Revoked' },
          ...problems({
            '400': 'The account or token id is not valid.',
            ...common,
            '404': 'No such account, or the account has no token with this id.',
          }),
        },
      },
    },
  };
}

export interface OperationValidators {
  body?: ValidateFunction;
  params: ValidateFunction;
  query: ValidateFunction;
  response: ValidateFunction;
}

/** Validators compiled from the document itself, so what is enforced is exactly what is published. */
export class DocumentValidators {
  private readonly byOperation = new Map<string, OperationValidators>();
  readonly problem: ValidateFunction;

  constructor(doc: JsonSchema) {
    const strict = new Ajv2020({ allErrors: false, strict: false });
    const coercing = new Ajv2020({ allErrors: false, strict: false, coerceTypes: true, useDefaults: true });
    addFormats(strict);
    addFormats(coercing);
    this.problem = strict.compile(problemSchema);
    const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
    for (const methods of Object.values(paths)) {
      for (const entry of Object.values(methods)) {
        const id = entry.operationId as string;
        const parameters = (entry.parameters ?? []) as Array<{
          name: string;
          in: string;
          required: boolean;
          schema: JsonSchema;
        }>;
        const group = (where: string) => ({
          type: 'object',
          properties: Object.fromEntries(parameters.filter((p) => p.in === where).map((p) => [p.name, p.schema])),
          required: parameters.filter((p) => p.in === where && p.required).map((p) => p.name),
          additionalProperties: where === 'path',
        });
        const content = (entry.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)
          ?.content;
        const responses = entry.responses as Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
        const ok = Object.entries(responses).find(([s]) => s.startsWith('2'))?.[1].content?.['application/json']
          ?.schema;
        this.byOperation.set(id, {
          ...(content ? { body: strict.compile(content['application/json']?.schema ?? {}) } : {}),
          params: coercing.compile(group('path')),
          query: coercing.compile(group('query')),
          response: strict.compile(ok ?? {}),
        });
      }
    }
  }

  of(operationId: string): OperationValidators {
    const v = this.byOperation.get(operationId);
    if (!v) throw new Error(`no validators for ${operationId}`);
    return v;
  }
}

/** First validation error as "where: what", for a problem's detail. */
export function describeErrors(validate: ValidateFunction, where: string): string {
  const e = validate.errors?.[0];
  if (!e) return `${where} is invalid`;
  const path = `${where}${e.instancePath.replace(/\//g, '.')}`;
  if (e.keyword === 'additionalProperties') return `${path}: unknown field ${String(e.params.additionalProperty)}`;
  if (e.keyword === 'required') return `${path}: ${String(e.params.missingProperty)} is required`;
  return `${path}: ${e.message ?? 'invalid'}`;
}
