import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Exchange } from './http';

/**
 * The published contract, as an integrator reads it: `/openapi.json` from a running gateway, nothing
 * from the gateway's own code. Every answer a suite received is checked against the schema the document
 * declares for its route and status.
 */
export class PublishedContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false });
  private readonly routes: Array<{ pattern: RegExp; template: string }>;
  private readonly compiled = new Map<string, ValidateFunction | null>();

  private constructor(private readonly doc: OpenApiDoc) {
    addFormats(this.ajv);
    this.ajv.addSchema(doc as object, 'openapi');
    this.routes = Object.keys(doc.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  static async load(base: string): Promise<PublishedContract> {
    const res = await fetch(`${base}/openapi.json`);
    if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}`);
    return new PublishedContract((await res.json()) as OpenApiDoc);
  }

  /** The route template a request path matches, or undefined for a path the document does not have. */
  templateOf(path: string): string | undefined {
    const bare = path.split('?')[0] ?? path;
    return this.routes.find((r) => r.pattern.test(bare))?.template;
  }

  /** What is wrong with an answer against the document, or undefined when it matches. */
  check(ex: Exchange): string | undefined {
    const template = this.templateOf(ex.path);
    if (!template) return `${ex.method} ${ex.path}: no such path in the document`;
    const operation = this.doc.paths[template]?.[ex.method.toLowerCase()];
    if (!operation) return `${ex.method} ${template}: method not in the document (answered ${ex.status})`;
    const status = String(ex.status);
    const response = operation.responses[status] ?? operation.responses.default;
    if (!response) return `${ex.method} ${template}: status ${status} not documented`;
    const media = (ex.contentType ?? '').split(';')[0]?.trim() ?? '';
    if (!response.content)
      return ex.body === undefined ? undefined : `${ex.method} ${template} ${status}: body not documented`;
    if (!(media in response.content))
      return `${ex.method} ${template} ${status}: ${media || 'no'} content type not documented`;
    if (media !== 'application/json' && media !== 'application/problem+json') return undefined;
    const validate = this.validator(
      template,
      ex.method.toLowerCase(),
      status in operation.responses ? status : 'default',
      media,
    );
    if (validate && !validate(ex.body)) {
      const e = validate.errors?.[0];
      return `${ex.method} ${template} ${status}: ${e?.instancePath || 'body'} ${e?.message ?? 'invalid'}`;
    }
    return undefined;
  }

  private validator(template: string, method: string, status: string, media: string): ValidateFunction | null {
    const id = [template, method, status, media].join(' ');
    if (!this.compiled.has(id)) {
      const pointer = ['paths', template, method, 'responses', status, 'content', media, 'schema']
        .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
        .join('/');
      const has = this.doc.paths[template]?.[method]?.responses[status]?.content?.[media]?.schema !== undefined;
      this.compiled.set(id, has ? this.ajv.compile({ $ref: `openapi#/${pointer}` }) : null);
    }
    return this.compiled.get(id) ?? null;
  }
}

interface OpenApiDoc {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >;
}
