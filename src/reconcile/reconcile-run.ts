/**
 * One reconcile run, start to end: scan Graph into staging, check the mass-deletion guard
 * (stop in `blocked` before sending anything), write the differences, then hand notifications a
 * clean delta link taken before the scan so nothing changed during the run is missed.
 */
import { sql } from 'kysely';
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { AppContext } from '../context.js';
import type { GraphApi } from '../graph/graph-api.js';
import { CHANNELS } from '../work/wakeups.js';
import { applyDifferences, plannedDeletions } from './reconcile-apply.js';
import { finishRun, type RunRow, updateRun } from './reconcile.repository.js';
import { scanGraph } from './reconcile-scan.js';

const PROGRESS_LOG_EVERY_MS = 5_000;

export async function runReconcile(ctx: AppContext, graph: GraphApi, connection: ConnectionRow, run: RunRow): Promise<void> {
  const db = ctx.database.db;
  const log = ctx.logger.child({ connectionId: connection.id, connection: connection.name, runId: run.id });
  const started = Date.now();
  const requestsBefore = graph.requestCount();
  const save = (patch: Parameters<typeof updateRun>[2]) => updateRun(db, run.id, patch, ctx.replicaId, ctx.config.leaseSeconds);
  log.info({ trigger: run.trigger, dryRun: run.dry_run, attempt: run.attempts }, 'reconcile started');
  let lastLog = Date.now();

  await save({ phase: 'scanning' });
  const scan = await scanGraph(db, graph, connection, run.id, async (p) => {
    await save({ users_seen: p.usersSeen, pages_read: p.pagesRead, graph_requests: graph.requestCount() - requestsBefore });
    if (Date.now() - lastLog > PROGRESS_LOG_EVERY_MS) {
      lastLog = Date.now();
      log.info({ usersSeen: p.usersSeen, usersPerSecond: rate(p.usersSeen, started) }, 'reconcile scanning');
    }
  });

  const { totalBefore, deletions } = await plannedDeletions(db, connection.id, run.id);
  const block = guardMessage(ctx, run, totalBefore, deletions);
  if (block && !run.dry_run) {
    await db.deleteFrom('reconcile_items').where('run_id', '=', run.id).execute();
    await finishRun(db, run.id, 'blocked', {
      phase: 'blocked',
      total_before: totalBefore,
      deleted: deletions,
      users_seen: scan.usersSeen,
      graph_requests: graph.requestCount() - requestsBefore,
      message: block,
    });
    ctx.metrics.reconcileRuns.inc({ status: 'blocked' });
    log.warn({ deletions, totalBefore }, `reconcile blocked: ${block}`);
    return;
  }

  await save({ phase: run.dry_run ? 'comparing' : 'applying', total_before: totalBefore });
  const diff = await applyDifferences(db, connection, run.id, run.dry_run, async (d) => {
    await save({ created: d.created, updated: d.updated, unchanged: d.unchanged });
  });
  const seconds = (Date.now() - started) / 1000;
  const counts = { ...diff, users_seen: scan.usersSeen, pages_read: scan.pagesRead };
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('reconcile_items').where('run_id', '=', run.id).execute();
    if (!run.dry_run) {
      // Changes made while we scanned are replayed from the link taken before the scan.
      await sql`UPDATE sync_state SET users_delta_link = ${scan.deltaLink}, pending_since = COALESCE(pending_since, now()),
          resync_requested_at = CASE WHEN resync_requested_at <= ${run.started_at ?? new Date()} THEN NULL ELSE resync_requested_at END,
          initial_sync_at = COALESCE(initial_sync_at, now())
        WHERE connection_id = ${connection.id}`.execute(tx);
      await sql`SELECT pg_notify(${CHANNELS.sync}, '')`.execute(tx);
    }
    await finishRun(tx, run.id, 'succeeded', {
      ...counts,
      phase: 'done',
      graph_requests: graph.requestCount() - requestsBefore,
      users_per_second: rate(scan.usersSeen, started),
      message: run.dry_run ? `dry run: nothing was sent${block ? `; a real run would be blocked: ${block}` : ''}` : null,
    });
  });
  ctx.metrics.reconcileRuns.inc({ status: 'succeeded' });
  ctx.metrics.reconcileSeconds.observe(seconds);
  if (!run.dry_run) {
    for (const kind of ['created', 'updated', 'deleted'] as const) ctx.metrics.reconcileDifferences.inc({ kind }, diff[kind]);
  }
  log.info({ ...diff, dryRun: run.dry_run, usersSeen: scan.usersSeen, seconds, usersPerSecond: rate(scan.usersSeen, started) }, 'reconcile finished');
}

/** Like Entra's accidental-deletion threshold: too many deletions at once wait for a human. */
export function guardMessage(ctx: AppContext, run: RunRow, totalBefore: number, deletions: number): string | undefined {
  const { maxDeletePercent, maxDeleteFloor } = ctx.config.reconcile;
  const limit = Math.max(maxDeleteFloor, Math.floor((maxDeletePercent / 100) * totalBefore));
  if (deletions <= limit) return undefined;
  if (run.approved_deletions !== null && deletions <= run.approved_deletions + maxDeleteFloor) return undefined;
  const pct = totalBefore === 0 ? 100 : Math.round((deletions / totalBefore) * 1000) / 10;
  return (
    `this run would delete ${deletions} of the ${totalBefore} users Leena AI has (${pct}%), above the limit of ${limit} ` +
    `(RECONCILE_MAX_DELETE_PERCENT=${maxDeletePercent}, RECONCILE_MAX_DELETE_FLOOR=${maxDeleteFloor}). Nothing was sent. ` +
    `If this is intended, approve: POST /admin/reconcile-runs/${run.id}/approve. If not (wrong group id, revoked ` +
    `permission), fix the cause and POST /admin/reconcile-runs/${run.id}/cancel.`
  );
}

function rate(users: number, startedMs: number): number {
  return Math.round(users / Math.max(0.001, (Date.now() - startedMs) / 1000));
}
