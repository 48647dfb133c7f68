/**
 * Claiming work for a connection's dispatcher: a batch due for a retry (or abandoned by a dead
 * replica), else a new batch formed from the outbox. Both run under the connection's delivery
 * lock (see claimNextBatch) so that replicas take turns: no event lands in two batches, and the
 * number of open batches never exceeds the connection's concurrency.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database.js';

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
  /** The webhook-id a new batch gets. */
  readonly newBatchId: string;
}

interface ClaimRow {
  id: string;
  body: string | null;
  event_count: number;
  attempts: number;
  first_attempt_at: Date;
  connection_updated_at: Date;
}

/** One transaction: lock, then a due batch or else a new one; undefined when there is nothing to send. */
export async function claimNextBatch(db: Db, args: ClaimArgs): Promise<ClaimedBatch | undefined> {
  return db.transaction().execute(async (tx) => {
    await lockConnectionDelivery(tx, args.connectionId);
    return (await claimDueBatch(tx, args)) ?? (await formBatch(tx, args));
  });
}

/**
 * Serialises claims per connection across replicas for the rest of the transaction. An advisory
 * lock rather than a row lock on `connections`, so admin edits and other workers never wait on it.
 */
export async function lockConnectionDelivery(tx: Tx, connectionId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`entra_sync_delivery:${connectionId}`}, 0))`.execute(tx);
}

/** A pending batch whose retry time has come, or whose lease ran out (its replica died). */
export async function claimDueBatch(tx: Tx, args: ClaimArgs): Promise<ClaimedBatch | undefined> {
  const result = await sql<ClaimRow>`
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
    RETURNING b.id, b.body, b.event_count, b.attempts, b.first_attempt_at, c.updated_at AS connection_updated_at`.execute(tx);
  return toClaimed(result.rows[0]);
}

/**
 * Forms a batch of up to maxEvents pending events in outbox order. An event may join only when
 * no earlier event of its user is still open (in a batch) or dead: a user never has a later
 * event in flight while an earlier one is undelivered. Consecutive events of one user may share
 * a batch; the body lists each user's events in sequence order. Claim, mark and insert are one
 * statement; the body is built by Postgres and stored, so a retry resends the same bytes.
 */
export async function formBatch(tx: Tx, args: ClaimArgs): Promise<ClaimedBatch | undefined> {
  const c = args.connectionId;
  const result = await sql<ClaimRow & { marked: string }>`
    WITH conn AS (
      SELECT updated_at FROM connections WHERE id = ${c} AND NOT delivery_paused
    ), room AS (
      SELECT count(*) AS open FROM delivery_batches WHERE connection_id = ${c} AND status = 'pending'
    ), candidates AS (
      SELECT e.id, e.user_id, e.sequence, e.payload
        FROM outbox_events e
       WHERE e.connection_id = ${c} AND e.status = 'pending' AND e.batch_id IS NULL
         AND EXISTS (SELECT 1 FROM conn) AND (SELECT open FROM room) < ${args.maxOpenBatches}
         AND NOT EXISTS (
           SELECT 1 FROM outbox_events x
            WHERE x.connection_id = ${c} AND x.user_id = e.user_id AND x.sequence < e.sequence
              AND (x.status = 'dead' OR (x.status = 'pending' AND x.batch_id IS NOT NULL)))
       ORDER BY e.id
       LIMIT ${args.maxEvents}
    ), picked AS (
      -- Writers give a user's events increasing ids; should one ever not, an earlier event left
      -- outside this window still holds its later ones back.
      SELECT k.*, min(k.id) OVER (PARTITION BY k.user_id) AS user_first_id
        FROM candidates k
       WHERE NOT EXISTS (
         SELECT 1 FROM outbox_events x
          WHERE x.connection_id = ${c} AND x.user_id = k.user_id AND x.sequence < k.sequence
            AND x.status = 'pending' AND x.batch_id IS NULL
            AND x.id NOT IN (SELECT id FROM candidates))
    ), marked AS (
      UPDATE outbox_events o SET batch_id = ${args.newBatchId} FROM picked p WHERE o.id = p.id RETURNING o.id
    ), batch AS (
      INSERT INTO delivery_batches
        (id, connection_id, event_count, attempts, first_attempt_at, last_attempt_at, lease_owner, lease_until, body)
      SELECT ${args.newBatchId}, ${c}, count(*), 1, now(), now(), ${args.owner},
             now() + make_interval(secs => ${args.leaseSeconds}),
             '{"events":[' || string_agg(p.payload::text, ',' ORDER BY p.user_first_id, p.sequence) || ']}'
        FROM picked p
      HAVING count(*) > 0
      RETURNING id, body, event_count, attempts, first_attempt_at
    )
    SELECT batch.*, (SELECT updated_at FROM conn) AS connection_updated_at, (SELECT count(*) FROM marked) AS marked
      FROM batch`.execute(tx);
  const row = result.rows[0];
  if (row && Number(row.marked) !== row.event_count) {
    // Cannot happen under the delivery lock; refuse to send a body that disagrees with the rows.
    throw new Error(`batch ${row.id}: marked ${row.marked} events but the body has ${row.event_count}; not sent`);
  }
  return toClaimed(row);
}

function toClaimed(row: ClaimRow | undefined): ClaimedBatch | undefined {
  if (!row) return undefined;
  if (row.body === null) throw new Error(`batch ${row.id} is open but has no stored body (formed before migration 0002?)`);
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
