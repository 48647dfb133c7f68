/**
 * Backlog, age of the oldest undelivered event and open dead letters per connection, refreshed
 * periodically (a count over the outbox is too heavy for every scrape, cheap every 15 s). Every
 * replica reports the same numbers, so dashboards should take max() rather than sum().
 */
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { Db } from '../db/database.js';
import { startWorkerLoop, type WorkerLoop } from '../work/worker-loop.js';

export const GAUGE_REFRESH_MS = 15_000;

export interface ConnectionBacklog {
  readonly name: string;
  readonly backlog: number;
  readonly oldestPendingAt: Date | null;
  readonly deadLetters: number;
}

/** One row per connection, in one round trip. */
export async function backlogByConnection(db: Db): Promise<ConnectionBacklog[]> {
  const result = await sql<{ name: string; backlog: string; oldest: Date | null; dead: string }>`
    SELECT c.name, coalesce(p.n, 0) AS backlog, p.oldest, coalesce(d.n, 0) AS dead
      FROM connections c
      LEFT JOIN (SELECT q.connection_id, q.n, o.created_at AS oldest
                   FROM (SELECT connection_id, count(*) AS n, min(outbox_id) AS first
                           FROM delivery_queue WHERE NOT dead GROUP BY connection_id) q
                   JOIN outbox_events o ON o.id = q.first) p ON p.connection_id = c.id
      LEFT JOIN (SELECT connection_id, count(*) AS n
                   FROM dead_letters WHERE resolved_at IS NULL GROUP BY connection_id) d ON d.connection_id = c.id`.execute(
    db,
  );
  return result.rows.map((r) => ({
    name: r.name,
    backlog: Number(r.backlog),
    oldestPendingAt: r.oldest,
    deadLetters: Number(r.dead),
  }));
}

export async function refreshDeliveryGauges(ctx: Pick<AppContext, 'database' | 'metrics'>): Promise<void> {
  const rows = await backlogByConnection(ctx.database.db);
  const { deliveryBacklog, deliveryOldestAge, deadLetters } = ctx.metrics;
  // Reset first so that a deleted or renamed connection's series disappears.
  for (const gauge of [deliveryBacklog, deliveryOldestAge, deadLetters]) gauge.reset();
  const now = Date.now();
  for (const r of rows) {
    deliveryBacklog.set({ connection: r.name }, r.backlog);
    deliveryOldestAge.set(
      { connection: r.name },
      r.oldestPendingAt ? Math.max(0, (now - r.oldestPendingAt.getTime()) / 1000) : 0,
    );
    deadLetters.set({ connection: r.name }, r.deadLetters);
  }
}

export function startDeliveryGauges(ctx: AppContext): WorkerLoop {
  return startWorkerLoop({
    name: 'delivery-gauges',
    logger: ctx.logger,
    idleMs: GAUGE_REFRESH_MS,
    step: async () => {
      await refreshDeliveryGauges(ctx);
      return false;
    },
  });
}
