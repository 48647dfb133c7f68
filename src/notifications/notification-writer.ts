/**
 * Durable recording of accepted notifications with group commit: requests arriving while a
 * transaction is in flight are written together by the next one, so the webhook pays one
 * commit per batch of requests instead of one per request — the difference between a few
 * thousand and tens of thousands of acknowledged notifications a second.
 *
 * The same transaction marks the connections pending (the debounced delta round) and flags
 * subscriptions named by lifecycle events, so nothing is acknowledged that is not also queued.
 */
import { CompiledQuery } from 'kysely';
import type { Database } from '../db/database.js';
import { CHANNELS, SYNC_PENDING } from '../work/wakeups.js';
import { requestSubscriptionWork } from '../subscriptions/subscription.repository.js';
import type { AcceptedItem } from './notification-check.js';

export interface NotificationWriter {
  /** Resolves once the items are committed; rejects if they could not be stored. */
  write(items: readonly AcceptedItem[]): Promise<void>;
}

interface Waiting {
  items: readonly AcceptedItem[];
  resolve(): void;
  reject(error: unknown): void;
}

const MAX_IN_FLIGHT = 3;
const MAX_ITEMS_PER_COMMIT = 5_000;

export function createNotificationWriter(database: Database): NotificationWriter {
  let queue: Waiting[] = [];
  let inFlight = 0;

  const flush = () => {
    while (inFlight < MAX_IN_FLIGHT && queue.length > 0) {
      const batch = takeBatch();
      inFlight += 1;
      commit(database, batch.flatMap((w) => w.items))
        .then(
          () => batch.forEach((w) => w.resolve()),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          inFlight -= 1;
          flush();
        });
    }
  };

  const takeBatch = (): Waiting[] => {
    let count = 0;
    let n = 0;
    while (n < queue.length && (n === 0 || count + queue[n]!.items.length <= MAX_ITEMS_PER_COMMIT)) {
      count += queue[n]!.items.length;
      n += 1;
    }
    const batch = queue.slice(0, n);
    queue = queue.slice(n);
    return batch;
  };

  return {
    write(items) {
      if (items.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ items, resolve, reject });
        flush();
      });
    },
  };
}

async function commit(database: Database, items: readonly AcceptedItem[]): Promise<void> {
  const lifecycle = items.some((i) => i.lifecycleEvent !== null);
  const store = CompiledQuery.raw(STORE_NOTIFICATIONS, storeValues(items));
  if (!lifecycle) {
    await database.db.executeQuery(store);
    return;
  }
  await database.db.transaction().execute(async (tx) => {
    await tx.executeQuery(store);
    const reauthorize = items.filter((i) => i.lifecycleEvent === 'reauthorizationRequired');
    await requestSubscriptionWork(tx, [...new Set(reauthorize.map((i) => i.subscriptionRowId))], 'reauthorize');
    const recreate = items.filter((i) => i.lifecycleEvent === 'subscriptionRemoved');
    await requestSubscriptionWork(tx, [...new Set(recreate.map((i) => i.subscriptionRowId))], 'recreate');
  });
}

/**
 * The common case in one statement (so one round trip, atomic on its own): store the items, mark
 * their connections pending, and wake the sync workers only if a connection became pending.
 * Named (db/named-statements.ts): it runs hundreds of times a second under notification load.
 */
const STORE_NOTIFICATIONS = `/* named:store_notifications */
  WITH stored AS (
    INSERT INTO notifications (connection_id, subscription_id, change_type, resource, lifecycle_event)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])
  ), pending AS (
    UPDATE sync_state SET pending_since = now()
    WHERE connection_id = ANY($6::uuid[]) AND pending_since IS NULL
    RETURNING 1
  )
  SELECT pg_notify('${CHANNELS.sync}', '${SYNC_PENDING}') WHERE EXISTS (SELECT 1 FROM pending)`;

function storeValues(items: readonly AcceptedItem[]): unknown[] {
  // Lifecycle items other than "missed" need no delta round: only changes mark a connection pending.
  const changed = new Set(items.filter((i) => i.lifecycleEvent === null || i.lifecycleEvent === 'missed').map((i) => i.connectionId));
  return [
    items.map((i) => i.connectionId),
    items.map((i) => i.subscriptionRowId),
    items.map((i) => i.changeType),
    items.map((i) => i.resource),
    items.map((i) => i.lifecycleEvent),
    [...changed],
  ];
}
