/**
 * The sync worker: claims connections with due work (debounced notifications, a requested full
 * sync, a group poll) and runs one round each, holding the connection's lease so that no two
 * replicas ever process the same connection at once.
 */
import type { AppContext } from '../context.js';
import type { ConnectionRow } from '../connections/connection.repository.js';
import { EntraAuthError, GraphRequestError } from '../graph/graph-errors.js';
import type { GraphClients } from '../graph/graph-clients.js';
import { CHANNELS, SYNC_PENDING, type Wakeups } from '../work/wakeups.js';
import { startWorkerLoop, type WorkerLoop } from '../work/worker-loop.js';
import { runSyncRound } from './sync-round.js';
import { claimSync, type ClaimedSync, extendSyncLease, msUntilNextSync, releaseSync, requestResync } from './sync-state.repository.js';

const IDLE_MS = 5_000;

export function startSyncWorker(ctx: AppContext, wakeups: Wakeups, graphs: GraphClients): WorkerLoop {
  const loop = startWorkerLoop({
    name: 'sync',
    logger: ctx.logger,
    idleMs: IDLE_MS,
    step: async () => {
      const claimed = await claimSync(ctx.database.db, ctx.replicaId, ctx.config.leaseSeconds, ctx.config.changeDebounceMs);
      if (!claimed) return (await msUntilNextSync(ctx.database.db, ctx.config.changeDebounceMs)) ?? false;
      const { claim, connection } = claimed;
      await withHeartbeat(ctx, claim.connection_id, () => syncOne(ctx, graphs, claim, connection));
      return true;
    },
  });
  wakeups.on(CHANNELS.sync, (payload) =>
    payload === SYNC_PENDING ? loop.wakeWithin(ctx.config.changeDebounceMs) : loop.wake(),
  );
  return loop;
}

async function syncOne(ctx: AppContext, graphs: GraphClients, claim: ClaimedSync, connection: ConnectionRow): Promise<void> {
  const db = ctx.database.db;
  const log = ctx.logger.child({ connectionId: connection.id, connection: connection.name });
  const started = Date.now();
  try {
    const graph = graphs.forConnection(connection).api;
    const outcome = await runSyncRound(ctx, graph, connection, claim);
    // A delta round gave the lease back when it committed (completeSync); a hand-over did not.
    if (outcome.kind === 'reconcile-queued') await releaseSync(db, connection.id, ctx.replicaId);
    if (connection.credential_error) {
      await db.updateTable('connections').set({ credential_error: null }).where('id', '=', connection.id).execute();
    }
    if (outcome.kind === 'reconcile-queued') {
      log.info({ runId: outcome.runId }, 'no delta state: a reconcile run (initial sync or resync, differences only) takes over');
      return;
    }
    ctx.metrics.deltaRounds.inc({ outcome: 'delta' });
    const u = outcome.users;
    log.info(
      { pages: u.pages, items: u.items, created: u.created, updated: u.updated, deleted: u.deleted,
        scope: outcome.scope, graphRequests: outcome.graphRequests, ms: Date.now() - started },
      'delta round done',
    );
  } catch (error) {
    await handleRoundError(ctx, claim, connection.id, error, log);
  }
}

async function handleRoundError(
  ctx: AppContext,
  claim: ClaimedSync,
  connectionId: string,
  error: unknown,
  log: AppContext['logger'],
): Promise<void> {
  const db = ctx.database.db;
  const message = error instanceof Error ? error.message : String(error);
  ctx.metrics.deltaRounds.inc({ outcome: 'failed' });
  if (error instanceof GraphRequestError && error.code === 'delta_token_expired') {
    log.warn({ err: message }, 'delta state lost: starting a full resync (differences only are sent)');
    await requestResync(db, connectionId);
    await releaseSync(db, connectionId, ctx.replicaId);
    return;
  }
  if (error instanceof EntraAuthError) {
    await db.updateTable('connections').set({ credential_error: message }).where('id', '=', connectionId).execute();
    log.error({ code: error.code }, message);
    await releaseSync(db, connectionId, ctx.replicaId, 60_000, message);
    return;
  }
  const retryInMs =
    error instanceof GraphRequestError && error.details.retryAfterMs !== undefined
      ? Math.max(error.details.retryAfterMs, 1_000)
      : 10_000;
  log.warn({ err: message, retryInMs, pendingSince: claim.claimed_pending_since }, 'sync round failed; will retry');
  await releaseSync(db, connectionId, ctx.replicaId, retryInMs, message);
}

/** Keeps the lease alive while a long round (a full sync of a big tenant) runs. */
async function withHeartbeat<T>(ctx: AppContext, connectionId: string, work: () => Promise<T>): Promise<T> {
  const every = (ctx.config.leaseSeconds * 1000) / 3;
  const timer = setInterval(() => {
    void extendSyncLease(ctx.database.db, connectionId, ctx.replicaId, ctx.config.leaseSeconds).catch(() => {});
  }, every);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
