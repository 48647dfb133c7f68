/**
 * Schema migrations: plain SQL files in migrations/ (NNNN_name.sql), applied in order, each in
 * its own transaction, under a Postgres advisory lock so that replicas starting together take
 * turns: the first applies, the others wait and then find nothing to do.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** Arbitrary constant; the same for every replica of this service. */
const MIGRATION_LOCK_KEY = 7_342_118_901;

export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export function migrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'migrations', '0001_initial.sql'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('migrations/ folder not found next to the package');
    dir = parent;
  }
  return join(dir, 'migrations');
}

export function loadMigrations(dir = migrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: file.slice(0, 4),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    text PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export interface MigrationResult {
  readonly applied: string[];
  readonly current: string[];
}

export async function migrate(pool: pg.Pool, migrations = loadMigrations()): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_TABLE);
      const done = new Set(
        (await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
      );
      const applied: string[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await applyOne(client, m);
        applied.push(m.name);
      }
      return { applied, current: migrations.map((m) => m.name) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function applyOne(client: pg.PoolClient, m: Migration): Promise<void> {
  try {
    await client.query('BEGIN');
    await client.query(m.sql);
    await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
      m.version,
      m.name,
      m.checksum,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw new Error(`migration ${m.name} failed: ${(error as Error).message}`, { cause: error });
  }
}

export type MigrationStatus =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly pending: string[] };

/** For /readyz: are all migrations this code knows applied? */
export async function migrationStatus(pool: pg.Pool, migrations = loadMigrations()): Promise<MigrationStatus> {
  const rows = await pool
    .query<{ version: string }>('SELECT version FROM schema_migrations')
    .then((r) => r.rows)
    .catch((error: { code?: string }) => {
      if (error.code === '42P01') return [];
      throw error;
    });
  const done = new Set(rows.map((r) => r.version));
  const pending = migrations.filter((m) => !done.has(m.version)).map((m) => m.name);
  return pending.length === 0 ? { ok: true } : { ok: false, reason: 'migrations_pending', pending };
}
