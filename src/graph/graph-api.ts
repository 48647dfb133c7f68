/**
 * The Graph client used by every capability: @microsoft/microsoft-graph-client with our own
 * middleware chain (auth -> RetryHandler -> attempt counting/timeout -> HTTP), because the
 * stock AuthenticationHandler only attaches tokens to https Graph hosts and the project must
 * also talk to an http loopback simulator. RetryHandler retries 429/503/504 honouring
 * Retry-After; what still fails comes out as a GraphRequestError naming the operation.
 */
import {
  Client,
  GraphError,
  HTTPMessageHandler,
  type Context,
  type Middleware,
  RetryHandler,
  RetryHandlerOptions,
} from '@microsoft/microsoft-graph-client';
import type { Metrics } from '../observability/metrics.js';
import { EntraAuthError, GraphRequestError, graphErrorFrom } from './graph-errors.js';
import type { TokenProvider } from './token-provider.js';

export interface GraphOp {
  /** What the call is for, e.g. "GET /users/delta"; appears in errors and metrics. */
  readonly operation: string;
  /** The least application permission this call needs; named in 403 errors. */
  readonly permission?: string;
}

export interface GraphApi {
  get<T>(url: string, op: GraphOp): Promise<T>;
  post<T>(url: string, body: unknown, op: GraphOp): Promise<T>;
  patch<T>(url: string, body: unknown, op: GraphOp): Promise<T>;
  delete(url: string, op: GraphOp): Promise<void>;
  /** HTTP attempts sent so far (retries included). */
  requestCount(): number;
}

export interface GraphApiOptions {
  readonly graphBaseUrl: string;
  readonly tokens: TokenProvider;
  readonly metrics?: Metrics;
  /** Per-attempt timeout (default 30 s). */
  readonly timeoutMs?: number;
  /** Retries of 429/503/504 inside one call (default 3, Graph SDK's default). */
  readonly maxRetries?: number;
}

export function createGraphApi(options: GraphApiOptions): GraphApi {
  let attempts = 0;
  const counter: Middleware & { next?: Middleware } = {
    async execute(context: Context) {
      attempts += 1;
      context.options = { ...context.options, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) };
      await counter.next!.execute(context);
      const status = context.response?.status ?? 0;
      if (status === 429 || status === 503 || status === 504) options.metrics?.graphThrottled.inc();
    },
    setNext(next) {
      counter.next = next;
    },
  };
  const client = Client.initWithMiddleware({
    baseUrl: options.graphBaseUrl,
    defaultVersion: 'v1.0',
    middleware: [
      authMiddleware(options.tokens),
      new RetryHandler(new RetryHandlerOptions(1, options.maxRetries ?? 3)),
      counter,
      new HTTPMessageHandler(),
    ],
  });

  async function call<T>(op: GraphOp, run: () => Promise<T>): Promise<T> {
    try {
      // The token first (msal's cache makes this cheap): an Entra refusal thrown inside the SDK's
      // middleware comes out as a GraphError that has lost its EntraAuthError code, and would read
      // "Graph could not be reached"; thrown here it stays itself (secret_expired, invalid_secret...).
      await options.tokens.getToken();
      const result = await run();
      options.metrics?.graphRequests.inc({ operation: op.operation, status: 'ok' });
      return result;
    } catch (error) {
      const mapped = mapError(error, op);
      options.metrics?.graphRequests.inc({ operation: op.operation, status: mapped instanceof GraphRequestError ? mapped.code : 'auth' });
      throw mapped;
    }
  }

  // nextLink/deltaLink are absolute. The SDK only treats https URLs as absolute, so links into an
  // http loopback simulator are turned back into paths under the version root.
  const versionRoot = `${options.graphBaseUrl}/v1.0`;
  const path = (url: string) => (url.startsWith(versionRoot) ? url.slice(versionRoot.length) : url);

  return {
    get: (url, op) => call(op, () => client.api(path(url)).get()),
    post: (url, body, op) => call(op, () => client.api(path(url)).post(body)),
    patch: (url, body, op) => call(op, () => client.api(path(url)).patch(body)),
    delete: (url, op) => call(op, () => client.api(path(url)).delete()),
    requestCount: () => attempts,
  };
}

/** Attaches the bearer token; on a 401 asks for a fresh token once and tries again. */
function authMiddleware(tokens: TokenProvider): Middleware {
  let next: Middleware | undefined;
  return {
    async execute(context: Context) {
      const send = async (forceRefresh: boolean) => {
        const token = await tokens.getToken(forceRefresh);
        const headers = new Headers(context.options?.headers as ConstructorParameters<typeof Headers>[0]);
        headers.set('authorization', `Bearer ${token}`);
        context.options = { ...context.options, headers: Object.fromEntries(headers.entries()) };
        await next!.execute(context);
      };
      await send(false);
      if (context.response?.status === 401) await send(true);
    },
    setNext(middleware: Middleware) {
      next = middleware;
    },
  };
}

function mapError(error: unknown, op: GraphOp): Error {
  if (error instanceof EntraAuthError || error instanceof GraphRequestError) return error;
  if (error instanceof GraphError && error.statusCode > 0) {
    const body = parseBody(error);
    return graphErrorFrom(error.statusCode, body, { ...op, headers: error.headers });
  }
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  return new GraphRequestError('network', `Graph could not be reached for ${op.operation}: ${cause ?? message}`, op, {
    cause: error,
  });
}

function parseBody(error: GraphError): { error?: { code?: string; message?: string } } {
  if (error.code || error.message) return { error: { code: error.code ?? undefined, message: error.message } };
  try {
    return typeof error.body === 'string' ? JSON.parse(error.body) : (error.body ?? {});
  } catch {
    return {};
  }
}
