import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { isWrite, OPERATIONS, type Operation } from './operations';
import { acceptedWriteSchema, transactionStatusSchema } from '@ecf/common';
import { networkHealthSchema } from './audit/network-health';
import { capTablePaths } from './captable/openapi';
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

const RETRY_AFTER_HEADER = {
  description: 'Seconds to wait before sending the request again (RFC 9110).',
  schema: { type: 'string', pattern: '^[0-9]+$' },
};

const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: 'A URI naming the kind of problem (RFC 9457); one per `code`.' },
    title: { type: 'string', description: 'A short, fixed summary of the kind of problem.' },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status, repeated.' },
    detail: { type: 'string', description: 'What went wrong with this request, in words (never a stack trace).' },
    code: {
      type: 'string',
      description:
        'The stable error code to branch on: INVALID_ARGUMENT, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, COMPLIANCE, TIMEOUT, OVERLOADED, ACCOUNT_BUSY…',
    },
    reason: {
      type: 'string',
      description:
        'A finer code where there is one: the compliance rule that refused (e.g. INVESTMENT_CAP_EXCEEDED), or TOKEN_EXPIRED.',
    },
    txId: {
      type: 'string',
      description: 'The Fabric transaction id (64 hex digits), only when the transaction reached the ledger.',
    },
    instance: { type: 'string', description: 'The request path the problem is about.' },
  },
  additionalProperties: false,
};

/** A page position: the offset into the list, base64url; clients pass `nextCursor` back unchanged. */
const CURSOR: JsonSchema = {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]{1,32}$',
  description: 'Opaque: the `nextCursor` of the previous page, passed back unchanged (1-32 base64url characters).',
};

/** The 2xx body of an operation: the result, paged when a list, wrapped with the transaction when a submit. */
export function responseSchemaOf(op: Operation): JsonSchema {
  let result = jsonSchema(op.result);
  if (op.list === true) {
    result = {
      type: 'object',
      required: ['items'],
      properties: {
        items: { type: 'array', items: result, description: 'This page of the list, in ledger key order.' },
        nextCursor: { ...CURSOR, description: 'Pass as `cursor` for the next page; absent on the last page.' },
      },
      additionalProperties: false,
    };
  } else if (typeof op.list === 'string') {
    const props = (result.properties ?? {}) as Record<string, JsonSchema>;
    result = {
      ...result,
      properties: {
        ...props,
        nextCursor: { ...CURSOR, description: 'Pass as `cursor` for the next page; absent on the last page.' },
      },
    };
  }
  if (op.mode === 'evaluate') return result;
  return {
    type: 'object',
    required: ['txId', 'blockNumber'],
    properties: {
      txId: {
        type: 'string',
        pattern: '^[0-9a-f]{64}$',
        description: 'The Fabric transaction id of the committed write (64 hex digits).',
      },
      blockNumber: {
        type: 'string',
        pattern: '^[0-9]+$',
        description: 'The block that holds the transaction, as a decimal string.',
      },
      result: {
        ...result,
        description:
          'What the chaincode returned. Absent only when the gateway could not shape it after the commit (see the `Result-Omitted` header); the transaction is committed either way.',
      },
    },
    additionalProperties: false,
  };
}

/** The schema of one named field of an operation's input, for its query parameter. */
function fieldSchema(op: Operation, name: string): JsonSchema | undefined {
  let field: z.ZodTypeAny | undefined = op.input && objectOf(op.input)?.shape[name];
  while (field instanceof z.ZodOptional || field instanceof z.ZodDefault)
    field = field instanceof z.ZodOptional ? field.unwrap() : field.removeDefault();
  return field && jsonSchema(field);
}

function queryParameters(op: Operation): JsonSchema[] {
  const params: JsonSchema[] = (op.query ?? []).map((name) => ({
    name,
    in: 'query',
    required: false,
    description:
      name === 'accountId'
        ? 'The account, for operator and trustee credentials; a customer credential implies its own.'
        : ((fieldSchema(op, name)?.description as string | undefined) ?? `Filter by ${name}.`),
    schema: fieldSchema(op, name) ?? { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', maxLength: 64 },
  }));
  if (op.list) {
    params.push(
      {
        name: 'limit',
        in: 'query',
        required: false,
        description: `The most items on this page (1-${PAGE_LIMIT_MAX}, default ${PAGE_LIMIT_DEFAULT}).`,
        schema: { type: 'integer', minimum: 1, maximum: PAGE_LIMIT_MAX, default: PAGE_LIMIT_DEFAULT },
      },
      { name: 'cursor', in: 'query', required: false, description: CURSOR.description, schema: CURSOR },
    );
  }
  return params;
}

/** What each error status means here; a route documents only the statuses it can answer. */
const ERROR_TEXT: Record<string, string> = {
  '400': 'INVALID_ARGUMENT: the request does not match this document, or the chaincode refused an argument',
  '401': 'UNAUTHENTICATED: no credential, or one this gateway does not accept',
  '403': "FORBIDDEN: the credential's role or scope, or the chaincode's authorization",
  '404': 'NOT_FOUND: a record the request names does not exist',
  '405': 'METHOD_NOT_ALLOWED: the path exists, not with this method (see `Allow`)',
  '409':
    'CONFLICT (the state forbids it), MVCC_CONFLICT (concurrent updates, after retries) or IDEMPOTENCY_IN_PROGRESS (the first request with this key is still running)',
  '413': 'PAYLOAD_TOO_LARGE: the body is over the limit',
  '415':
    'UNSUPPORTED_MEDIA_TYPE: a Content-Encoding other than one of identity, gzip, deflate, br; a body that is not application/json; a charset other than UTF-8',
  '422':
    'COMPLIANCE (a compliance rule refused it; see `reason`), TRANSACTION_INVALID (committed invalid; `txId` names it) or IDEMPOTENCY_KEY_REUSED (this Idempotency-Key was used with another request)',
  '429': 'RATE_LIMITED: over the per-credential budget (see `Retry-After`)',
  '500': 'INTERNAL: a fault in the gateway; the detail is logged, never returned',
  '503': 'UNAVAILABLE: the peer, ordering or CA could not be reached',
  '504': 'TIMEOUT: Fabric did not answer before the deadline',
};

/**
 * The error statuses an operation can answer: every `/v1` route can refuse a credential, a rate, a
 * malformed parameter or a method, and fail inside; only writes conflict or are refused by compliance;
 * only methods with a body (POST, PUT) read one, so only they answer 413 and 415.
 */
export function errorStatusesOf(op: Operation): string[] {
  const statuses = ['400', '401', '403', '405', '429', '500', '503', '504'];
  if (op.via !== 'none' || Object.keys(op.params).length > 0) statuses.push('404');
  if (isWrite(op)) statuses.push('409', '422');
  if (op.method === 'post' || op.method === 'put') statuses.push('413', '415');
  return statuses.sort();
}

/**
 * What 429 and 503 add on a write: admission control (decision 43) refuses before anything is sent, so
 * the same request with the same Idempotency-Key is safe to send again after `Retry-After`.
 */
const WRITE_ERROR_TEXT: Record<string, string> = {
  '429':
    'RATE_LIMITED: over the per-credential budget; or ACCOUNT_BUSY: an account this write names already has as many writes pending as the gateway allows. Nothing was sent: retry after `Retry-After` seconds with the same Idempotency-Key',
  '503':
    "UNAVAILABLE: the peer, ordering or CA could not be reached; or OVERLOADED: the gateway's write queue is full, or the deadline came while earlier writes on the same accounts ran. OVERLOADED sent nothing: retry after `Retry-After` seconds with the same Idempotency-Key",
  '504':
    'TIMEOUT: the deadline passed before the transaction was sent for ordering (at endorsement, or while retrying a conflict): nothing was written and nothing can commit later; retry with the same Idempotency-Key. A transaction that was sent answers 202 instead',
};

/** A submitting write's 202 (decision 63): sent for ordering, its commit status not in by the deadline. */
const ACCEPTED_RESPONSE = {
  description:
    'Accepted: the transaction was sent for ordering and its commit status did not arrive before the deadline (or the wait for it failed), so it may have committed, or still may. It commits at most once. Follow it at `Location` (`GET /v1/transactions/{txId}`), or send the request again with the same Idempotency-Key, which answers what became of it (the committed answer, exactly once). Never the final answer to an Idempotency-Key.',
  content: { 'application/json': { schema: jsonSchema(acceptedWriteSchema) } },
  headers: {
    Location: {
      description: "The transaction's status resource: `/v1/transactions/{txId}`.",
      schema: { type: 'string', pattern: '^/v1/transactions/[0-9a-f]{64}$' },
    },
    'Retry-After': RETRY_AFTER_HEADER,
  },
};

function problemResponses(statuses: readonly string[], write = false): Record<string, unknown> {
  return Object.fromEntries(
    statuses.map((s) => {
      const retryAfter = s === '429' || (write && s === '503');
      return [
        s,
        {
          description: (write ? WRITE_ERROR_TEXT[s] : undefined) ?? ERROR_TEXT[s] ?? 'Problem',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          ...(s === '405' ? { headers: { Allow: ALLOW_HEADER } } : {}),
          ...(retryAfter ? { headers: { 'Retry-After': RETRY_AFTER_HEADER } } : {}),
        },
      ];
    }),
  );
}

const ALLOW_HEADER = {
  description: 'The methods this path accepts, comma-separated (RFC 9110).',
  schema: { type: 'string' },
};

/** An SSE stream: each event an object (`id`, `event`, and `data` a JSON object), as the gateway sends them. */
const EVENT_STREAM: JsonSchema = {
  type: 'array',
  description:
    'Server-Sent Events. Each event is `id: <block>:<txId>`, `event: <name>`, `data: <JSON object>`; comment lines keep the connection alive. A stream that fails ends with `event: error` and `data: {"code":"UNAVAILABLE"}`.',
  items: {
    type: 'object',
    required: ['id', 'event', 'data'],
    properties: {
      id: {
        type: 'string',
        pattern: '^[0-9]{1,19}:[0-9a-f]{64}$',
        description: '`<block>:<txId>`: pass back as `Last-Event-ID` (or `?after=`) to resume after this event.',
      },
      event: {
        type: 'string',
        description: 'The chaincode event name, e.g. CampaignSettlement; `error` ends a stream.',
      },
      data: {
        type: 'object',
        description: 'The event, as JSON.',
        required: ['blockNumber', 'txId', 'event'],
        properties: {
          blockNumber: {
            type: 'string',
            pattern: '^[0-9]+$',
            description: 'The block that holds the transaction, as a decimal string.',
          },
          txId: {
            type: 'string',
            pattern: '^[0-9a-f]{64}$',
            description: 'The transaction that emitted the event (64 hex digits).',
          },
          event: { type: 'object', description: 'The chaincode event payload, as this org may see it.' },
        },
      },
    },
  },
};

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
        isWrite(op) ? ' Accepts an `Idempotency-Key` header.' : ''
      }`,
      security: [{ bearerToken: [op.scope] }],
      parameters: [
        ...Object.entries(op.params).map(([name, schema]) => {
          const published = jsonSchema(schema);
          // The path parameter is a field of the input: its description is the field's, unless it has its own.
          const description = published.description ?? fieldSchema(op, name)?.description;
          return { name, in: 'path', required: true, ...(description ? { description } : {}), schema: published };
        }),
        ...queryParameters(op),
        ...(isWrite(op)
          ? [
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                description:
                  'Runs the write at most once: a retry with the same key and request gets the first answer (`Idempotent-Replayed: true`); the same key with another request gets 422 IDEMPOTENCY_KEY_REUSED; while the first still runs, 409.',
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
          ...(op.mode === 'submit'
            ? {
                headers: {
                  'Result-Omitted': {
                    description:
                      'Set when the transaction committed but its result could not be shaped as documented: `schema` (it did not match) or `follow-up` (work after the commit failed; a retry with the same Idempotency-Key runs it again). The answer then has no `result`.',
                    schema: { enum: ['schema', 'follow-up'] },
                  },
                },
              }
            : {}),
        },
        ...(op.mode === 'submit' ? { '202': ACCEPTED_RESPONSE } : {}),
        ...problemResponses(errorStatusesOf(op), isWrite(op)),
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
        {
          name: 'fromBlock',
          in: 'query',
          required: false,
          description: 'Replay from this block number (decimal) before streaming live events.',
          schema: { type: 'string', pattern: '^[0-9]{1,19}$' },
        },
        {
          name: 'after',
          in: 'query',
          required: false,
          description: 'Resume after this event: the `id` (`<block>:<txId>`) of the last event received.',
          schema: { type: 'string', pattern: '^[0-9]{1,19}:[0-9a-f]{64}$' },
        },
        {
          name: 'Last-Event-ID',
          in: 'header',
          required: false,
          description: 'Sent by an EventSource when it reconnects: the `id` of the last event received; as `after`.',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': { description: 'An event stream', content: { 'text/event-stream': { schema: EVENT_STREAM } } },
        ...problemResponses(['400', '401', '403', '405', '429', '500', '503']),
      },
    },
  };
  const regulatorView = (
    id: string,
    summary: string,
    schema: z.ZodTypeAny,
    extra: { parameters?: JsonSchema[]; errors?: string[]; csv?: true } = {},
  ) => ({
    get: {
      operationId: id,
      summary,
      tags: ['Audit'],
      description: 'Roles: regulator. Scope: `read`.',
      security: [{ bearerToken: ['read'] }],
      ...(extra.parameters ? { parameters: extra.parameters } : {}),
      responses: {
        '200': {
          description: 'Success',
          content: {
            'application/json': { schema: jsonSchema(schema) },
            ...(extra.csv ? { 'text/csv': { schema: { type: 'string', description: 'The same report as CSV' } } } : {}),
          },
        },
        ...problemResponses(['401', '403', '405', '429', '500', '503', '504', ...(extra.errors ?? [])].sort()),
      },
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
    {
      parameters: [
        {
          name: 'format',
          in: 'query',
          required: false,
          description: '`json` (default) or `csv`; the `Accept` header may ask for text/csv too.',
          schema: { enum: ['json', 'csv'] },
        },
      ],
      errors: ['400'],
      csv: true,
    },
  );
  paths['/v1/audit/transactions/{txId}'] = regulatorView(
    'auditTransaction',
    'Drill down into a market transaction: block, validity, creator, function, public arguments, event',
    transactionViewSchema,
    {
      parameters: [
        {
          name: 'txId',
          in: 'path',
          required: true,
          description: 'The market transaction to examine: its Fabric transaction id (64 hex digits).',
          schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        },
      ],
      errors: ['400', '404'],
    },
  );
  paths['/v1/audit/status'] = regulatorView(
    'relayStatus',
    "The audit relay's progress through the market channel",
    relayStatusSchema,
  );
  paths['/v1/audit/network'] = regulatorView(
    'networkHealth',
    "Network health from the monitoring: each node's state and block heights, and the active alerts",
    networkHealthSchema,
  );
  paths['/v1/audit/events'] = {
    get: {
      operationId: 'streamAuditEvents',
      summary: 'Server-Sent Events: filings on the audit channel as they commit (an org sees those naming it)',
      tags: ['Audit'],
      security: [{ bearerToken: ['events'] }],
      responses: {
        '200': { description: 'An event stream', content: { 'text/event-stream': { schema: EVENT_STREAM } } },
        ...problemResponses(['400', '401', '403', '405', '429', '500', '503']),
      },
    },
  };
  paths['/v1/transactions/{txId}'] = transactionStatusPath();
  Object.assign(paths, customerTokenPaths());
  Object.assign(
    paths,
    capTablePaths(jsonSchema, (statuses) => problemResponses(statuses)),
  );
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
        responses: {
          '200': { description: 'OK' },
          ...problemResponses(path === '/readyz' ? ['405', '503'] : ['405']),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `ECF market gateway (${info.org})`,
      version: info.version,
      description:
        'The REST service an org runs to use the market network. Amounts are decimal strings of the smallest unit, from 1 to 9223372036854775807 (2^63-1). Lists are paged with `limit` and an opaque `cursor`. Errors are RFC 9457 problem details; a problem carries `txId` only for a transaction that reached the ledger. Request bodies are JSON in UTF-8, uncompressed or with one of gzip, deflate, br.',
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

/** `/v1/transactions/{txId}`: the outcome of a transaction the caller sent (routes/transactions.ts). */
function transactionStatusPath(): Record<string, unknown> {
  return {
    get: {
      operationId: 'transactionStatus',
      summary: 'The outcome of a transaction the caller sent: committed, invalid or still pending',
      tags: ['Transactions'],
      description:
        "Roles: any. Scope: `read`. Read on this org's peer. Only the transaction's sender may read it (the wallet identity that signed it: any of its tokens), and the org's staff with the `identities` scope, for a transaction this gateway answered 202 for or this org signed; anyone else gets 404, as for an id that does not exist. The answer is the outcome only: status, block number and validation code, never what the transaction carried. While a transaction answered 202 is not in a block, it is PENDING, and the gateway sends it for ordering again in the background (Fabric commits an id at most once), so that it becomes COMMITTED or INVALID instead of staying unknown.",
      security: [{ bearerToken: ['read'] }],
      parameters: [
        {
          name: 'txId',
          in: 'path',
          required: true,
          description: 'The transaction id a write answered (64 hex digits), e.g. from a 202 `Location`.',
          schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        },
      ],
      responses: {
        '200': {
          description: 'The outcome. While PENDING, `Retry-After` says when to ask again.',
          content: { 'application/json': { schema: jsonSchema(transactionStatusSchema) } },
          headers: { 'Retry-After': RETRY_AFTER_HEADER },
        },
        ...problemResponses(['400', '401', '403', '404', '405', '429', '500', '503', '504']),
        '404': {
          description:
            'NOT_FOUND: no transaction with this id that the caller may read: unknown here, or sent by someone else (the two are not told apart)',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    },
  };
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
    '405': 'METHOD_NOT_ALLOWED: the path exists, not with this method (see `Allow`).',
    '429': 'RATE_LIMITED: too many requests for this credential (see `Retry-After`).',
    '500': 'INTERNAL: an unexpected error; its detail is in the gateway log.',
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
            '413': 'PAYLOAD_TOO_LARGE: the body is over the limit.',
            '415': 'UNSUPPORTED_MEDIA_TYPE: the body is not JSON in UTF-8, or its encoding is not supported.',
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
