/**
 * One reconcile run, start to end: scan Graph into staging, check the mass-deletion guard
 * (stop in `blocked` before sending anything), write the differences, then hand notifications a
 * clean delta link taken before the scan so nothing changed during the run is missed. When Leena
 * AI holds no user of the connection yet (the initial sync), pages are applied as they are read
 * (phase `syncing`): with nothing to delete, staging would only cost time.
 */
import { sql } from 'kysely';
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { AppContext } from '../context.js';
import type { GraphApi } from '../graph/graph-api.js';
import { CHANNELS } from '../work/wakeups.js';
import {
  applyDifferences,
  createDirectApply,
  type Differences,
  plannedDeletions,
  sentUserCount,
} from './reconcile-apply.js';
import { finishRun, type RunRow, updateRun } from './reconcile.repository.js';
import { type ScanProgress, type ScanResult, scanGraph } from './reconcile-scan.js';

const PROGRESS_LOG_EVERY_MS = 5_000;

export async function runReconcile(
  ctx: AppContext,
  graph: GraphApi,
  connection: ConnectionRow,
  run: RunRow,
): Promise<void> {
  const db = ctx.database.db;
  const log = ctx.logger.child({ connectionId: connection.id, connection: connection.name, runId: run.id });
  const started = Date.now();
  const requestsBefore = graph.requestCount();
  const requests = () => graph.requestCount() - requestsBefore;
  const save: SaveRun = (patch) => updateRun(db, run.id, patch, ctx.replicaId, ctx.config.leaseSeconds);
  // Nothing sent yet (the initial sync, or a resync of a connection Leena AI holds no user of):
  // nothing can be deleted, so pages are applied as they are read, without staging.
  const direct =
    (await sentUserCount(db, connection.id)) === 0
      ? createDirectApply(db, connection, run.dry_run)
      : undefined;
  log.info(
    { trigger: run.trigger, dryRun: run.dry_run, attempt: run.attempts, staged: !direct },
    'reconcile started',
  );
  let lastLog = Date.now();

  await save({ phase: direct ? 'syncing' : 'scanning', ...(direct ? { total_before: 0 } : {}) });
  const onPage = async (p: ScanProgress) => {
    const counts = direct
      ? { created: direct.totals.created, updated: direct.totals.updated, unchanged: direct.totals.unchanged }
      : {};
    await save({ users_seen: p.usersSeen, pages_read: p.pagesRead, graph_requests: requests(), ...counts });
    if (Date.now() - lastLog > PROGRESS_LOG_EVERY_MS) {
      lastLog = Date.now();
      log.info({ usersSeen: p.usersSeen, usersPerSecond: rate(p.usersSeen, started) }, 'reconcile scanning');
    }
  };
  const scan = await scanGraph(
    db,
    graph,
    connection,
    run.id,
    onPage,
    direct ? (profiles) => direct.apply(profiles) : undefined,
  );

  const outcome = direct
    ? { diff: await direct.flush(), block: undefined }
    : await guardThenApply(ctx, log, connection, run, scan, requests(), save);
  if (!outcome) return; // blocked by the mass-deletion guard: nothing was sent
  const { diff, block } = outcome;
  await finishSucceeded(ctx, connection, run, scan, diff, {
    graphRequests: requests(),
    usersPerSecond: rate(scan.usersSeen, started),
    message: run.dry_run
      ? `dry run: nothing was sent${block ? `; a real run would be blocked: ${block}` : ''}`
      : null,
  });
  const seconds = (Date.now() - started) / 1000;
  ctx.metrics.reconcileSeconds.observe(seconds);
  log.info(
    {
      ...diff,
      dryRun: run.dry_run,
      usersSeen: scan.usersSeen,
      seconds,
      usersPerSecond: rate(scan.usersSeen, started),
    },
    'reconcile finished',
  );
}

type SaveRun = (patch: Parameters<typeof updateRun>[2]) => Promise<unknown>;

/** The staged path: the mass-deletion guard, then the differences. Undefined when blocked. */
async function guardThenApply(
  ctx: AppContext,
  log: AppContext['logger'],
  connection: ConnectionRow,
  run: RunRow,
  scan: ScanResult,
  graphRequests: number,
  save: SaveRun,
): Promise<{ diff: Differences; block: string | undefined } | undefined> {
  const db = ctx.database.db;
  const { totalBefore, deletions } = await plannedDeletions(db, connection.id, run.id);
  const block = guardMessage(ctx, run, totalBefore, deletions);
  if (block && !run.dry_run) {
    await blockRun(ctx, run, {
      totalBefore,
      deletions,
      usersSeen: scan.usersSeen,
      graphRequests,
      message: block,
    });
    log.warn({ deletions, totalBefore }, `reconcile blocked: ${block}`);
    return undefined;
  }
  await save({ phase: run.dry_run ? 'comparing' : 'applying', total_before: totalBefore });
  const diff = await applyDifferences(db, connection, run.id, run.dry_run, async (d) => {
    await save({ created: d.created, updated: d.updated, unchanged: d.unchanged });
  });
  return { diff, block };
}

async function blockRun(
  ctx: AppContext,
  run: RunRow,
  f: { totalBefore: number; deletions: number; usersSeen: number; graphRequests: number; message: string },
): Promise<void> {
  const db = ctx.database.db;
  await db.deleteFrom('reconcile_items').where('run_id', '=', run.id).execute();
  await finishRun(db, run.id, 'blocked', {
    phase: 'blocked',
    total_before: f.totalBefore,
    deleted: f.deletions,
    users_seen: f.usersSeen,
    graph_requests: f.graphRequests,
    message: f.message,
  });
  ctx.metrics.reconcileRuns.inc({ status: 'blocked' });
}

async function finishSucceeded(
  ctx: AppContext,
  connection: ConnectionRow,
  run: RunRow,
  scan: ScanResult,
  diff: Differences,
  f: { graphRequests: number; usersPerSecond: number; message: string | null },
): Promise<void> {
  await ctx.database.db.transaction().execute(async (tx) => {
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
      ...diff,
      users_seen: scan.usersSeen,
      pages_read: scan.pagesRead,
      phase: 'done',
      graph_requests: f.graphRequests,
      users_per_second: f.usersPerSecond,
      message: f.message,
    });
  });
  ctx.metrics.reconcileRuns.inc({ status: 'succeeded' });
  if (!run.dry_run) {
    for (const kind of ['created', 'updated', 'deleted'] as const)
      ctx.metrics.reconcileDifferences.inc({ kind }, diff[kind]);
  }
}

/** Like Entra's accidental-deletion threshold: too many deletions at once wait for a human. */
export function guardMessage(
  ctx: AppContext,
  run: RunRow,
  totalBefore: number,
  deletions: number,
): string | undefined {
  const { maxDeletePercent, maxDeleteFloor } = ctx.config.reconcile;
  const limit = Math.max(maxDeleteFloor, Math.floor((maxDeletePercent / 100) * totalBefore));
  if (deletions <= limit) return undefined;
  if (run.approved_deletions !== null && deletions <= run.approved_deletions + maxDeleteFloor)
    return undefined;
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
