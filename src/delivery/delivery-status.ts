/** The delivery part of a connection's status (GET /admin/connections/{id}/status and /delivery). */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface DeliveryStatus {
  /** Delivery paused by an operator: events accumulate in the backlog. */
  readonly paused: boolean;
  /** Events not yet accepted by Leena AI (in flight, waiting for a retry, or held back), dead letters excluded. */
  readonly backlog: number;
  readonly oldestPendingAt: Date | null;
  /** Batches being sent right now, by any replica. */
  readonly inFlightBatches: number;
  /** When the next batch waiting for a retry is due. */
  readonly nextAttemptAt: Date | null;
  readonly lastDeliveredAt: Date | null;
  /** The most recent failure of a batch still being retried; null when nothing is failing. */
  readonly lastError: {
    readonly message: string;
    readonly httpStatus: number | null;
    readonly at: Date | null;
    readonly webhookId: string;
  } | null;
  /** Open dead letters (events refused or out of retries, waiting for replay or skip). */
  readonly deadLetters: number;
}

interface Row {
  paused: boolean | null;
  backlog: string;
  oldest: Date | null;
  in_flight: string;
  next_attempt: Date | null;
  last_delivered: Date | null;
  dead: string;
  error_batch: string | null;
  error_message: string | null;
  error_status: number | null;
  error_at: Date | null;
}

export async function deliveryStatus(db: Db, connectionId: string): Promise<DeliveryStatus> {
  const result = await sql<Row>`
    SELECT
      (SELECT delivery_paused FROM connections WHERE id = ${connectionId}) AS paused,
      (SELECT count(*) FROM delivery_queue WHERE connection_id = ${connectionId} AND NOT dead) AS backlog,
      (SELECT o.created_at FROM outbox_events o
        WHERE o.id = (SELECT min(outbox_id) FROM delivery_queue WHERE connection_id = ${connectionId} AND NOT dead)) AS oldest,
      (SELECT count(*) FROM delivery_batches
        WHERE connection_id = ${connectionId} AND status = 'pending' AND lease_until > now()) AS in_flight,
      (SELECT min(next_attempt_at) FROM delivery_batches
        WHERE connection_id = ${connectionId} AND status = 'pending' AND (lease_until IS NULL OR lease_until <= now())) AS next_attempt,
      (SELECT max(finished_at) FROM delivery_batches WHERE connection_id = ${connectionId} AND status = 'delivered') AS last_delivered,
      (SELECT count(*) FROM dead_letters WHERE connection_id = ${connectionId} AND resolved_at IS NULL) AS dead,
      e.id AS error_batch, e.last_error AS error_message, e.last_status AS error_status, e.last_attempt_at AS error_at
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (
      SELECT id, last_error, last_status, last_attempt_at FROM delivery_batches
       WHERE connection_id = ${connectionId} AND status = 'pending' AND last_error IS NOT NULL
       ORDER BY last_attempt_at DESC NULLS LAST LIMIT 1) e ON true`.execute(db);
  const r = result.rows[0]!;
  return {
    paused: r.paused ?? false,
    backlog: Number(r.backlog),
    oldestPendingAt: r.oldest,
    inFlightBatches: Number(r.in_flight),
    nextAttemptAt: r.next_attempt,
    lastDeliveredAt: r.last_delivered,
    lastError:
      r.error_batch && r.error_message
        ? { message: r.error_message, httpStatus: r.error_status, at: r.error_at, webhookId: r.error_batch }
        : null,
    deadLetters: Number(r.dead),
  };
}
