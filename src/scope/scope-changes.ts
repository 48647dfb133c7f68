/**
 * Turns membership into events: users who joined the scoped group (directly or through a nested
 * group) become user.created, users who left become user.deleted with reason out_of_scope.
 */
import { sql } from 'kysely';
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { Db } from '../db/database.js';
import type { EventSource } from '../db/schema.js';
import type { GraphApi } from '../graph/graph-api.js';
import { type ApplyOptions, applyUserObservations, type UserObservation } from '../sync/apply-user-changes.js';
import { readUsersById } from '../sync/user-reads.js';
import { scopedUserIds } from './group-members.repository.js';

export interface ScopeChangeResult {
  readonly entered: number;
  readonly left: number;
}

export async function applyScopeChanges(
  db: Db,
  graph: GraphApi,
  connection: ConnectionRow,
  source: EventSource,
): Promise<ScopeChangeResult> {
  const members = await scopedUserIds(db, connection.id, connection.group_id!);
  const flagged = await sql<{ user_id: string }>`
    SELECT user_id FROM users WHERE connection_id = ${connection.id} AND in_scope`.execute(db);
  const inScopeNow = new Set(flagged.rows.map((r) => r.user_id));
  const observations: UserObservation[] = [];
  for (const id of inScopeNow) if (!members.has(id)) observations.push({ userId: id, inScope: false });
  for (const id of members) if (!inScopeNow.has(id)) observations.push({ userId: id, inScope: true });
  if (observations.length === 0) return { entered: 0, left: 0 };
  const options: ApplyOptions = {
    connectionId: connection.id,
    tenantId: connection.tenant_id,
    source,
    occurredAt: new Date(),
  };
  const first = await db.transaction().execute((tx) => applyUserObservations(tx, observations, options));
  if (first.needsFullRead.length > 0) {
    // Joined the scope, but we never read this user whole: read it now.
    const whole = await readUsersById(graph, first.needsFullRead);
    await db.transaction().execute((tx) =>
      applyUserObservations(tx, whole.map((w) => ({ ...w, inScope: true })), options),
    );
  }
  return {
    entered: observations.filter((o) => o.inScope).length,
    left: observations.filter((o) => !o.inScope).length,
  };
}
