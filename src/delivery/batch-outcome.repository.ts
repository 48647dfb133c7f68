/**
 * Recording how an attempt ended: one statement per finished attempt. Delivered is recorded
 * whoever holds the lease (Leena AI has the events either way); a retry or a dead letter only by
 * the lease holder, so a replica that lost its lease cannot overwrite the newer attempt's state.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** Marks the batch delivered and takes its events off the queue. False when it was already finished. */
export async function markBatchDelivered(db: Db, batchId: string, httpStatus: number): Promise<boolean> {
  const result = await sql<{ id: string }>`/* named:mark_batch_delivered */
    WITH b AS (
      UPDATE delivery_batches
         SET status = 'delivered', finished_at = now(), last_status = ${httpStatus}, last_error = NULL,
             lease_owner = NULL, lease_until = NULL, body = NULL
       WHERE id = ${batchId} AND status = 'pending'
      RETURNING id, connection_id, event_ids
    ), e AS (
      DELETE FROM delivery_queue q
       USING b, unnest(b.event_ids) AS batch_event(id)
       WHERE q.connection_id = b.connection_id AND q.outbox_id = batch_event.id AND NOT q.dead
    )
    SELECT id FROM b`.execute(db);
  return result.rows.length > 0;
}

export interface RetryPlan {
  readonly batchId: string;
  readonly owner: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly httpStatus: number | null;
  readonly error: string;
}

/** Releases the lease and sets the next attempt time. False when the lease was lost meanwhile. */
export async function scheduleBatchRetry(db: Db, plan: RetryPlan): Promise<boolean> {
  const result = await db
    .updateTable('delivery_batches')
    .set({
      next_attempt_at: sql<Date>`now() + make_interval(secs => ${plan.delayMs / 1000})`,
      lease_owner: null,
      lease_until: null,
      last_status: plan.httpStatus,
      last_error: plan.error,
    })
    .where('id', '=', plan.batchId)
    .where('status', '=', 'pending')
    .where('lease_owner', '=', plan.owner)
    .where('attempts', '=', plan.attempt)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export interface DeadLetterPlan {
  readonly batchId: string;
  readonly owner: string;
  readonly attempt: number;
  /** In plain words, for the operator reading the dead-letter list. */
  readonly reason: string;
  readonly httpStatus: number | null;
  readonly responseExcerpt: string | null;
}

/**
 * Finishes the batch as dead: its events become dead letters, which hold back the later events
 * of their users until replayed or skipped. An event dead-lettered again after a replay gets its
 * dead letter reopened. Returns how many events were dead-lettered.
 */
export async function deadLetterBatch(db: Db, plan: DeadLetterPlan): Promise<number> {
  const result = await sql<{ event_id: string }>`
    WITH b AS (
      UPDATE delivery_batches
         SET status = 'dead', finished_at = now(), last_status = ${plan.httpStatus}, last_error = ${plan.reason},
             lease_owner = NULL, lease_until = NULL, body = NULL
       WHERE id = ${plan.batchId} AND status = 'pending' AND lease_owner = ${plan.owner} AND attempts = ${plan.attempt}
      RETURNING id, connection_id, event_ids
    ), q AS (
      UPDATE delivery_queue q SET dead = true
        FROM b, unnest(b.event_ids) AS batch_event(id)
       WHERE q.connection_id = b.connection_id AND q.outbox_id = batch_event.id AND NOT q.dead
      RETURNING q.connection_id, q.outbox_id
    ), e AS (
      SELECT o.event_id, o.connection_id FROM q JOIN outbox_events o ON o.id = q.outbox_id
    )
    INSERT INTO dead_letters (event_id, connection_id, batch_id, reason, http_status, response_excerpt)
    SELECT event_id, connection_id, ${plan.batchId}, ${plan.reason}, ${plan.httpStatus}, ${plan.responseExcerpt} FROM e
    ON CONFLICT (event_id) DO UPDATE
       SET batch_id = excluded.batch_id, reason = excluded.reason, http_status = excluded.http_status,
           response_excerpt = excluded.response_excerpt, dead_at = now(), resolved_at = NULL, resolution = NULL
    RETURNING event_id`.execute(db);
  return result.rows.length;
}
