/** Reads what the sync wrote to the outbox, for assertions. */
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

export async function eventsFor(database: Database, connectionId: string, userId: string): Promise<OutboxEvent[]> {
  return (await outbox(database, connectionId)).filter((e) => e.userId === userId);
}
