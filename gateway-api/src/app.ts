import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { GatewayDeps } from './deps';
import { authenticate } from './middleware/authenticate';
import { acceptedBodies, BODY_METHODS } from './middleware/content';
import { problemHandler } from './middleware/errors';
import { methodNotAllowed } from './middleware/method-not-allowed';
import { perCredentialRateLimit } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { buildDocument, DocumentValidators } from './openapi';
import { ApiError, GatewayCode } from './problem';
import { auditRouter } from './routes/audit';
import { capTableRouter } from './routes/captable';
import { customerTokensRouter } from './routes/customer-tokens';
import { eventsRouter } from './routes/events';
import { operationsRouter } from './routes/operations';
import { opsRouter } from './routes/ops';
import { transactionsRouter } from './routes/transactions';

/** Routes `opsRouter` serves that the OpenAPI document does not describe (it and its readable form). */
const UNDOCUMENTED_ROUTES = {
  '/openapi.json': { get: {} },
  '/docs': { get: {} },
  '/dashboard/{file}': { get: {} },
};

/**
 * The OpenAPI document and its compiled validators, per org and version (the document depends on nothing
 * else). Compiling every operation's validators takes seconds; a process that creates many apps, as the
 * unit tests do, compiles them once. Neither is mutated after it is built.
 */
interface CompiledDocument {
  readonly document: Record<string, unknown>;
  readonly validators: DocumentValidators;
}
const compiledDocuments = new Map<string, CompiledDocument>();

function compiledDocument(org: string, version: string): CompiledDocument {
  const key = JSON.stringify([org, version]);
  let compiled = compiledDocuments.get(key);
  if (!compiled) {
    const document = buildDocument({ org, version });
    compiled = { document, validators: new DocumentValidators(document) };
    compiledDocuments.set(key, compiled);
  }
  return compiled;
}

/** Builds the HTTP app from its dependencies; the server and the tests both start here. */
export function createApp(deps: GatewayDeps): Express {
  const { document, validators } = compiledDocument(deps.org.name, deps.version);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use(
    cors({
      origin: (origin, callback) => callback(null, origin !== undefined && deps.config.corsOrigins.includes(origin)),
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID', 'X-Request-Id'],
      exposedHeaders: [
        'X-Request-Id',
        'Idempotent-Replayed',
        'Result-Omitted',
        'Location',
        'RateLimit',
        'RateLimit-Policy',
        'Retry-After',
        'Allow',
      ],
    }),
  );
  app.use(requestContext(deps.logger, deps.metrics, deps.config.requestTimeoutMs, deps.config.requestLog));
  app.use(opsRouter(deps, document));
  // Bodies are checked (coding, media type, charset) and parsed before authentication, and only on the
  // methods that have one: a GET or DELETE body is never read, so those routes cannot answer 413 or 415.
  app.use(acceptedBodies());
  const json = express.json({
    limit: deps.config.bodyLimit,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });
  app.use((req, res, next) => (BODY_METHODS.has(req.method) ? json(req, res, next) : next()));
  app.use('/v1', authenticate(deps.authenticators));
  app.use('/v1', perCredentialRateLimit(deps.config.rateLimit.limit, deps.config.rateLimit.windowMs));
  app.use(eventsRouter(deps));
  app.use(auditRouter(deps, validators));
  app.use(capTableRouter(deps, validators));
  app.use(customerTokensRouter(deps, validators));
  app.use(transactionsRouter(deps, validators));
  app.use(operationsRouter(deps, validators));
  app.use(methodNotAllowed({ ...(document.paths as Record<string, object>), ...UNDOCUMENTED_ROUTES }));
  app.use((_req, _res, next) => next(new ApiError(GatewayCode.NOT_FOUND, 'no such route')));
  app.use(problemHandler(deps.logger));
  return app;
}
