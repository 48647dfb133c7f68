/**
 * The nightly reconcile: RECONCILE_CRON in RECONCILE_TIMEZONE, fired once across all replicas —
 * the first replica to insert the (schedule, fire time) row queues a run per connection; the
 * others find the row and do nothing. A fire missed while every replica was down is made up
 * once at the next start (within a day).
 */
import { Cron } from 'croner';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { startWorkerLoop, type WorkerLoop } from '../work/worker-loop.js';
import { queueRun } from './reconcile.repository.js';

const SCHEDULE = 'nightly-reconcile';
const CATCH_UP_WINDOW_MS = 24 * 3600_000;

export function startReconcileSchedule(ctx: AppContext): WorkerLoop {
  const cron = new Cron(ctx.config.reconcileCron, { timezone: ctx.config.reconcileTimezone, paused: true });
  let due = lastFireBefore(cron, new Date()) ?? undefined;
  let catchingUp = due !== undefined;
  return startWorkerLoop({
    name: 'reconcile-schedule',
    logger: ctx.logger,
    idleMs: 60_000,
    step: async () => {
      const now = new Date();
      if (due && due.getTime() <= now.getTime()) {
        await fire(ctx, due, catchingUp);
        due = undefined;
        catchingUp = false;
      }
      const next = cron.nextRun(now);
      if (!next) return false;
      due = next;
      return next.getTime() - Date.now();
    },
  });
}

async function fire(ctx: AppContext, fireAt: Date, catchingUp: boolean): Promise<void> {
  // A first-ever start has missed nothing: only a deployment that fired before makes up a slot.
  const firedBefore = await ctx.database.db.selectFrom('schedule_fires').select('fire_at').where('schedule', '=', SCHEDULE).limit(1).execute();
  if (catchingUp && firedBefore.length === 0) return;
  const won = await sql`INSERT INTO schedule_fires (schedule, fire_at, fired_by) VALUES (${SCHEDULE}, ${fireAt}, ${ctx.replicaId})
    ON CONFLICT DO NOTHING`.execute(ctx.database.db);
  if (Number(won.numAffectedRows ?? 0) === 0) return;
  const connections = await ctx.database.db.selectFrom('connections').select(['id', 'name']).execute();
  let queued = 0;
  for (const c of connections) {
    const { created } = await queueRun(ctx.database.db, c.id, 'schedule', false);
    if (created) queued += 1;
    else ctx.logger.info({ connectionId: c.id, connection: c.name }, 'nightly reconcile skipped: the previous run is still going');
  }
  ctx.logger.info({ fireAt: fireAt.toISOString(), queued, connections: connections.length }, 'nightly reconcile queued');
}

/** The most recent scheduled time in the last day, if any (made up once if nobody fired it). */
function lastFireBefore(cron: Cron, now: Date): Date | null {
  let cursor = cron.nextRun(new Date(now.getTime() - CATCH_UP_WINDOW_MS));
  let last: Date | null = null;
  while (cursor && cursor.getTime() <= now.getTime()) {
    last = cursor;
    cursor = cron.nextRun(cursor);
  }
  return last;
}
