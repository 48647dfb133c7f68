/**
 * Retention: the webhook writes a row per notification and the outbox keeps every delivered
 * event, so without pruning the tables grow for ever. Hourly, in small batches (no long locks),
 * one replica at a time (advisory lock), rows past their use are deleted:
 * notifications after 7 days, delivered events after 7 days, finished batches after 8, resolved dead
 * letters after 30 days, schedule slots after 30 days. Pending and dead events are never touched.
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { startWorkerLoop, type WorkerLoop } from '../work/worker-loop.js';

const EVERY_MS = 3_600_000;
const BATCH = 10_000;
const LOCK_KEY = 7_342_118_902;

const RULES: Array<{ table: string; where: string }> = [
  { table: 'notifications', where: "received_at < now() - interval '7 days'" },
  { table: 'dead_letters', where: "resolved_at < now() - interval '30 days'" },
  // Delivered or skipped = off the queue; an event with a dead letter stays until the letter goes.
  { table: 'outbox_events', where: "created_at < now() - interval '7 days' AND NOT EXISTS (SELECT 1 FROM delivery_queue q WHERE q.connection_id = outbox_events.connection_id AND q.outbox_id = outbox_events.id) AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.event_id = outbox_events.event_id)" },
  { table: 'delivery_batches', where: "status IN ('delivered', 'dead') AND finished_at < now() - interval '8 days'" },
  { table: 'schedule_fires', where: "fired_at < now() - interval '30 days'" },
];

export function startRetention(ctx: AppContext): WorkerLoop {
  return startWorkerLoop({
    name: 'retention',
    logger: ctx.logger,
    idleMs: EVERY_MS,
    step: async () => {
      await pruneOnce(ctx);
      return false;
    },
  });
}

export async function pruneOnce(ctx: AppContext): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  const client = await ctx.database.pool.connect();
  try {
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY]);
    if (!got.rows[0]?.ok) return deleted;
    try {
      for (const rule of RULES) deleted[rule.table] = await pruneTable(ctx, rule.table, rule.where);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  if (Object.values(deleted).some((n) => n > 0)) ctx.logger.info({ deleted }, 'retention: old rows pruned');
  return deleted;
}

async function pruneTable(ctx: AppContext, table: string, where: string): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await sql
      .raw(`DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${where} LIMIT ${BATCH})`)
      .execute(ctx.database.db);
    const n = Number(r.numAffectedRows ?? 0);
    total += n;
    if (n < BATCH || ctx.lifecycle.shuttingDown) return total;
  }
}
