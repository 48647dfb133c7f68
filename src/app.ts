/**
 * Builds the Fastify application from a context. No listening, no signals, no pools created here:
 * tests build it and call it with inject() or over a real port; server.ts owns the process.
 */
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { makeAdminAuth } from './admin/admin-auth.js';
import { connectionRoutes } from './connections/connection.routes.js';
import type { AppContext } from './context.js';
import { installErrorHandler } from './http/error-handler.js';
import { lazyChildLoggerFactory } from './http/lazy-request-logger.js';
import { refuseNulInBodies, refuseNulInUrls } from './http/refuse-nul.js';
import { healthRoutes } from './observability/health.routes.js';
import { metricsRoutes } from './observability/metrics.routes.js';

/** Extra route plugins registered inside the authenticated /admin scope (capabilities add theirs). */
export type AdminPlugin = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

export interface AppOptions {
  readonly adminPlugins?: readonly AdminPlugin[];
  readonly publicPlugins?: readonly AdminPlugin[];
}

export async function buildApp(ctx: AppContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    // Per-request logs would be thousands of lines a second under notification load; metrics count requests.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLoggerFactory,
    requestIdHeader: 'x-request-id',
    return503OnClosing: true,
    // Deeply nested JSON is refused by the parser instead of exhausting the stack.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandler(app);
  refuseNulInUrls(app);
  countRequests(app, ctx);
  await app.register(fastifyRateLimit, { global: false });
  await registerDocs(app);

  await app.register(healthRoutes, { ctx });
  await app.register(metricsRoutes, { ctx });
  for (const plugin of options.publicPlugins ?? []) await app.register(async (scope) => plugin(scope, ctx));

  await app.register(async (admin) => {
    // Rate limit first so that guessing the token is throttled too.
    admin.addHook('onRequest', admin.rateLimit({ max: ctx.config.rateLimit.adminPerMinute, timeWindow: 60_000 }));
    admin.addHook('onRequest', makeAdminAuth(ctx.config.adminToken));
    refuseNulInBodies(admin);
    await admin.register(connectionRoutes, { ctx });
    for (const plugin of options.adminPlugins ?? []) await plugin(admin, ctx);
  });
  return app;
}

async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'entra-sync',
        description: 'Keeps Leena AI in step with Microsoft Entra ID. Admin routes need `Authorization: Bearer {ADMIN_TOKEN}`.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

function countRequests(app: FastifyInstance, ctx: AppContext): void {
  // A callback hook, not an async one: it runs on every webhook request, and needs no promise.
  app.addHook('onResponse', (request, reply, done) => {
    ctx.metrics.httpRequests.inc({
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status: String(reply.statusCode),
    });
    done();
  });
}
