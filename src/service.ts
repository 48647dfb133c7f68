/**
 * Assembles the running service: database (embedded when DATABASE_URL is unset), migrations,
 * the default connection, the HTTP app and the background workers. main.ts calls it for
 * `npm start`; the demo and end-to-end tests call it too.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { buildApp } from './app.js';
import { type Config, ConfigError } from './config/config.js';
import { ensureDefaultConnection } from './connections/connection.service.js';
import type { AppContext } from './context.js';
import { createSecretBox } from './crypto/secret-box.js';
import { createDatabase } from './db/database.js';
import { startEmbeddedPostgres } from './db/embedded-postgres.js';
import { migrate } from './db/migrate.js';
import type { Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { type Closeable, type RunningServer, startServer } from './server.js';
import { createWorkers } from './workers.js';

export interface RunningService extends RunningServer {
  readonly ctx: AppContext;
}

export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const closeables: Closeable[] = [];
  let databaseUrl = config.databaseUrl;
  if (databaseUrl === undefined) {
    const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log: (line) => logger.debug({ postgres: line }) });
    databaseUrl = embedded.url;
    logger.info({ dataDir: config.dataDir }, 'DATABASE_URL unset: using the embedded Postgres under DATA_DIR');
    closeables.push({ name: 'embedded-postgres', close: () => embedded.stop() });
  }
  const database = createDatabase(databaseUrl, { max: 20 });
  closeables.unshift({ name: 'database', close: () => database.close() });
  const { applied } = await migrate(database.pool);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const ctx: AppContext = {
    config,
    database,
    logger,
    metrics: createMetrics(),
    secretBox: createSecretBox(config.secretKeys),
    replicaId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    lifecycle: { shuttingDown: false },
  };
  await assertStoredConnectionsConfigurable(ctx);
  await ensureDefaultConnection(ctx);

  const workers = createWorkers(ctx, databaseUrl);
  const app = await buildApp(ctx, workers.appOptions);
  const server = await startServer(app, ctx, [{ name: 'workers', close: () => workers.stop() }, ...closeables]);
  workers.start();
  logger.info({ url: server.url, replica: ctx.replicaId }, 'entra-sync listening');
  return { ...server, ctx };
}

/** PUBLIC_URL and SECRET_KEY are "required when a connection exists": check against the database. */
async function assertStoredConnectionsConfigurable(ctx: AppContext): Promise<void> {
  const stored = await ctx.database.db
    .selectFrom('connections')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(stored.n) === 0) return;
  const problems: string[] = [];
  if (ctx.config.publicUrl === undefined) {
    problems.push(`PUBLIC_URL: required when a connection exists (${stored.n} stored); Graph sends notifications to {PUBLIC_URL}/webhooks/graph`);
  }
  if (ctx.config.secretKeys.length === 0) {
    problems.push(`SECRET_KEY: required when a connection exists (${stored.n} stored); it decrypts their secrets`);
  }
  if (problems.length > 0) {
    await ctx.database.close();
    throw new ConfigError(problems);
  }
}
