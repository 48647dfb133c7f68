/**
 * One round of sync work for a claimed connection: group membership first (scoped connections),
 * then users from the stored deltaLink — or a full sync from scratch when one was requested or
 * the delta state is gone.
 */
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { AppContext } from '../context.js';
import type { GraphApi } from '../graph/graph-api.js';
import { scopedUserIds } from '../scope/group-members.repository.js';
import { runGroupsDelta } from '../scope/groups-delta.js';
import { applyScopeChanges } from '../scope/scope-changes.js';
import { type ClaimedSync, completeSync } from './sync-state.repository.js';
import { runUsersDelta, type UsersDeltaResult } from './users-delta.js';
import { sql } from 'kysely';

export interface RoundOutcome {
  readonly full: boolean;
  readonly users: UsersDeltaResult;
  readonly scope?: { entered: number; left: number };
  readonly graphRequests: number;
}

export async function runSyncRound(
  ctx: AppContext,
  graph: GraphApi,
  connection: ConnectionRow,
  claim: ClaimedSync,
): Promise<RoundOutcome> {
  const db = ctx.database.db;
  const before = graph.requestCount();
  const full = claim.resync_requested_at !== null || claim.users_delta_link === null;
  const scoped = connection.group_id !== null;
  let scope: { entered: number; left: number } | undefined;
  if (scoped) {
    await runGroupsDelta(db, graph, connection, { link: full ? null : claim.groups_delta_link, ids: claim.groups_delta_ids }, (tx, next) =>
      sql`UPDATE sync_state SET groups_delta_link = ${next.link}, groups_delta_ids = ${next.ids as string[]}::text[]
          WHERE connection_id = ${connection.id}`.execute(tx).then(() => undefined),
    );
  }
  const members = scoped ? await scopedUserIds(db, connection.id, connection.group_id!) : undefined;
  if (scoped && !full) scope = await applyScopeChanges(db, graph, connection, 'notification');
  const nextGroupPollAt = scoped ? new Date(Date.now() + ctx.config.groupPollSeconds * 1000) : null;
  const users = await runUsersDelta({
    db,
    graph,
    connection,
    deltaLink: full ? null : claim.users_delta_link,
    source: 'notification',
    inScope: members ? (id) => members.has(id) : undefined,
    onCommit: (tx, deltaLink) => completeSync(tx, claim, { usersDeltaLink: deltaLink, fullSyncDone: full, nextGroupPollAt }),
  });
  return { full, users, scope, graphRequests: graph.requestCount() - before };
}
