/**
 * Phase 1 of a reconcile: read every in-scope user from Graph, page by page, into the staging
 * table (memory stays flat whatever the tenant size). Before reading, a "from now" delta link is
 * taken, so changes made during the run are replayed afterwards instead of being missed.
 */
import { sql } from 'kysely';
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { Db } from '../db/database.js';
import type { GraphApi } from '../graph/graph-api.js';
import { scopedUserIds } from '../scope/group-members.repository.js';
import { runGroupsDelta } from '../scope/groups-delta.js';
import { readUsersById } from '../sync/user-reads.js';
import {
  GRAPH_USER_SELECT,
  type PartialProfile,
  profileFromGraph,
  withAllFields,
} from '../sync/user-profile.js';
import { type DeltaPage, initialUsersDeltaUrl } from '../sync/users-delta.js';

/** Scoped groups up to this size are read member by member ($batch); bigger ones from the full list. */
const READ_MEMBERS_DIRECTLY_UP_TO = 5_000;

export interface ScanProgress {
  usersSeen: number;
  pagesRead: number;
}

export interface ScanResult extends ScanProgress {
  readonly deltaLink: string;
}

/** Where scanned profiles go: the staging table (the default), or straight to the apply step. */
export type ScanStore = (profiles: PartialProfile[]) => Promise<void>;

export async function scanGraph(
  db: Db,
  graph: GraphApi,
  connection: ConnectionRow,
  runId: string,
  onPage: (progress: ScanProgress) => Promise<void>,
  store: ScanStore = (profiles) => stageProfiles(db, runId, profiles),
): Promise<ScanResult> {
  await db.deleteFrom('reconcile_items').where('run_id', '=', runId).execute();
  const deltaLink = await latestDeltaLink(graph);
  const progress: ScanProgress = { usersSeen: 0, pagesRead: 0 };
  const stage = async (profiles: PartialProfile[]) => {
    await store(profiles);
    progress.usersSeen += profiles.length;
    progress.pagesRead += 1;
    await onPage(progress);
  };
  if (connection.group_id === null) {
    await listAllUsers(graph, async (page) => stage(page));
    return { ...progress, deltaLink };
  }
  // Scope: membership afresh (edges rebuilt), then the members' profiles.
  await runGroupsDelta(db, graph, connection, { link: null, ids: null }, (tx, next) =>
    sql`UPDATE sync_state SET groups_delta_link = ${next.link}, groups_delta_ids = ${next.ids as string[]}::text[]
        WHERE connection_id = ${connection.id}`
      .execute(tx)
      .then(() => undefined),
  );
  const members = await scopedUserIds(db, connection.id, connection.group_id);
  if (members.size <= READ_MEMBERS_DIRECTLY_UP_TO) {
    const ids = [...members];
    for (let i = 0; i < ids.length; i += 200) {
      const read = await readUsersById(graph, ids.slice(i, i + 200));
      await stage(read.flatMap((r) => (r.profile ? [r.profile] : [])));
    }
  } else {
    await listAllUsers(graph, async (page) => stage(page.filter((p) => members.has(p.id))));
  }
  return { ...progress, deltaLink };
}

async function latestDeltaLink(graph: GraphApi): Promise<string> {
  const page = await graph.get<DeltaPage>(`${initialUsersDeltaUrl()}&$deltatoken=latest`, {
    operation: 'GET /users/delta ($deltatoken=latest)',
    permission: 'User.Read.All',
  });
  const link = page['@odata.deltaLink'];
  if (!link) throw new Error('users/delta with $deltatoken=latest returned no deltaLink');
  return link;
}

async function listAllUsers(
  graph: GraphApi,
  onPage: (profiles: PartialProfile[]) => Promise<void>,
): Promise<void> {
  type Page = { value?: Array<Record<string, unknown>>; '@odata.nextLink'?: string };
  const read = (url: string) => {
    const page = graph.get<Page>(url, { operation: 'GET /users', permission: 'User.Read.All' });
    page.catch(() => {}); // surfaces when awaited
    return page;
  };
  // Pages are read one ahead of staging, so Graph latency and Postgres overlap.
  let next: Promise<Page> | undefined = read(
    `/users?$select=${GRAPH_USER_SELECT}&$expand=manager($select=id)&$top=999`,
  );
  while (next) {
    const page: Page = await next;
    const link = page['@odata.nextLink'];
    next = link ? read(link) : undefined;
    await onPage((page.value ?? []).map((item) => withAllFields(profileFromGraph(item))));
  }
}

async function stageProfiles(db: Db, runId: string, profiles: PartialProfile[]): Promise<void> {
  if (profiles.length === 0) return;
  await sql`
    INSERT INTO reconcile_items (run_id, user_id, profile)
    SELECT ${runId}::uuid, p->>'id', p FROM json_array_elements(${JSON.stringify(profiles)}::json) AS p
    ON CONFLICT (run_id, user_id) DO UPDATE SET profile = EXCLUDED.profile`.execute(db);
}
