/** Reads what the sync wrote (the outbox, what Leena AI was sent), for assertions. */
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.js';

export interface OutboxEvent {
  id: string;
  type: string;
  userId: string;
  sequence: number;
  source: string;
  user?: Record<string, unknown>;
  changes?: Record<string, { old: unknown; new: unknown }>;
  reason?: string;
}

export async function outbox(database: Database, connectionId: string): Promise<OutboxEvent[]> {
  const rows = await database.db
    .selectFrom('outbox_events')
    .select(['payload'])
    .where('connection_id', '=', connectionId)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.payload as unknown as OutboxEvent);
}

export async function eventsFor(
  database: Database,
  connectionId: string,
  userId: string,
): Promise<OutboxEvent[]> {
  return (await outbox(database, connectionId)).filter((e) => e.userId === userId);
}

/** What Leena AI was last sent, per user it has (stored once when it is Graph's profile, 0006). */
export async function sentProfiles(database: Database): Promise<Map<string, Record<string, unknown>>> {
  const rows = await database.db
    .selectFrom('users')
    .select([
      'user_id',
      sql<Record<string, unknown>>`CASE WHEN sent_is_graph THEN graph_profile ELSE sent_profile END`.as(
        'sent',
      ),
    ])
    .where('in_leena', '=', true)
    .execute();
  return new Map(rows.map((r) => [r.user_id, r.sent]));
}
