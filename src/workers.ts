/**
 * Background work of this replica. Every kind of work is a row in Postgres claimed under a
 * lease, so any replica can do any of it and a dead replica's work is taken over when its lease
 * runs out. LISTEN/NOTIFY wakes the loops early; polling is the safety net.
 */
import { startSecretExpiryWatch } from './admin/secret-expiry.worker.js';
import { statusPageRoutes } from './admin/status-page.routes.js';
import { statusRoutes } from './admin/status.routes.js';
import type { AppOptions } from './app.js';
import type { AppContext } from './context.js';
import { deliveryAdminRoutes } from './delivery/delivery.routes.js';
import { startDelivery } from './delivery/delivery.worker.js';
import { createGraphClients } from './graph/graph-clients.js';
import { webhookRoutes } from './notifications/webhook.routes.js';
import { reconcileRoutes, userSyncRoutes } from './reconcile/reconcile.routes.js';
import { startReconcileSchedule } from './reconcile/reconcile-schedule.js';
import { startReconcileWorker } from './reconcile/reconcile.worker.js';
import { startRetention } from './retention/retention.worker.js';
import { startSubscriptionWorker } from './subscriptions/subscription.worker.js';
import { startSyncWorker } from './sync/sync.worker.js';
import { startWakeups, type Wakeups } from './work/wakeups.js';
import type { WorkerLoop } from './work/worker-loop.js';

export interface Workers {
  /** Routes the workers' capabilities add to the app (webhook, admin). */
  readonly appOptions: AppOptions;
  /** Starts the loops; called once the HTTP server listens (Graph validates our URL on create). */
  start(): void;
  stop(): Promise<void>;
}

export function createWorkers(ctx: AppContext, databaseUrl: string): Workers {
  let wakeups: Wakeups | undefined;
  let loops: WorkerLoop[] = [];
  const graphs = createGraphClients(ctx);
  return {
    appOptions: {
      // The status page authenticates itself (bearer or login cookie): browsers cannot send a bearer header.
      publicPlugins: [webhookRoutes, statusPageRoutes],
      adminPlugins: [deliveryAdminRoutes, reconcileRoutes, userSyncRoutes(graphs), statusRoutes],
    },
    start() {
      wakeups = startWakeups(databaseUrl, ctx.logger);
      loops = [
        startSubscriptionWorker(ctx, wakeups, graphs),
        startSyncWorker(ctx, wakeups, graphs),
        startReconcileWorker(ctx, wakeups, graphs),
        startReconcileSchedule(ctx),
        startRetention(ctx),
        ...startDelivery(ctx, wakeups),
        startSecretExpiryWatch(ctx),
      ];
    },
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
      await wakeups?.close();
    },
  };
}
