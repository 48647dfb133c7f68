/** A real AppContext over a test database, and the app built from it listening on a real port. */
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { buildApp, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import type { AppContext } from '../../src/context.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

export function testEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    SECRET_KEY: TEST_SECRET_KEY,
    PUBLIC_URL: 'http://127.0.0.1:3000',
    GRAPH_BASE_URL: 'http://127.0.0.1:1',
    ENTRA_AUTHORITY_URL: 'http://127.0.0.1:1',
    ALLOW_INSECURE_LEENA_URL: 'true',
    LOG_LEVEL: 'debug',
    ...overrides,
  };
}

export interface TestApp {
  readonly ctx: AppContext;
  readonly app: FastifyInstance;
  readonly url: string;
  readonly db: TestDatabase;
  /** Every log line written so far (JSON strings). */
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startTestApp(
  options: { env?: Record<string, string | undefined>; appOptions?: (ctx: AppContext) => AppOptions; db?: TestDatabase } = {},
): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const config = loadConfig(testEnv(options.env));
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const ctx: AppContext = {
    config,
    database: db.database,
    logger: createLogger({ level: config.logLevel, destination }),
    metrics: createMetrics(),
    secretBox: createSecretBox(config.secretKeys),
    replicaId: `test:${process.pid}`,
    lifecycle: { shuttingDown: false },
  };
  const app = await buildApp(ctx, options.appOptions?.(ctx));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    ctx,
    app,
    url,
    db,
    logs,
    async close() {
      await app.close();
      if (!options.db) await db.drop();
    },
  };
}

/** fetch with the admin token and JSON handling. */
export async function adminFetch(
  base: string,
  path: string,
  init: { method?: string; body?: unknown; token?: string | null } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TEST_ADMIN_TOKEN}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: response.status, body, headers: response.headers };
}
