/**
 * Background work of this replica. Every kind of work is a row in Postgres claimed under a
 * lease, so any replica can do any of it and a dead replica's work is taken over when its lease
 * runs out. LISTEN/NOTIFY wakes the loops early; polling is the safety net.
 */
import type { AppOptions } from './app.js';
import type { AppContext } from './context.js';
import { startDelivery } from './delivery/delivery.worker.js';
import { startWakeups } from './work/wakeups.js';
import type { WorkerLoop } from './work/worker-loop.js';

export interface Workers {
  readonly appOptions: AppOptions;
  stop(): Promise<void>;
}

export function startWorkers(ctx: AppContext, databaseUrl: string): Workers {
  const wakeups = startWakeups(databaseUrl, ctx.logger);
  const loops: WorkerLoop[] = [...startDelivery(ctx, wakeups)];
  return {
    appOptions: {},
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
      await wakeups.close();
    },
  };
}
