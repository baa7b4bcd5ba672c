import { expect } from 'chai';
import { buildDocument, DocumentValidators, jsonSchema } from './openapi';
import { isWrite, OPERATIONS } from './operations';
import { amountSchema } from '@ecf/common';
import Ajv2020 from 'ajv/dist/2020';

type Entry = {
  operationId: string;
  parameters?: Array<{ name: string; in: string; schema: Record<string, unknown> }>;
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
};

const doc = buildDocument({ org: 'OperatorA', version: '0.0.0-test' });
const entries = Object.entries(doc.paths as Record<string, Record<string, Entry>>).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, entry]) => ({ path, method, entry })),
);
const errorsOf = (entry: Entry) => Object.keys(entry.responses).filter((s) => Number(s) >= 400);

/**
 * What a route can plausibly answer, written out independently of the generator: no route without a body
 * can be over the limit or in the wrong encoding, and only writes conflict or are refused by compliance.
 */
const PLAUSIBLE: Record<string, readonly string[]> = {
  get: ['400', '401', '403', '404', '405', '429', '500', '503', '504'],
  delete: ['400', '401', '403', '404', '405', '409', '422', '429', '500', '503', '504'],
  post: ['400', '401', '403', '404', '405', '409', '413', '415', '422', '429', '500', '503', '504'],
  put: ['400', '401', '403', '404', '405', '409', '413', '415', '422', '429', '500', '503', '504'],
};

describe('OpenAPI document truthfulness', () => {
  it('documents on each route only error statuses it can answer', () => {
    for (const { path, method, entry } of entries) {
      expect(PLAUSIBLE[method], `${method} ${path}`).to.not.equal(undefined);
      for (const status of errorsOf(entry))
        expect(PLAUSIBLE[method], `${method.toUpperCase()} ${path} documents ${status}`).to.include(status);
    }
  });

  it('documents the statuses each route does answer', () => {
    for (const { path, method, entry } of entries) {
      const errors = errorsOf(entry);
      expect(errors, `${path}: 405`).to.include('405');
      if (!path.startsWith('/v1/')) continue;
      for (const s of ['401', '403', '429', '500']) expect(errors, `${method} ${path}: ${s}`).to.include(s);
      if (method === 'post' || method === 'put') for (const s of ['413', '415']) expect(errors, path).to.include(s);
    }
    const at = (path: string) => errorsOf((doc.paths as Record<string, Record<string, Entry>>)[path]!.get!);
    expect(at('/v1/events')).to.include.members(['400', '403']);
    expect(at('/v1/audit/events')).to.include.members(['401', '403']);
    expect(at('/v1/audit/transactions/{txId}')).to.include.members(['400', '404']);
  });

  it('documents admission control on every write: OVERLOADED (503) and ACCOUNT_BUSY (429), each with Retry-After', () => {
    type Answer = { description: string; headers?: Record<string, unknown> };
    const paths = doc.paths as Record<string, Record<string, { responses: Record<string, Answer> }>>;
    const writes = OPERATIONS.filter(isWrite);
    expect(writes.length).to.be.greaterThan(20);
    for (const op of writes) {
      const path = op.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const responses = paths[path]![op.method]!.responses;
      expect(responses['503']!.description, `${op.id} 503`).to.contain('OVERLOADED');
      expect(responses['429']!.description, `${op.id} 429`).to.contain('ACCOUNT_BUSY');
      for (const s of ['503', '429']) expect(responses[s]!.headers, `${op.id} ${s}`).to.have.key('Retry-After');
    }
    const read = paths['/v1/participants']!.get!.responses;
    expect(read['503']!.description, 'a read is never queued').not.to.contain('OVERLOADED');
  });

  it('documents 202 PENDING on every write that sends a transaction, with Location and Retry-After (decision 63)', () => {
    type Answer = { description: string; headers?: Record<string, unknown>; content?: Record<string, unknown> };
    const paths = doc.paths as Record<string, Record<string, { responses: Record<string, Answer> }>>;
    const submits = OPERATIONS.filter((op) => op.mode === 'submit');
    expect(submits.length).to.be.greaterThan(20);
    for (const op of OPERATIONS) {
      const responses = paths[op.path.replace(/:([A-Za-z]+)/g, '{$1}')]![op.method]!.responses;
      if (op.mode !== 'submit') {
        expect(responses, `${op.id} sends nothing for ordering`).not.to.have.key('202');
        continue;
      }
      const accepted = responses['202'];
      expect(accepted, `${op.id} 202`).to.not.equal(undefined);
      expect(accepted!.headers, `${op.id} 202`).to.have.keys('Location', 'Retry-After');
      expect(JSON.stringify(accepted!.content)).to.contain('PENDING');
      expect(responses['504']!.description, `${op.id} 504`).to.contain('before the transaction was sent');
      // The 2xx the gateway validates a committed answer against is still the success, not the 202.
      expect(Object.keys(responses)[0], op.id).to.equal(String(op.status ?? 200));
    }
    const route = paths['/v1/transactions/{txId}']!.get!.responses;
    expect(Object.keys(route).sort()).to.deep.equal(
      ['200', '400', '401', '403', '404', '405', '429', '500', '503', '504'].sort(),
    );
    expect(JSON.stringify(route['200']!.content)).to.contain('COMMITTED');
  });

  it('documents CSV on the transparency report, SSE items as objects, the cursor and the audit type enum', () => {
    const paths = doc.paths as Record<string, Record<string, Entry>>;
    expect(paths['/v1/audit/transparency']!.get!.responses['200']!.content).to.have.keys(
      'application/json',
      'text/csv',
    );
    for (const stream of ['/v1/events', '/v1/audit/events']) {
      const schema = paths[stream]!.get!.responses['200']!.content!['text/event-stream'] as {
        schema: { items: { type: string; properties: { data: { type: string } } } };
      };
      expect(schema.schema.items.type).to.equal('object');
      expect(schema.schema.items.properties.data.type).to.equal('object');
    }
    const search = paths['/v1/audit/records']!.get!;
    expect(search.parameters?.find((p) => p.name === 'type')?.schema.enum).to.include('CHECKPOINT');
    const cursor = search.parameters?.find((p) => p.name === 'cursor')?.schema;
    expect(cursor).to.include({ type: 'string' });
    expect(cursor?.pattern).to.be.a('string');
  });

  it('publishes the 2^63-1 bound on amounts in the JSON Schema itself', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(jsonSchema(amountSchema));
    expect(validate('9223372036854775807')).to.equal(true);
    expect(validate('9223372036854775808')).to.equal(false);
    expect(validate('9999999999999999999')).to.equal(false);
    const validators = new DocumentValidators(doc);
    const body = validators.of('deposit').body!;
    const deposit = { accountId: 'alice', tokenId: 'MYR', bankReference: 'IN-1' };
    expect(body({ ...deposit, amount: '9223372036854775807' })).to.equal(true);
    expect(body({ ...deposit, amount: '9223372036854775808' })).to.equal(false);
  });

  it('documents the Idempotency-Key on every write, renewal included, with its 422 on reuse', () => {
    const renewal = (doc.paths as Record<string, Record<string, Entry>>)['/v1/accounts/{accountId}/credential/renewal']!
      .post!;
    expect(renewal.parameters?.map((p) => p.name)).to.include('Idempotency-Key');
    expect(errorsOf(renewal)).to.include('422');
    const check = (doc.paths as Record<string, Record<string, Entry>>)['/v1/transfers/check']!.post!;
    expect(check.parameters?.map((p) => p.name) ?? []).not.to.include('Idempotency-Key');
  });

  it('describes every property, parameter and header, request and response, nested and in arrays', () => {
    const offenders = undocumentedFields(doc);
    expect(offenders, `${offenders.length} fields without a description:\n${offenders.join('\n')}`).to.deep.equal([]);
  });

  it('finds an undocumented field at any depth (the walker itself)', () => {
    const sample = {
      paths: {
        '/x': {
          get: {
            parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }],
            responses: {
              '200': {
                headers: { 'X-H': { schema: { type: 'string' } } },
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        list: {
                          type: 'array',
                          description: 'documented',
                          items: { type: 'object', properties: { deep: { type: 'string', description: ' ' } } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    };
    expect(undocumentedFields(sample)).to.deep.equal([
      'GET /x parameter q (query)',
      'GET /x 200 header X-H',
      'GET /x 200 application/json: .list[].deep',
    ]);
  });
});

type Schema = Record<string, unknown>;

/** Every property, parameter and header of the document without a non-empty description, named by where it is. */
function undocumentedFields(document: Record<string, unknown>): string[] {
  const out: string[] = [];
  const described = (x: unknown) =>
    typeof (x as { description?: unknown } | undefined)?.description === 'string' &&
    (x as { description: string }).description.trim() !== '';
  const walk = (schema: unknown, where: string, path: string): void => {
    if (!schema || typeof schema !== 'object') return;
    const s = schema as Schema;
    for (const [name, sub] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
      if (!described(sub)) out.push(`${where}: ${path}.${name}`);
      walk(sub, where, `${path}.${name}`);
    }
    if (s.items) walk(s.items, where, `${path}[]`);
    if (s.additionalProperties && typeof s.additionalProperties === 'object')
      walk(s.additionalProperties, where, `${path}{}`);
    for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const)
      for (const sub of (s[k] ?? []) as unknown[]) walk(sub, where, path);
  };
  const paths = (document.paths ?? {}) as Record<string, Record<string, Schema>>;
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, entry] of Object.entries(methods)) {
      const route = `${method.toUpperCase()} ${path}`;
      for (const p of (entry.parameters ?? []) as Array<{ name: string; in: string; schema?: unknown }>) {
        if (!described(p)) out.push(`${route} parameter ${p.name} (${p.in})`);
        walk(p.schema, `${route} parameter ${p.name}`, '');
      }
      const body = entry.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined;
      for (const [type, media] of Object.entries(body?.content ?? {})) walk(media.schema, `${route} body ${type}`, '');
      const responses = (entry.responses ?? {}) as Record<
        string,
        { headers?: Record<string, unknown>; content?: Record<string, { schema?: unknown }> }
      >;
      for (const [status, response] of Object.entries(responses)) {
        for (const [name, header] of Object.entries(response.headers ?? {}))
          if (!described(header)) out.push(`${route} ${status} header ${name}`);
        for (const [type, media] of Object.entries(response.content ?? {}))
          walk(media.schema, `${route} ${status} ${type}`, '');
      }
    }
  }
  const components = ((document.components ?? {}) as { schemas?: Record<string, unknown> }).schemas ?? {};
  for (const [name, schema] of Object.entries(components)) walk(schema, `components.schemas.${name}`, '');
  return out;
}
