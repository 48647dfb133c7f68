/**
 * Dead letters: listing them, and the two ways out. Replay makes the events pending again (they
 * are formed into new batches, in sequence order, before anything later of their users); skip
 * gives up on them so the later events of their users go on. Either way every replica's
 * dispatcher is woken in the same transaction.
 */
import { type RawBuilder, sql } from 'kysely';
import type { Db, Tx } from '../db/database.js';
import { wakeDispatchers } from './delivery-control.repository.js';

export type DeadLetterFilter = 'open' | 'resolved' | 'all';

export interface DeadLetter {
  readonly eventId: string;
  readonly userId: string;
  readonly sequence: number;
  readonly type: string;
  readonly batchId: string;
  readonly reason: string;
  readonly httpStatus: number | null;
  readonly responseExcerpt: string | null;
  readonly deadAt: Date;
  readonly resolvedAt: Date | null;
  readonly resolution: 'replayed' | 'skipped' | null;
  /** Opaque position for keyset paging. */
  readonly cursor: string;
}

export interface ListArgs {
  readonly filter: DeadLetterFilter;
  readonly limit: number;
  /** Cursor of the last dead letter of the previous page. */
  readonly after?: { readonly deadAt: string; readonly eventId: string };
}

/** Oldest first (the order a replay sends them in), paged by (dead_at, event_id). */
export async function listDeadLetters(db: Db, connectionId: string, args: ListArgs): Promise<DeadLetter[]> {
  let query = db
    .selectFrom('dead_letters as d')
    .innerJoin('outbox_events as e', 'e.event_id', 'd.event_id')
    .select(['d.event_id', 'e.user_id', 'e.sequence', 'e.type', 'd.batch_id', 'd.reason', 'd.http_status'])
    .select(['d.response_excerpt', 'd.dead_at', 'd.resolved_at', 'd.resolution'])
    .select(sql<string>`d.dead_at::text`.as('dead_at_text'))
    .where('d.connection_id', '=', connectionId);
  if (args.filter === 'open') query = query.where('d.resolved_at', 'is', null);
  if (args.filter === 'resolved') query = query.where('d.resolved_at', 'is not', null);
  if (args.after)
    query = query.where(
      sql<boolean>`(d.dead_at, d.event_id) > (${args.after.deadAt}::timestamptz, ${args.after.eventId})`,
    );
  const rows = await query.orderBy('d.dead_at').orderBy('d.event_id').limit(args.limit).execute();
  return rows.map((r) => ({
    eventId: r.event_id,
    userId: r.user_id,
    sequence: r.sequence,
    type: r.type,
    batchId: r.batch_id,
    reason: r.reason,
    httpStatus: r.http_status,
    responseExcerpt: r.response_excerpt,
    deadAt: r.dead_at,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
    cursor: encodeCursor(r.dead_at_text, r.event_id),
  }));
}

export type ReplaySelection = { readonly eventId: string } | { readonly since: Date };

export interface ResolvedEvent {
  readonly eventId: string;
  readonly userId: string;
  readonly sequence: number;
}

/** Open dead letters back to pending: one by event id, or every one dead since a time. */
export async function replayDeadLetters(
  tx: Tx,
  connectionId: string,
  selection: ReplaySelection,
): Promise<ResolvedEvent[]> {
  const match =
    'eventId' in selection ? sql`event_id = ${selection.eventId}` : sql`dead_at >= ${selection.since}`;
  const rows = await resolve(tx, connectionId, match, 'replayed');
  return rows.sort((a, b) => a.userId.localeCompare(b.userId) || a.sequence - b.sequence);
}

/** Gives up on one dead event: the later events of its user are delivered without it. */
export async function skipDeadLetter(
  tx: Tx,
  connectionId: string,
  eventId: string,
): Promise<ResolvedEvent | undefined> {
  const [row] = await resolve(tx, connectionId, sql`event_id = ${eventId}`, 'skipped');
  return row;
}

/** Moves the matching dead events on (pending again, or skipped) and closes their dead letters, together. */
async function resolve(
  tx: Tx,
  connectionId: string,
  match: RawBuilder<unknown>,
  resolution: 'replayed' | 'skipped',
): Promise<ResolvedEvent[]> {
  // A replayed event is pending again; a skipped one leaves the queue (which is what skipped means).
  const moveOn =
    resolution === 'replayed'
      ? sql`UPDATE delivery_queue q SET dead = false`
      : sql`DELETE FROM delivery_queue q`;
  const result = await sql<{ event_id: string; user_id: string; sequence: number }>`
    WITH q AS (
      ${moveOn}
       WHERE q.connection_id = ${connectionId} AND q.dead
         AND q.outbox_id IN (SELECT o.id FROM outbox_events o
                              WHERE o.event_id IN (SELECT event_id FROM dead_letters
                                                    WHERE connection_id = ${connectionId} AND resolved_at IS NULL AND ${match}))
      RETURNING q.outbox_id, q.user_id, q.sequence
    ), e AS (
      SELECT o.event_id, q.user_id, q.sequence FROM q JOIN outbox_events o ON o.id = q.outbox_id
    ), d AS (
      UPDATE dead_letters SET resolved_at = now(), resolution = ${resolution}
       WHERE event_id IN (SELECT event_id FROM e)
    )
    SELECT event_id, user_id, sequence FROM e`.execute(tx);
  await wakeDispatchers(tx, connectionId);
  return result.rows.map(toResolved);
}

function toResolved(r: { event_id: string; user_id: string; sequence: number }): ResolvedEvent {
  return { eventId: r.event_id, userId: r.user_id, sequence: r.sequence };
}

function encodeCursor(deadAt: string, eventId: string): string {
  return Buffer.from(JSON.stringify([deadAt, eventId])).toString('base64url');
}

/** The position a cursor stands for; undefined when it is not one of ours. */
export function decodeCursor(cursor: string): ListArgs['after'] {
  try {
    const [deadAt, eventId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof deadAt !== 'string' || typeof eventId !== 'string' || Number.isNaN(Date.parse(deadAt)))
      return undefined;
    return { deadAt, eventId };
  } catch {
    return undefined;
  }
}
