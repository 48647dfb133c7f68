// The Fastify instance every route module registers on: body parsers that accept what Graph
// clients send (form bodies, empty JSON bodies), Graph's request-id headers, one error handler
// that speaks Graph's envelope under /v1.0 and plain JSON elsewhere, and request counting.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimStats } from './core/stats.js';
import { SimError } from './errors.js';
import { GraphHttpError, graphErrorBody } from './graph/graph-errors.js';

const isGraph = (url: string): boolean => /^\/v1\.0(\/|$|\?)/i.test(url);
const isState = (url: string): boolean => url.startsWith('/_sim');

function parseJson(
  _req: FastifyRequest,
  body: string,
  done: (err: Error | null, value?: unknown) => void,
): void {
  if (body === '') return done(null, undefined);
  try {
    done(null, JSON.parse(body));
  } catch {
    done(
      new GraphHttpError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      ),
    );
  }
}

function clientRequestId(req: FastifyRequest): string {
  const header = req.headers['client-request-id'];
  return typeof header === 'string' && header !== '' ? header : req.id;
}

function handleError(stats: SimStats, err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof GraphHttpError) {
    if (err.status === 429) stats.throttled++;
    return reply
      .code(err.status)
      .headers(err.headers)
      .send(graphErrorBody(err, req.id, clientRequestId(req)));
  }
  if (err instanceof SimError)
    return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
  const status = (err as FastifyError).statusCode ?? 500;
  if (status >= 500) req.log.error({ err }, 'simulator route failed');
  if (!isGraph(req.url)) return reply.code(status).send({ error: { code: 'error', message: err.message } });
  const graphErr =
    status >= 500
      ? new GraphHttpError(500, 'generalException', 'An unexpected error occurred in the simulator.')
      : new GraphHttpError(status, 'BadRequest', err.message);
  return reply.code(graphErr.status).send(graphErrorBody(graphErr, req.id, clientRequestId(req)));
}

export function createHttpApp(options: {
  logger: false | FastifyBaseLogger;
  stats: SimStats;
}): FastifyInstance {
  const { stats } = options;
  const common = {
    genReqId: () => randomUUID(),
    bodyLimit: 16 * 1024 * 1024,
    // Graph paths are case-insensitive: a client may GET the 'Users/{id}' of a notification.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 1000 },
  };
  const app = (
    options.logger
      ? Fastify({ ...common, loggerInstance: options.logger })
      : Fastify({ ...common, logger: false })
  ) as FastifyInstance;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.addHook('onRequest', async (req) => {
    if (isState(req.url)) return;
    stats.requests++;
    const key = `${req.method} ${(req.routeOptions.url ?? '(unmatched)').replace(/:(\w+)/g, '{$1}')}`;
    stats.byRoute[key] = (stats.byRoute[key] ?? 0) + 1;
  });
  app.addHook('onSend', async (req, reply) => {
    if (!isGraph(req.url)) return;
    reply.header('request-id', req.id);
    reply.header('client-request-id', clientRequestId(req));
  });
  app.setErrorHandler((err: FastifyError, req, reply) => handleError(stats, err, req, reply));
  app.setNotFoundHandler((req, reply) => {
    if (!isGraph(req.url))
      return reply
        .code(404)
        .send({ error: { code: 'not_found', message: `${req.method} ${req.url} is not a simulator route` } });
    const segment = req.url.split('?')[0]?.split('/').filter(Boolean).slice(1).join('/') ?? '';
    const err = new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
    return reply.code(400).send(graphErrorBody(err, req.id, clientRequestId(req)));
  });
  return app;
}
