/**
 * Postgres for the commands that need the database itself (migrate; doctor <connection>, which
 * must decrypt the stored secrets the admin API never returns): DATABASE_URL, or the embedded
 * Postgres under DATA_DIR when the service is not running on it. A running service owns its
 * embedded server; the CLI never starts a second one on the same files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { createDatabase, type Database } from '../db/database.js';
import { startEmbeddedPostgres } from '../db/embedded-postgres.js';
import { UsageError } from './cli-io.js';

export interface CliDatabase {
  readonly database: Database;
  /** Where it is, for messages (no password). */
  readonly where: string;
  close(): Promise<void>;
}

export async function openCliDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<CliDatabase> {
  if (config.databaseUrl !== undefined) {
    const database = createDatabase(config.databaseUrl, { max: 2, applicationName: 'entra-sync-cli' });
    return { database, where: withoutPassword(config.databaseUrl), close: () => database.close() };
  }
  const running = runningEmbeddedPid(config.dataDir);
  if (running !== undefined) {
    throw new UsageError(
      `the embedded Postgres under DATA_DIR (${resolve(config.dataDir)}) is in use by a running entra-sync (postgres pid ${running}): ` +
        'stop the service first, or set DATABASE_URL',
    );
  }
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
  const database = createDatabase(embedded.url, { max: 2, applicationName: 'entra-sync-cli' });
  return {
    database,
    where: `embedded Postgres under ${resolve(config.dataDir)}`,
    async close() {
      await database.close();
      await embedded.stop();
    },
  };
}

function runningEmbeddedPid(dataDir: string): number | undefined {
  const pidFile = join(resolve(dataDir), 'postgres', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL';
  }
}
