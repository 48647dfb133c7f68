/** reconcile_runs: queued by admins, the schedule and resyncs; claimed under a lease. */
import { sql, type Selectable } from 'kysely';
import type { Db, Tx } from '../db/database.js';
import type { ReconcileRunsTable, ReconcileStatus, ReconcileTrigger } from '../db/schema.js';
import { CHANNELS } from '../work/wakeups.js';

export type RunRow = Selectable<ReconcileRunsTable>;

/** Queues a run unless one is already queued or running for the connection (then returns that one). */
export async function queueRun(
  db: Db | Tx,
  connectionId: string,
  trigger: ReconcileTrigger,
  dryRun: boolean,
): Promise<{ run: RunRow; created: boolean }> {
  const inserted = await sql<RunRow>`
    INSERT INTO reconcile_runs (connection_id, trigger, dry_run) VALUES (${connectionId}, ${trigger}, ${dryRun})
    ON CONFLICT (connection_id) WHERE status IN ('queued', 'running') DO NOTHING
    RETURNING *`.execute(db);
  if (inserted.rows[0]) {
    await sql`SELECT pg_notify(${CHANNELS.reconcile}, '')`.execute(db);
    return { run: inserted.rows[0], created: true };
  }
  const open = await db
    .selectFrom('reconcile_runs')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirstOrThrow();
  return { run: open, created: false };
}

/** A queued run, or a running one whose replica died (lease expired): restarted from its scan. */
export async function claimRun(db: Db, owner: string, leaseSeconds: number): Promise<RunRow | undefined> {
  const rows = await sql<RunRow>`
    UPDATE reconcile_runs r SET status = 'running', lease_owner = ${owner},
      lease_until = now() + make_interval(secs => ${leaseSeconds}), attempts = r.attempts + 1,
      started_at = COALESCE(r.started_at, now()), phase = 'starting'
    WHERE r.id = (
      SELECT id FROM reconcile_runs
      WHERE status = 'queued' OR (status = 'running' AND lease_until < now())
      ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING r.*`.execute(db);
  return rows.rows[0];
}

export async function getRun(db: Db, runId: string): Promise<RunRow | undefined> {
  return db.selectFrom('reconcile_runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

export async function listRuns(db: Db, connectionId: string, limit: number): Promise<RunRow[]> {
  return db
    .selectFrom('reconcile_runs')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .orderBy('requested_at', 'desc')
    .limit(limit)
    .execute();
}

export type RunPatch = Partial<
  Pick<
    RunRow,
    | 'phase'
    | 'users_seen'
    | 'pages_read'
    | 'graph_requests'
    | 'created'
    | 'updated'
    | 'deleted'
    | 'unchanged'
    | 'total_before'
    | 'message'
    | 'error'
    | 'delta_link'
  >
> & { users_per_second?: number | null };

export async function updateRun(db: Db | Tx, runId: string, patch: RunPatch, owner: string, leaseSeconds: number): Promise<void> {
  await db
    .updateTable('reconcile_runs')
    .set({ ...patch, lease_until: sql`now() + make_interval(secs => ${leaseSeconds})` })
    .where('id', '=', runId)
    .where('lease_owner', '=', owner)
    .execute();
}

export async function finishRun(db: Db | Tx, runId: string, status: ReconcileStatus, patch: RunPatch = {}): Promise<void> {
  await db
    .updateTable('reconcile_runs')
    .set({ ...patch, status, lease_owner: null, lease_until: null, finished_at: status === 'blocked' ? null : new Date() })
    .where('id', '=', runId)
    .execute();
}

/** Back to the queue (the connection was busy); the attempt does not count. */
export async function requeueRun(db: Db, runId: string): Promise<void> {
  await db
    .updateTable('reconcile_runs')
    .set({ status: 'queued', lease_owner: null, lease_until: null, attempts: sql`attempts - 1` })
    .where('id', '=', runId)
    .execute();
}

export async function approveRun(db: Db, run: RunRow): Promise<boolean> {
  const r = await sql`UPDATE reconcile_runs SET status = 'queued', approved_at = now(), approved_deletions = deleted,
      phase = 'approved', message = 'approved by an admin; runs again and may delete up to the approved number'
    WHERE id = ${run.id} AND status = 'blocked'`.execute(db);
  await sql`SELECT pg_notify(${CHANNELS.reconcile}, '')`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function cancelRun(db: Db, run: RunRow): Promise<boolean> {
  const r = await sql`UPDATE reconcile_runs SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_until = NULL,
      message = 'cancelled by an admin' WHERE id = ${run.id} AND status IN ('blocked', 'queued')`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}
