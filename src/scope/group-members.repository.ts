/** Membership edges of the scoped group and the groups nested in it. */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database.js';

export interface MemberEdge {
  readonly groupId: string;
  readonly memberId: string;
  readonly memberType: 'user' | 'group';
}

/** Groups reachable from the scoped group (itself included), through nested group members. */
export async function scopedGroupIds(db: Db | Tx, connectionId: string, rootGroupId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    WITH RECURSIVE g(id) AS (
      SELECT ${rootGroupId}::text
      UNION
      SELECT m.member_id FROM group_members m JOIN g ON m.group_id = g.id
      WHERE m.connection_id = ${connectionId} AND m.member_type = 'group'
    ) SELECT id FROM g`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** The transitive user members of the scoped group: who is in scope. */
export async function scopedUserIds(db: Db | Tx, connectionId: string, rootGroupId: string): Promise<Set<string>> {
  const groups = await scopedGroupIds(db, connectionId, rootGroupId);
  const rows = await sql<{ member_id: string }>`
    SELECT DISTINCT member_id FROM group_members
    WHERE connection_id = ${connectionId} AND member_type = 'user' AND group_id = ANY(${groups}::text[])`.execute(db);
  return new Set(rows.rows.map((r) => r.member_id));
}

export async function replaceGroupMembers(tx: Tx, connectionId: string, groupIds: readonly string[]): Promise<void> {
  await tx
    .deleteFrom('group_members')
    .where('connection_id', '=', connectionId)
    .where('group_id', 'in', groupIds.length > 0 ? [...groupIds] : [''])
    .execute();
}

export async function addEdges(tx: Tx, connectionId: string, edges: readonly MemberEdge[]): Promise<void> {
  if (edges.length === 0) return;
  await tx
    .insertInto('group_members')
    .values(edges.map((e) => ({ connection_id: connectionId, group_id: e.groupId, member_id: e.memberId, member_type: e.memberType })))
    .onConflict((oc) => oc.columns(['connection_id', 'group_id', 'member_id']).doUpdateSet((eb) => ({ member_type: eb.ref('excluded.member_type') })))
    .execute();
}

export async function removeEdges(tx: Tx, connectionId: string, edges: readonly Omit<MemberEdge, 'memberType'>[]): Promise<void> {
  for (const e of edges) {
    await tx
      .deleteFrom('group_members')
      .where('connection_id', '=', connectionId)
      .where('group_id', '=', e.groupId)
      .where('member_id', '=', e.memberId)
      .execute();
  }
}
