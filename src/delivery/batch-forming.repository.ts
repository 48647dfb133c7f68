/**
 * Forming new batches from the outbox, in one statement (run under the delivery lock, see
 * claimBatches). The rules, in the order the statement applies them:
 *
 * 1. Pending events in outbox order, skipping every user with an event in an open batch or a dead
 *    event before this one: a user never has a later event in flight while an earlier one is
 *    undelivered.
 * 2. A user's events must be a run of consecutive sequences from the user's first undelivered
 *    event (always true, as writers give a user's events increasing ids; were it ever not, the
 *    user waits for a later claim rather than go out of order), at most one batch's worth.
 * 3. Users are packed whole, in order of their first event, into up to N batches of at most
 *    `maxEvents` events: all of a user's events share one batch, since batches travel in
 *    parallel. A user who does not fit waits for the next claim.
 *
 * The pending events are the queue's rows that are not dead (delivery_queue, migration 0005).
 * Each batch row records its event ids, its user ids and the body Postgres built from the outbox
 * payloads (each user's events together, in sequence order), so a retry resends the same bytes.
 * The queue rows are removed only when their batch finishes.
 */
import { sql } from 'kysely';
import type { Tx } from '../db/database.js';
import type { ClaimArgs, ClaimRow } from './batch-claim.repository.js';

/** Forms up to `webhookIds.length` batches (fewer if the connection's open-batch limit is near). */
export async function formBatches(
  tx: Tx,
  args: ClaimArgs,
  webhookIds: readonly string[],
): Promise<ClaimRow[]> {
  const c = args.connectionId;
  const per = args.maxEvents;
  const result = await sql<ClaimRow>`/* named:form_batches */
    WITH conn AS (
      SELECT updated_at FROM connections WHERE id = ${c} AND NOT delivery_paused
    ), open_batches AS (
      SELECT user_ids FROM delivery_batches WHERE connection_id = ${c} AND status = 'pending'
    ), room AS (
      SELECT least(${webhookIds.length}::int, ${args.maxOpenBatches}::int - (SELECT count(*) FROM open_batches)::int) AS batches
    ), candidates AS (
      -- One ordered walk of the pending index, filtered row by row. The filters are scalar
      -- subqueries on purpose: as joins, the planner may lose the order and sort every pending event.
      SELECT q.outbox_id AS id, q.user_id, q.sequence
        FROM delivery_queue q
       WHERE q.connection_id = ${c} AND NOT q.dead
         AND EXISTS (SELECT 1 FROM conn) AND (SELECT batches FROM room) > 0
         AND NOT (q.user_id = ANY (ARRAY(SELECT unnest(user_ids) FROM open_batches)))
         AND q.sequence < coalesce((
               SELECT min(x.sequence) FROM delivery_queue x
                WHERE x.connection_id = ${c} AND x.user_id = q.user_id AND x.dead), 2147483647)
       ORDER BY q.outbox_id
       LIMIT ${webhookIds.length * per}
    ), runs AS (
      SELECT k.id, k.user_id, k.sequence, min(k.id) OVER (PARTITION BY k.user_id) AS user_first_id
        FROM (SELECT c.*, row_number() OVER (PARTITION BY c.user_id ORDER BY c.sequence) AS n FROM candidates c) k
        JOIN LATERAL (
          SELECT min(x.sequence) AS head FROM delivery_queue x
           WHERE x.connection_id = ${c} AND x.user_id = k.user_id) h
          ON k.sequence - k.n + 1 = h.head
       WHERE k.n <= ${per}
    ), sized AS (
      -- Per event: where its user's events end in the packing order (users by first event) and
      -- how many its user has. Windows over one row set, no joins: cheap and order-stable.
      SELECT r.*, count(*) OVER (ORDER BY r.user_first_id) AS end_at, count(*) OVER (PARTITION BY r.user_id) AS size
        FROM runs r
    ), binned AS (
      -- A user belongs to the batch its last event falls in...
      SELECT s.*, ceil(s.end_at / ${per}::numeric)::int AS batch FROM sized s
    ), placed AS (
      -- ...and a batch keeps the users that fit within maxEvents of its first user's first event.
      SELECT b.* FROM (SELECT b.*, min(b.end_at - b.size) OVER (PARTITION BY b.batch) AS batch_start FROM binned b) b
       WHERE b.end_at - b.batch_start <= ${per} AND b.batch <= (SELECT batches FROM room)
    ), inserted AS (
      INSERT INTO delivery_batches (id, connection_id, event_count, event_ids, user_ids, attempts,
                                    first_attempt_at, last_attempt_at, lease_owner, lease_until, body)
      SELECT (${webhookIds}::text[])[p.batch], ${c}, count(*),
             array_agg(p.id ORDER BY p.user_first_id, p.sequence), array_agg(DISTINCT p.user_id), 1,
             now(), now(), ${args.owner}, now() + make_interval(secs => ${args.leaseSeconds}),
             '{"events":[' || string_agg(o.payload::text, ',' ORDER BY p.user_first_id, p.sequence) || ']}'
        FROM placed p JOIN outbox_events o ON o.id = p.id
       GROUP BY p.batch
      RETURNING id, body, event_count, attempts, first_attempt_at
    )
    SELECT inserted.*, (SELECT updated_at FROM conn) AS connection_updated_at FROM inserted`.execute(tx);
  return result.rows;
}
