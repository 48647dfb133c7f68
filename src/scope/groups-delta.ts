/**
 * Following the membership of the scoped group and its nested groups with groups/delta
 * (GroupMember.Read.All is enough, unlike a groups subscription). The delta link is started for
 * a set of group ids ($filter); when nesting brings new groups in, it starts again for the new set.
 */
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { Db, Tx } from '../db/database.js';
import type { GraphApi } from '../graph/graph-api.js';
import { addEdges, type MemberEdge, removeEdges, replaceGroupMembers, scopedGroupIds } from './group-members.repository.js';

/** Graph accepts at most 50 ids in a delta $filter. */
export const MAX_SCOPED_GROUPS = 50;
const GROUPS_READ = { operation: 'GET /groups/delta', permission: 'GroupMember.Read.All' };

interface GroupsDeltaPage {
  value?: Array<{ id: string; '@removed'?: unknown; 'members@delta'?: Array<{ id: string; '@odata.type'?: string; '@removed'?: unknown }> }>;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

export interface GroupsDeltaState {
  readonly link: string | null;
  readonly ids: readonly string[] | null;
}

export function groupsDeltaUrl(groupIds: readonly string[]): string {
  const filter = groupIds.map((id) => `id eq '${id.replace(/'/g, "''")}'`).join(' or ');
  return `/groups/delta?$select=displayName,members&$filter=${encodeURIComponent(filter)}`;
}

/** Brings group_members up to date; returns the new delta state to store (caller's transaction). */
export async function runGroupsDelta(
  db: Db,
  graph: GraphApi,
  connection: ConnectionRow,
  state: GroupsDeltaState,
  store: (tx: Tx, next: GroupsDeltaState) => Promise<void>,
): Promise<{ requests: number }> {
  const root = connection.group_id!;
  let requests = 0;
  for (let round = 0; round < 5; round++) {
    const wanted = (await scopedGroupIds(db, connection.id, root)).slice(0, MAX_SCOPED_GROUPS).sort();
    const fresh = state.link === null || !sameIds(state.ids, wanted);
    const edges: Collected = { add: [], remove: [], deletedGroups: [] };
    let url = fresh ? groupsDeltaUrl(wanted) : state.link!;
    let deltaLink: string | undefined;
    while (deltaLink === undefined) {
      const page = await graph.get<GroupsDeltaPage>(url, GROUPS_READ);
      requests += 1;
      collect(page, edges);
      deltaLink = page['@odata.deltaLink'];
      if (deltaLink === undefined) {
        if (!page['@odata.nextLink']) throw new Error('groups/delta page without nextLink or deltaLink');
        url = page['@odata.nextLink'];
      }
    }
    await db.transaction().execute(async (tx) => {
      if (fresh) await replaceGroupMembers(tx, connection.id, wanted);
      await replaceGroupMembers(tx, connection.id, edges.deletedGroups);
      await removeEdges(tx, connection.id, edges.remove);
      await addEdges(tx, connection.id, edges.add);
      await store(tx, { link: deltaLink!, ids: wanted });
    });
    state = { link: deltaLink, ids: wanted };
    const now = (await scopedGroupIds(db, connection.id, root)).slice(0, MAX_SCOPED_GROUPS).sort();
    if (sameIds(now, wanted)) return { requests };
    // Nesting changed: the new groups' members are read by a fresh round over the new set.
  }
  return { requests };
}

type Collected = { add: MemberEdge[]; remove: Array<{ groupId: string; memberId: string }>; deletedGroups: string[] };

function collect(page: GroupsDeltaPage, edges: Collected) {
  // Entries are applied in order: for a member added and removed within one round, the later wins.
  const last = new Map<string, MemberEdge | { groupId: string; memberId: string; removed: true }>();
  for (const e of edges.add) last.set(`${e.groupId}/${e.memberId}`, e);
  for (const r of edges.remove) last.set(`${r.groupId}/${r.memberId}`, { ...r, removed: true });
  for (const group of page.value ?? []) {
    if (group['@removed']) {
      edges.deletedGroups.push(group.id);
      continue;
    }
    for (const m of group['members@delta'] ?? []) {
      const key = `${group.id}/${m.id}`;
      if (m['@removed']) last.set(key, { groupId: group.id, memberId: m.id, removed: true });
      else last.set(key, { groupId: group.id, memberId: m.id, memberType: /group/i.test(m['@odata.type'] ?? '') ? 'group' : 'user' });
    }
  }
  edges.add = [];
  edges.remove = [];
  for (const e of last.values()) {
    if ('removed' in e) edges.remove.push({ groupId: e.groupId, memberId: e.memberId });
    else edges.add.push(e);
  }
}

function sameIds(a: readonly string[] | null, b: readonly string[]): boolean {
  return a !== null && a.length === b.length && [...a].sort().every((id, i) => id === b[i]);
}
