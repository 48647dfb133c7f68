/**
 * One round of sync work for a claimed connection: group membership first (scoped connections),
 * then users from the stored deltaLink. A connection without delta state — new (initial sync),
 * or one that lost it (expired token, new scope) — gets a reconcile run instead: a whole read,
 * differences only, guarded against mass deletion.
 */
import { sql } from 'kysely';
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { AppContext } from '../context.js';
import type { GraphApi } from '../graph/graph-api.js';
import { queueRun } from '../reconcile/reconcile.repository.js';
import { runGroupsDelta } from '../scope/groups-delta.js';
import { applyScopeChanges, type ScopeChangeResult } from '../scope/scope-changes.js';
import { type ClaimedSync, completeSync, handOverToReconcile } from './sync-state.repository.js';
import { runUsersDelta, type UsersDeltaResult } from './users-delta.js';

export type RoundOutcome =
  | {
      readonly kind: 'synced';
      readonly users: UsersDeltaResult;
      readonly scope?: Omit<ScopeChangeResult, 'inScope'>;
      readonly graphRequests: number;
    }
  | { readonly kind: 'reconcile-queued'; readonly runId: string };

export async function runSyncRound(
  ctx: AppContext,
  graph: GraphApi,
  connection: ConnectionRow,
  claim: ClaimedSync,
): Promise<RoundOutcome> {
  const db = ctx.database.db;
  const before = graph.requestCount();
  const full = claim.resync_requested_at !== null || claim.users_delta_link === null;
  if (full) {
    // Whole reads are reconcile runs: users listed 999 to a page (5x fewer requests than delta
    // pages), a "from now" delta link for what follows, and the mass-deletion guard.
    const trigger = claim.initial_sync_at === null ? 'initial' : 'resync';
    const runId = await db.transaction().execute(async (tx) => {
      const { run } = await queueRun(tx, connection.id, trigger, false);
      await handOverToReconcile(tx, claim);
      return run.id;
    });
    return { kind: 'reconcile-queued', runId };
  }
  const scoped = connection.group_id !== null;
  let scope: ScopeChangeResult | undefined;
  let inScope: ((id: string) => boolean) | undefined;
  if (scoped) {
    await runGroupsDelta(db, graph, connection, { link: claim.groups_delta_link, ids: claim.groups_delta_ids }, (tx, next) =>
      sql`UPDATE sync_state SET groups_delta_link = ${next.link}, groups_delta_ids = ${next.ids as string[]}::text[]
          WHERE connection_id = ${connection.id}`.execute(tx).then(() => undefined),
    );
    {
      scope = await applyScopeChanges(db, graph, connection, 'notification', {
        ...ctx.config.reconcile,
        onTrip: async (left, total) => {
          const { run } = await queueRun(db, connection.id, 'resync', false);
          ctx.logger.warn(
            { connectionId: connection.id, connection: connection.name, left, total, runId: run.id },
            `group membership says ${left} of ${total} users left the scope at once; nobody was removed, reconcile run ${run.id} will ask for approval`,
          );
        },
      });
      inScope = scope.inScope;
    }
  }
  const nextGroupPollAt = scoped ? new Date(Date.now() + ctx.config.groupPollSeconds * 1000) : null;
  const users = await runUsersDelta({
    db,
    graph,
    connection,
    deltaLink: claim.users_delta_link!,
    source: 'notification',
    inScope,
    onCommit: (db, deltaLink) => completeSync(db, claim, ctx.replicaId, { usersDeltaLink: deltaLink, nextGroupPollAt }),
  });
  const scopeSummary = scope ? { entered: scope.entered, left: scope.left, guarded: scope.guarded } : undefined;
  return { kind: 'synced', users, scope: scopeSummary, graphRequests: graph.requestCount() - before };
}
