/**
 * Runs queued reconcile runs. A run holds the connection's lease for its whole length, so delta
 * rounds wait (notifications keep being stored) and cannot interleave with it; a run whose
 * replica died is found again once its lease runs out and restarts from its scan.
 */
import { findConnectionById } from '../connections/connection.repository.js';
import type { AppContext } from '../context.js';
import type { GraphClients } from '../graph/graph-clients.js';
import { extendSyncLease, releaseSync, tryLeaseConnection } from '../sync/sync-state.repository.js';
import { CHANNELS, type Wakeups } from '../work/wakeups.js';
import { startWorkerLoop, type WorkerLoop } from '../work/worker-loop.js';
import { claimRun, finishRun, requeueRun, type RunRow } from './reconcile.repository.js';
import { runReconcile } from './reconcile-run.js';

const MAX_ATTEMPTS = 5;

export function startReconcileWorker(ctx: AppContext, wakeups: Wakeups, graphs: GraphClients): WorkerLoop {
  const loop = startWorkerLoop({
    name: 'reconcile',
    logger: ctx.logger,
    idleMs: 5_000,
    step: async () => {
      const db = ctx.database.db;
      const run = await claimRun(db, ctx.replicaId, ctx.config.leaseSeconds);
      if (!run) return false;
      if (!(await tryLeaseConnection(db, run.connection_id, ctx.replicaId, ctx.config.leaseSeconds))) {
        await requeueRun(db, run.id);
        return 500; // a delta round is running for this connection: try again shortly
      }
      try {
        await withHeartbeat(ctx, run, () => execute(ctx, graphs, run));
      } finally {
        await releaseSync(db, run.connection_id, ctx.replicaId);
      }
      return true;
    },
  });
  wakeups.on(CHANNELS.reconcile, () => loop.wake());
  return loop;
}

async function execute(ctx: AppContext, graphs: GraphClients, run: RunRow): Promise<void> {
  const db = ctx.database.db;
  const connection = await findConnectionById(db, run.connection_id);
  if (!connection) return finishRun(db, run.id, 'failed', { error: 'connection deleted' });
  try {
    await runReconcile(ctx, graphs.forConnection(connection).api, connection, run);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const final = run.attempts >= MAX_ATTEMPTS;
    ctx.logger.error({ connectionId: connection.id, connection: connection.name, runId: run.id, attempt: run.attempts }, `reconcile failed: ${message}`);
    await db.deleteFrom('reconcile_items').where('run_id', '=', run.id).execute();
    if (final) {
      ctx.metrics.reconcileRuns.inc({ status: 'failed' });
      await finishRun(db, run.id, 'failed', { error: message, phase: 'failed' });
    } else {
      // Leave it running with a short lease: it is retried from its scan once the lease passes.
      await db.updateTable('reconcile_runs').set({ error: message, lease_owner: null, lease_until: new Date(Date.now() + 5_000 * run.attempts) }).where('id', '=', run.id).execute();
    }
  }
}

async function withHeartbeat<T>(ctx: AppContext, run: RunRow, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    const db = ctx.database.db;
    void extendSyncLease(db, run.connection_id, ctx.replicaId, ctx.config.leaseSeconds).catch(() => {});
    void db
      .updateTable('reconcile_runs')
      .set({ lease_until: new Date(Date.now() + ctx.config.leaseSeconds * 1000) })
      .where('id', '=', run.id)
      .where('lease_owner', '=', ctx.replicaId)
      .execute()
      .catch(() => {});
  }, (ctx.config.leaseSeconds * 1000) / 3);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
