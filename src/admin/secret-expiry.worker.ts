/**
 * Client secrets expire (the customer guide sets 24 months) and an expired one stops the sync.
 * Where the expiry date is known, this sets entra_sync_client_secret_expires_in_days for every
 * connection each hour, and from 30 days ahead logs a warning (an error once expired) at start-up
 * and then once a day per connection, in the words of the status page. Every replica runs it; the
 * gauge is the same everywhere, so dashboards take max() or min() rather than sum().
 */
import { listConnectionRows, toConnection } from '../connections/connection.repository.js';
import type { AppContext } from '../context.js';
import { startWorkerLoop, type WorkerLoop } from '../work/worker-loop.js';
import { credentialStatus } from './connection-status.js';

const CHECK_EVERY_MS = 3_600_000;
const WARN_EVERY_MS = 86_400_000;

type Ctx = Pick<AppContext, 'database' | 'metrics' | 'logger'>;

export function startSecretExpiryWatch(ctx: Ctx): WorkerLoop {
  const lastWarned = new Map<string, number>();
  return startWorkerLoop({
    name: 'secret-expiry',
    logger: ctx.logger,
    idleMs: CHECK_EVERY_MS,
    step: async () => {
      await checkSecretExpiry(ctx, lastWarned);
      return false;
    },
  });
}

/** One pass; `lastWarned` (connection id -> ms) keeps the warnings to one a day. */
export async function checkSecretExpiry(
  ctx: Ctx,
  lastWarned: Map<string, number>,
  now = Date.now(),
): Promise<void> {
  const rows = await listConnectionRows(ctx.database.db);
  const gauge = ctx.metrics.secretExpiresInDays;
  // Reset first so that a deleted or renamed connection's series disappears.
  gauge.reset();
  for (const row of rows) {
    const credentials = credentialStatus(toConnection(row));
    if (credentials.expiresInDays !== null) gauge.set({ connection: row.name }, credentials.expiresInDays);
    if (!credentials.warning) {
      lastWarned.delete(row.id);
      continue;
    }
    if (now - (lastWarned.get(row.id) ?? -Infinity) < WARN_EVERY_MS) continue;
    lastWarned.set(row.id, now);
    const fields = {
      connectionId: row.id,
      connection: row.name,
      expiresAt: credentials.clientSecretExpiresAt,
      expiresInDays: credentials.expiresInDays,
    };
    const message = `connection "${row.name}": ${credentials.warning}`;
    if (credentials.expiresInDays !== null && credentials.expiresInDays < 0)
      ctx.logger.error(fields, message);
    else ctx.logger.warn(fields, message);
  }
}
