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
  /** Too many would have left at once: nothing was removed, a (guarded) reconcile run is queued. */
  readonly guarded: boolean;
  /** Who is in scope for the rest of the round. */
  readonly inScope: (userId: string) => boolean;
}

export interface ScopeGuard {
  readonly maxDeletePercent: number;
  readonly maxDeleteFloor: number;
  /** Called instead of removing users when the guard trips. */
  readonly onTrip: (left: number, total: number) => Promise<void>;
}

export async function applyScopeChanges(
  db: Db,
  graph: GraphApi,
  connection: ConnectionRow,
  source: EventSource,
  guard: ScopeGuard,
): Promise<ScopeChangeResult> {
  const members = await scopedUserIds(db, connection.id, connection.group_id!);
  const flagged = await sql<{ user_id: string }>`
    SELECT user_id FROM users WHERE connection_id = ${connection.id} AND in_scope`.execute(db);
  const inScopeNow = new Set(flagged.rows.map((r) => r.user_id));
  const observations: UserObservation[] = [];
  for (const id of inScopeNow) if (!members.has(id)) observations.push({ userId: id, inScope: false });
  const leaving = observations.length;
  const limit = Math.max(guard.maxDeleteFloor, Math.floor((guard.maxDeletePercent / 100) * inScopeNow.size));
  const guarded = leaving > limit;
  if (guarded) {
    // A deleted group or a wrong group id must not wipe the workforce: keep everyone, ask a human.
    observations.length = 0;
    await guard.onTrip(leaving, inScopeNow.size);
  }
  for (const id of members) if (!inScopeNow.has(id)) observations.push({ userId: id, inScope: true });
  const inScope = guarded ? (id: string) => members.has(id) || inScopeNow.has(id) : (id: string) => members.has(id);
  if (observations.length === 0) return { entered: 0, left: 0, guarded, inScope };
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
    guarded,
    inScope,
  };
}
