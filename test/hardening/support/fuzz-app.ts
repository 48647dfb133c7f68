/**
 * The real app with every route (webhook and admin) on a real port, over a fresh database with
 * one connection whose users and groups subscriptions are known — without the background
 * workers, so that every row in the database is one a request wrote.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  createConnection,
  updateConnection,
  type ConnectionInput,
} from '../../../src/connections/connection.service.js';
import { fingerprint } from '../../../src/crypto/secret-box.js';
import { createWorkers } from '../../../src/workers.js';
import { startTestApp, type TestApp } from '../../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

export interface FuzzApp {
  readonly app: TestApp;
  readonly db: TestDatabase;
  readonly connectionId: string;
  readonly tenantId: string;
  readonly users: { readonly subscriptionId: string; readonly clientState: string };
  readonly groups: { readonly subscriptionId: string; readonly clientState: string };
  notificationRows(): Promise<number>;
  /** A digest of every row of every table: equal digests mean nothing was written. */
  fingerprint(): Promise<string>;
  /** Puts the connection back as created (after a fuzzed PATCH went through). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export interface FuzzAppOptions {
  readonly env?: Record<string, string>;
  /** The connection's Entra app (default: made up, unreachable). */
  readonly tenant?: { readonly tenantId: string; readonly clientId: string; readonly clientSecret: string };
}

export async function startFuzzApp(options: FuzzAppOptions = {}): Promise<FuzzApp> {
  const db = await createTestDatabase();
  const app = await startTestApp({
    db,
    env: {
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ADMIN_PER_MINUTE: '10000000',
      RATE_LIMIT_WEBHOOK_PER_MINUTE: '100000000',
      ...options.env,
    },
    appOptions: (ctx) => createWorkers(ctx, db.url).appOptions,
  });
  const tenantId = options.tenant?.tenantId ?? randomUUID();
  const input: ConnectionInput = {
    name: 'fuzzed',
    tenantId,
    clientId: options.tenant?.clientId ?? randomUUID(),
    clientSecret: options.tenant?.clientSecret ?? 'fuzz-client-secret-value',
    groupId: null,
    clientSecretExpiresAt: null,
    leena: {
      url: 'https://leena.example.com/events',
      apiKey: 'fuzz-api-key',
      signingSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    },
  };
  const connection = await createConnection(app.ctx, input);
  const users = { subscriptionId: randomUUID(), clientState: `cs-users-${randomUUID()}` };
  const groups = { subscriptionId: randomUUID(), clientState: `cs-groups-${randomUUID()}` };
  for (const [kind, sub] of [
    ['users', users],
    ['groups', groups],
  ] as const) {
    await db.database.db
      .updateTable('subscriptions')
      .set({
        graph_subscription_id: sub.subscriptionId,
        client_state_hash: fingerprint(sub.clientState),
        expires_at: new Date(Date.now() + 86_400_000),
      })
      .where('connection_id', '=', connection.id)
      .where('kind', '=', kind)
      .execute();
  }
  return {
    app,
    db,
    connectionId: connection.id,
    tenantId,
    users,
    groups,
    async notificationRows() {
      const r = await db.database.db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async fingerprint() {
      const tables = await sql<{ table_name: string }>`
        SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`.execute(
        db.database.db,
      );
      const parts = tables.rows.map(
        (t) =>
          `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM "${t.table_name.replace(/"/g, '""')}" x)`,
      );
      const r = await sql
        .raw<{ d: string }>(`SELECT md5(concat_ws(',', ${parts.join(', ')})) AS d`)
        .execute(db.database.db);
      return r.rows[0]!.d;
    },
    async restore() {
      await updateConnection(app.ctx, connection.id, { ...input, deliveryPaused: false });
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
