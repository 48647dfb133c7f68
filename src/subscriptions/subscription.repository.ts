/** subscriptions rows: one per connection and kind, claimed under a lease when due. */
import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Db, Tx } from '../db/database.js';
import type { SubscriptionsTable } from '../db/schema.js';
import { CHANNELS } from '../work/wakeups.js';

export type SubscriptionRow = Selectable<SubscriptionsTable>;

export async function claimDueSubscription(db: Db, owner: string, leaseSeconds: number): Promise<SubscriptionRow | undefined> {
  const rows = await sql<SubscriptionRow>`
    UPDATE subscriptions s SET lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${leaseSeconds})
    WHERE s.id = (
      SELECT id FROM subscriptions
      WHERE (lease_until IS NULL OR lease_until < now())
        AND next_check_at <= now()
      ORDER BY next_check_at LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING s.*`.execute(db);
  return rows.rows[0];
}

export async function msUntilNextSubscriptionCheck(db: Db): Promise<number | undefined> {
  const row = await sql<{ ms: number | null }>`
    SELECT EXTRACT(EPOCH FROM (MIN(next_check_at) - now())) * 1000 AS ms FROM subscriptions`.execute(db);
  const ms = row.rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : Math.max(0, Number(ms));
}

export type SubscriptionPatch = Partial<
  Pick<
    SubscriptionRow,
    | 'mode'
    | 'graph_subscription_id'
    | 'client_state_hash'
    | 'expires_at'
    | 'last_renewed_at'
    | 'last_error'
    | 'last_error_at'
    | 'next_check_at'
    | 'resource'
  >
> & { clearReauthorize?: Date; clearRecreate?: Date };

/** Saves the outcome and releases the lease; request flags are cleared only up to what was handled. */
export async function finishSubscription(db: Db | Tx, row: SubscriptionRow, patch: SubscriptionPatch): Promise<void> {
  const { clearReauthorize, clearRecreate, ...set } = patch;
  await db
    .updateTable('subscriptions')
    .set({ ...set, lease_owner: null, lease_until: null, updated_at: new Date() })
    .where('id', '=', row.id)
    .execute();
  if (clearReauthorize) {
    await db
      .updateTable('subscriptions')
      .set({ reauthorize_requested_at: null })
      .where('id', '=', row.id)
      .where('reauthorize_requested_at', '<=', clearReauthorize)
      .execute();
  }
  if (clearRecreate) {
    await db
      .updateTable('subscriptions')
      .set({ recreate_requested_at: null })
      .where('id', '=', row.id)
      .where('recreate_requested_at', '<=', clearRecreate)
      .execute();
  }
}

export async function requestSubscriptionWork(
  db: Db | Tx,
  subscriptionIds: readonly string[],
  what: 'reauthorize' | 'recreate',
): Promise<void> {
  if (subscriptionIds.length === 0) return;
  const column = what === 'reauthorize' ? sql.ref('reauthorize_requested_at') : sql.ref('recreate_requested_at');
  await sql`UPDATE subscriptions SET ${column} = now(), next_check_at = now() WHERE id = ANY(${[...subscriptionIds]}::uuid[])`.execute(db);
  await sql`SELECT pg_notify(${CHANNELS.subscriptions}, '')`.execute(db);
}
