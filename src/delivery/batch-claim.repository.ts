/**
 * Claiming work for a connection's dispatcher: batches due for a retry (or abandoned by a dead
 * replica) first, then new batches formed from the outbox (batch-forming.repository.ts). All under
 * the connection's delivery lock, so that replicas take turns: no event lands in two batches, and
 * the number of open batches never exceeds the connection's concurrency.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database.js';
import { formBatches } from './batch-forming.repository.js';
import { newWebhookId } from './signing.js';

export interface ClaimedBatch {
  /** The webhook-id. */
  readonly id: string;
  /** The exact request body; identical on every attempt. */
  readonly body: string;
  readonly eventCount: number;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly firstAttemptAt: Date;
  /** connections.updated_at, so cached secrets are dropped when the connection changes. */
  readonly connectionUpdatedAt: Date;
}

export interface ClaimArgs {
  readonly connectionId: string;
  /** This replica; written into the lease. */
  readonly owner: string;
  readonly leaseSeconds: number;
  /** Most batches open (in flight or in retry backoff) for the connection, across replicas. */
  readonly maxOpenBatches: number;
  readonly maxEvents: number;
}

export interface ClaimRow {
  id: string;
  body: string | null;
  event_count: number;
  attempts: number;
  first_attempt_at: Date;
  connection_updated_at: Date;
}

/**
 * One transaction: take the connection's delivery lock, claim due batches, then form new ones,
 * up to `max` in all (the dispatcher's free slots). Empty when there is nothing to send.
 */
export async function claimBatches(db: Db, args: ClaimArgs, max: number): Promise<ClaimedBatch[]> {
  return db.transaction().execute(async (tx) => {
    await lockConnectionDelivery(tx, args.connectionId);
    const claimed: ClaimedBatch[] = [];
    while (claimed.length < max) {
      const due = await claimDueBatch(tx, args);
      if (!due) break;
      claimed.push(due);
    }
    if (claimed.length === max) return claimed;
    const ids = Array.from({ length: max - claimed.length }, () => newWebhookId());
    return [...claimed, ...(await formBatches(tx, args, ids)).map(toClaimed)];
  });
}

/**
 * Serialises claims per connection across replicas for the rest of the transaction. An advisory
 * lock rather than a row lock on `connections`, so admin edits and other workers never wait on it.
 */
export async function lockConnectionDelivery(tx: Tx, connectionId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`entra_sync_delivery:${connectionId}`}, 0))`.execute(
    tx,
  );
}

/** A pending batch whose retry time has come, or whose lease ran out (its replica died). */
export async function claimDueBatch(tx: Tx, args: ClaimArgs): Promise<ClaimedBatch | undefined> {
  const result = await sql<ClaimRow>`/* named:claim_due_batch */
    UPDATE delivery_batches b
       SET lease_owner = ${args.owner},
           lease_until = now() + make_interval(secs => ${args.leaseSeconds}),
           attempts = b.attempts + 1,
           first_attempt_at = coalesce(b.first_attempt_at, now()),
           last_attempt_at = now()
      FROM connections c
     WHERE c.id = b.connection_id AND NOT c.delivery_paused
       AND b.id = (
         SELECT id FROM delivery_batches
          WHERE connection_id = ${args.connectionId} AND status = 'pending' AND next_attempt_at <= now()
            AND (lease_until IS NULL OR lease_until <= now())
          ORDER BY next_attempt_at
          LIMIT 1
            FOR UPDATE SKIP LOCKED)
    RETURNING b.id, b.body, b.event_count, b.attempts, b.first_attempt_at, c.updated_at AS connection_updated_at`.execute(
    tx,
  );
  const row = result.rows[0];
  return row && toClaimed(row);
}

function toClaimed(row: ClaimRow): ClaimedBatch {
  if (row.body === null)
    throw new Error(`batch ${row.id} is open but has no stored body (formed before migration 0002?)`);
  return {
    id: row.id,
    body: row.body,
    eventCount: row.event_count,
    attempt: row.attempts,
    firstAttemptAt: row.first_attempt_at,
    connectionUpdatedAt: row.connection_updated_at,
  };
}

/** Milliseconds until the connection's next batch is due (a retry, or a lease running out); undefined if none. */
export async function msUntilNextDue(db: Db, connectionId: string): Promise<number | undefined> {
  const result = await sql<{ ms: number | null }>`
    SELECT (extract(epoch FROM min(CASE WHEN lease_until > now() THEN lease_until ELSE next_attempt_at END) - now()) * 1000)::float8 AS ms
      FROM delivery_batches
     WHERE connection_id = ${connectionId} AND status = 'pending'
       AND NOT EXISTS (SELECT 1 FROM connections WHERE id = ${connectionId} AND delivery_paused)`.execute(db);
  const ms = result.rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : Math.max(0, Math.ceil(ms));
}
