// POST /v1.0/$batch: up to 20 requests, each replayed through the full route pipeline (own
// permission check, own throttling: a 429 can sit inside a 200 batch). Responses come back in
// no particular order, as Graph warns.
import type { FastifyInstance } from 'fastify';
import { badRequest } from './graph-errors.js';
import type { GraphRouter } from './graph-route.js';
import { INNER_REQUEST_HEADER } from './graph-route.js';

export const MAX_BATCH_REQUESTS = 20;

interface BatchRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

const HEADER_NAMES: Record<string, string> = {
  'content-type': 'Content-Type',
  'retry-after': 'Retry-After',
  location: 'Location',
  'x-ms-resource-unit': 'x-ms-resource-unit',
};

function parseBatch(body: unknown): BatchRequest[] {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0)
    throw badRequest('Invalid batch payload format: requests must be a non-empty array.');
  if (requests.length > MAX_BATCH_REQUESTS)
    throw badRequest(`Number of requests cannot exceed ${MAX_BATCH_REQUESTS}.`);
  const ids = new Set<string>();
  for (const r of requests as BatchRequest[]) {
    if (typeof r?.id !== 'string' || typeof r.method !== 'string' || typeof r.url !== 'string') {
      throw badRequest('Each batch request needs string id, method and url.');
    }
    if (ids.has(r.id)) throw badRequest(`Batch request id '${r.id}' is used more than once.`);
    ids.add(r.id);
  }
  return requests as BatchRequest[];
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

export function registerBatchRoute(
  app: FastifyInstance,
  route: GraphRouter,
  deps: { innerRequestSecret: string; random: () => number },
): void {
  route({
    method: 'POST',
    url: '/v1.0/$batch',
    handler: async (_ctx, req) => {
      const requests = parseBatch(req.body);
      const statusById = new Map<string, number>();
      const responses: BatchResponse[] = [];
      for (const inner of requests) {
        const failedDependency = (inner.dependsOn ?? []).some((d) => (statusById.get(d) ?? 424) >= 400);
        const response = failedDependency
          ? {
              id: inner.id,
              status: 424,
              headers: {},
              body: { error: { code: 'FailedDependency', message: 'A request this one depends on failed.' } },
            }
          : await runInner(app, inner, req.headers.authorization, deps.innerRequestSecret);
        statusById.set(inner.id, response.status);
        responses.push(response);
      }
      return { responses: shuffle(responses, deps.random) };
    },
  });
}

async function runInner(
  app: FastifyInstance,
  inner: BatchRequest,
  authorization: string | undefined,
  secret: string,
): Promise<BatchResponse> {
  if (/^[a-z]+:\/\//i.test(inner.url)) {
    return {
      id: inner.id,
      status: 400,
      headers: {},
      body: { error: { code: 'BadRequest', message: 'Batch request urls must be relative.' } },
    };
  }
  const headers: Record<string, string> = { ...(inner.headers ?? {}), [INNER_REQUEST_HEADER]: secret };
  if (authorization) headers.authorization = authorization;
  if (inner.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  const method = inner.method.toUpperCase() as 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  const result = await app.inject({
    method,
    url: `/v1.0/${inner.url.replace(/^\/+/, '')}`,
    headers,
    ...(inner.body !== undefined ? { payload: inner.body as object } : {}),
  });
  const out: BatchResponse = { id: inner.id, status: result.statusCode, headers: {} };
  for (const [name, value] of Object.entries(result.headers)) {
    const canonical = HEADER_NAMES[name];
    if (canonical && value !== undefined) out.headers[canonical] = String(value);
  }
  if (result.body !== '')
    out.body = String(result.headers['content-type']).includes('json') ? result.json() : result.body;
  return out;
}
