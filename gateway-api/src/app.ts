import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { GatewayDeps } from './deps';
import { authenticate } from './middleware/authenticate';
import { problemHandler } from './middleware/errors';
import { perCredentialRateLimit } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { buildDocument, DocumentValidators } from './openapi';
import { ApiError, GatewayCode } from './problem';
import { auditRouter } from './routes/audit';
import { customerTokensRouter } from './routes/customer-tokens';
import { eventsRouter } from './routes/events';
import { operationsRouter } from './routes/operations';
import { opsRouter } from './routes/ops';

/** Builds the HTTP app from its dependencies; the server and the tests both start here. */
export function createApp(deps: GatewayDeps): Express {
  const document = buildDocument({ org: deps.org.name, version: deps.version });
  const validators = new DocumentValidators(document);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use(
    cors({
      origin: (origin, callback) => callback(null, origin !== undefined && deps.config.corsOrigins.includes(origin)),
      allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Idempotent-Replayed', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
    }),
  );
  app.use(requestContext(deps.logger, deps.metrics, deps.config.requestTimeoutMs));
  app.use(opsRouter(deps, document));
  app.use(
    express.json({ limit: deps.config.bodyLimit, strict: true, type: ['application/json', 'application/*+json'] }),
  );
  app.use('/v1', authenticate(deps.authenticators));
  app.use('/v1', perCredentialRateLimit(deps.config.rateLimit.limit, deps.config.rateLimit.windowMs));
  app.use(eventsRouter(deps));
  app.use(auditRouter(deps, validators));
  app.use(customerTokensRouter(deps, validators));
  app.use(operationsRouter(deps, validators));
  app.use((_req, _res, next) => next(new ApiError(GatewayCode.NOT_FOUND, 'no such route')));
  app.use(problemHandler(deps.logger));
  return app;
}
