/**
 * The database handle: one pg Pool wrapped by Kysely. Everything that touches Postgres receives
 * a `Database` (or a `Transaction<DB>` when it must be atomic) explicitly.
 */
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { isCopyQuery, sendCopy } from './copy-rows.js';
import { type QueryFn, sendNamed } from './named-statements.js';
import type { DB } from './schema.js';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;

export interface Database {
  readonly db: Db;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

// timestamptz and int8 parsing is left to node-postgres defaults (Date and string).

/**
 * One wrapper around each new client's `query`: a text that starts with a marker comment is sent
 * as a named statement (`/* named:label *\/`, named-statements.ts) or as a COPY (`/* copy *\/`,
 * copy-rows.ts); anything else goes through untouched.
 */
function sendMarkedQueries(client: pg.PoolClient): void {
  const query = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) =>
    isCopyQuery(args[0]) ? sendCopy(query, args[0], args[1]) : sendNamed(query, args);
}

export function createDatabase(
  connectionString: string,
  options: { max?: number; applicationName?: string } = {},
): Database {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'entra-sync',
    // Fail fast when Postgres is down instead of queueing requests for ever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (Postgres restart) must not crash the process.
  pool.on('error', () => {});
  // Nor one that is checked out between two statements (a transaction awaiting JS work): the pool
  // drops its error listener while a client is lent out, and an 'error' event without a listener
  // kills the process. The failure still reaches the caller through its next query, and the pool
  // discards the broken client when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => {});
    sendMarkedQueries(client);
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
