/**
 * Delivery throughput: EVENTS queued events (default 100,000 over USERS=20,000 users) drained
 * to an in-process Leena AI sink with zero latency, through the real dispatcher (signing,
 * batches of 100, per-user order, leases). Prints events/s.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/delivery.bench.ts
 *
 * Optional: DELIVERY_CONCURRENCY (default 4), SINK_LATENCY_MS (default 0).
 */
import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import { createConnection } from '../src/connections/connection.service.js';
import { startDelivery } from '../src/delivery/delivery.worker.js';
import { generateSigningSecret } from '../src/delivery/signing.js';
import { startLeenaSink } from '../src/simulator/leena-sink.js';
import { startWakeups } from '../src/work/wakeups.js';
import { startTestApp } from '../test/helpers/context.js';

const EVENTS = Number(process.env.EVENTS ?? 100_000);
const USERS = Number(process.env.USERS ?? 20_000);
const TENANT = '11111111-2222-3333-4444-555555555555';

async function main(): Promise<void> {
  const apiKey = 'bench-api-key-0123456789';
  const signingSecret = generateSigningSecret();
  const sink = await startLeenaSink({ apiKey, signingSecret });
  sink.faults.latencyMs = Number(process.env.SINK_LATENCY_MS ?? 0);
  const app = await startTestApp({
    env: { LOG_LEVEL: 'warn', DELIVERY_CONCURRENCY: process.env.DELIVERY_CONCURRENCY ?? '4' },
  });
  const { ctx } = app;
  const connection = await createConnection(ctx, {
    name: 'bench',
    tenantId: TENANT,
    clientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    clientSecret: 'bench-client-secret',
    leena: { url: sink.url, apiKey, signingSecret },
  });
  const queuedIn = await queueEvents(ctx.database.db, connection.id);
  console.log(`queued ${EVENTS} events for ${USERS} users in ${queuedIn} ms`);

  const wakeups = startWakeups(app.db.url, ctx.logger);
  const started = performance.now();
  const loops = startDelivery(ctx, wakeups);
  await sink.waitFor((s) => s.events.length >= EVENTS, 600_000, 'every event');
  const seconds = (performance.now() - started) / 1000;
  const state = sink.state();
  console.log(
    `delivered ${EVENTS} events in ${seconds.toFixed(2)} s: ${Math.round(EVENTS / seconds)} events/s ` +
      `(${sink.batches.length} batches, concurrency ${ctx.config.delivery.concurrency}, ` +
      `${state.duplicates} duplicates, ${state.orderViolations.length} order violations)`,
  );
  await Promise.all(loops.map((l) => l.stop()));
  await wakeups.close();
  await sink.close();
  await app.close();
}

/** Contract-valid events built in SQL (fast), queued for delivery: a created event per user, then updates, round-robin. */
async function queueEvents(db: Db, connectionId: string): Promise<number> {
  const t = performance.now();
  await sql`
    INSERT INTO outbox_events (event_id, connection_id, user_id, sequence, type, source, payload)
    SELECT 'evt_bench_' || n, ${connectionId}::uuid, 'user-' || u, s,
           CASE WHEN s = 1 THEN 'user.created' ELSE 'user.updated' END, 'reconcile',
           jsonb_build_object(
             'id', 'evt_bench_' || n, 'type', CASE WHEN s = 1 THEN 'user.created' ELSE 'user.updated' END,
             'connectionId', ${connectionId}::text, 'tenantId', ${TENANT}::text, 'userId', 'user-' || u,
             'sequence', s, 'occurredAt', to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
             'source', 'reconcile',
             'user', jsonb_build_object(
               'id', 'user-' || u, 'userPrincipalName', 'user-' || u || '@contoso.example',
               'mail', 'user-' || u || '@contoso.example', 'displayName', 'User ' || u, 'givenName', 'Bench',
               'surname', 'User ' || u, 'jobTitle', 'Title ' || s, 'department', 'Engineering',
               'officeLocation', 'Building 1', 'employeeId', 'E' || u, 'mobilePhone', null,
               'businessPhones', '[]'::jsonb, 'accountEnabled', true, 'managerId', null))
           || CASE WHEN s = 1 THEN '{}'::jsonb
                   ELSE jsonb_build_object('changes', jsonb_build_object('jobTitle',
                          jsonb_build_object('old', 'Title ' || (s - 1), 'new', 'Title ' || s))) END
      FROM generate_series(0, ${EVENTS - 1}) AS n,
           LATERAL (SELECT n % ${USERS} AS u, n / ${USERS} + 1 AS s) AS k
     ORDER BY n`.execute(db);
  await sql`
    INSERT INTO delivery_queue (connection_id, outbox_id, user_id, sequence)
    SELECT connection_id, id, user_id, sequence FROM outbox_events WHERE connection_id = ${connectionId} ORDER BY id`.execute(db);
  return Math.round(performance.now() - t);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
