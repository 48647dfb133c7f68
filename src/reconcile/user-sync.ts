/**
 * On-demand sync of one user: read it from Graph now and emit whatever differs from what Leena AI
 * has (source "manual"). Holds the connection's lease for the moment it writes, like any round.
 */
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { AppContext } from '../context.js';
import type { GraphApi } from '../graph/graph-api.js';
import { HttpError } from '../http/errors.js';
import { scopedUserIds } from '../scope/group-members.repository.js';
import { applyUserObservations } from '../sync/apply-user-changes.js';
import { releaseSync, tryLeaseConnection } from '../sync/sync-state.repository.js';
import type { LeenaEvent } from '../sync/user-event.js';
import { readUsersById } from '../sync/user-reads.js';

export interface UserSyncResult {
  readonly userId: string;
  readonly action: 'created' | 'updated' | 'deleted' | 'unchanged' | 'absent';
  readonly inGraph: boolean;
  readonly inScope: boolean;
  readonly event: LeenaEvent | null;
}

const WAIT_FOR_LEASE_MS = 15_000;

export async function syncOneUser(ctx: AppContext, graph: GraphApi, connection: ConnectionRow, userId: string): Promise<UserSyncResult> {
  const [observed] = await readUsersById(graph, [userId]);
  const inGraph = observed?.profile !== undefined;
  const inScope = connection.group_id === null ? true : (await scopedUserIds(ctx.database.db, connection.id, connection.group_id)).has(userId);
  await acquire(ctx, connection.id);
  try {
    const r = await ctx.database.db.transaction().execute((tx) =>
      applyUserObservations(tx, [{ ...observed!, inScope }], {
        connectionId: connection.id,
        tenantId: connection.tenant_id,
        source: 'manual',
        occurredAt: new Date(),
      }),
    );
    const event = r.events[0] ?? null;
    const action = r.created ? 'created' : r.updated ? 'updated' : r.deleted ? 'deleted' : r.unchanged ? 'unchanged' : 'absent';
    return { userId, action, inGraph, inScope, event };
  } finally {
    await releaseSync(ctx.database.db, connection.id, ctx.replicaId);
  }
}

async function acquire(ctx: AppContext, connectionId: string): Promise<void> {
  const deadline = Date.now() + WAIT_FOR_LEASE_MS;
  while (!(await tryLeaseConnection(ctx.database.db, connectionId, ctx.replicaId, ctx.config.leaseSeconds))) {
    if (Date.now() > deadline) throw new HttpError('service_unavailable', 'the connection is busy (a sync round or reconcile is running); try again shortly');
    await new Promise((r) => setTimeout(r, 200));
  }
}
