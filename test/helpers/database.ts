/**
 * Real Postgres for tests, no mocks. Each test file gets its own database cloned from a migrated
 * template (fast: a file copy), so files run in parallel and clean up after themselves.
 * Server: TEST_DATABASE_URL, else DATABASE_URL, else an embedded Postgres started for this process.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, type Database } from '../../src/db/database.js';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.js';
import { loadMigrations, migrate } from '../../src/db/migrate.js';

let serverUrl: Promise<string> | undefined;

/** The server tests and benchmarks use (an embedded one is started on first use when none is configured). */
export function baseUrl(): Promise<string> {
  serverUrl ??= (async () => {
    const configured = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
    if (configured) return configured;
    const dir = mkdtempSync(join(tmpdir(), 'entra-sync-test-pg-'));
    chmodSync(dir, 0o755); // as root, postgres runs as another user and must reach it
    const embedded = await startEmbeddedPostgres({ dataDir: dir, database: 'postgres' });
    process.once('exit', () => {
      void embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    return embedded.url;
  })();
  return serverUrl;
}

export function urlFor(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor(await baseUrl(), 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The migrated template, created once per migration set by whichever test process gets there first. */
async function templateName(): Promise<string> {
  const digest = createHash('sha256');
  for (const m of loadMigrations()) digest.update(m.checksum);
  const name = `entra_sync_tpl_${digest.digest('hex').slice(0, 12)}`;
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(424242)');
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount) return;
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
      await admin.query(`CREATE DATABASE ${building}`);
      const db = createDatabase(urlFor(await baseUrl(), building), { max: 1 });
      await migrate(db.pool);
      await db.close();
      // The pool's backends may take a moment to exit after close().
      await retryWhileBusy(() => admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`));
    } finally {
      await admin.query('SELECT pg_advisory_unlock(424242)');
    }
  });
  return name;
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  readonly database: Database;
  drop(): Promise<void>;
}

/** A fresh database: migrated (default) or empty (to test migrations themselves). */
export async function createTestDatabase(options: { migrated?: boolean; poolSize?: number } = {}): Promise<TestDatabase> {
  const name = `entra_sync_test_${randomBytes(6).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : await templateName();
  // Two files cloning the same template at the same instant collide: try again shortly.
  await withAdmin((admin) => retryWhileBusy(() => admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`)));
  const url = urlFor(await baseUrl(), name);
  const database = createDatabase(url, { max: options.poolSize ?? 10 });
  return {
    url,
    name,
    database,
    async drop() {
      await database.close();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function retryWhileBusy<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt > 50 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
    }
  }
}
