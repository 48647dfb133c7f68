/** Runs the subscription keeper for every due subscription, one replica per subscription (lease). */
import { findConnectionById } from '../connections/connection.repository.js';
import type { AppContext } from '../context.js';
import { EntraAuthError } from '../graph/graph-errors.js';
import type { GraphClients } from '../graph/graph-clients.js';
import { CHANNELS, type Wakeups } from '../work/wakeups.js';
import { startWorkerLoop, type WorkerLoop } from '../work/worker-loop.js';
import { keepSubscription } from './subscription-keeper.js';
import { claimDueSubscription, finishSubscription, msUntilNextSubscriptionCheck } from './subscription.repository.js';

const RETRY_AFTER_FAILURE_MS = 60_000;

export function startSubscriptionWorker(ctx: AppContext, wakeups: Wakeups, graphs: GraphClients): WorkerLoop {
  const loop = startWorkerLoop({
    name: 'subscriptions',
    logger: ctx.logger,
    idleMs: 30_000,
    step: async () => {
      const db = ctx.database.db;
      const row = await claimDueSubscription(db, ctx.replicaId, ctx.config.leaseSeconds);
      if (!row) return (await msUntilNextSubscriptionCheck(db)) ?? false;
      const connection = await findConnectionById(db, row.connection_id);
      if (!connection) return true;
      const log = ctx.logger.child({ connectionId: connection.id, connection: connection.name });
      try {
        await keepSubscription(ctx, graphs.forConnection(connection).api, connection, row, log);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.error({ kind: row.kind, code: (error as { code?: string }).code }, `subscription upkeep failed: ${message}`);
        if (error instanceof EntraAuthError) {
          await db.updateTable('connections').set({ credential_error: message }).where('id', '=', connection.id).execute();
        }
        await finishSubscription(db, row, {
          last_error: message,
          last_error_at: new Date(),
          next_check_at: new Date(Date.now() + RETRY_AFTER_FAILURE_MS),
        });
      }
      return true;
    },
  });
  wakeups.on(CHANNELS.subscriptions, () => loop.wake());
  return loop;
}
