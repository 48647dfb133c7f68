/**
 * Keeps one subscription alive: creates it, renews it once less than half its lifetime is left,
 * reauthorizes it on request, and recreates it when Graph lost it — followed by a delta catch-up,
 * because changes in the gap were never notified. A 403 on the groups subscription is expected
 * with the customer guide's permissions: group membership is then polled instead.
 */
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { AppContext } from '../context.js';
import { fingerprint } from '../crypto/secret-box.js';
import type { GraphApi } from '../graph/graph-api.js';
import { GraphRequestError } from '../graph/graph-errors.js';
import { markPending } from '../sync/sync-state.repository.js';
import {
  createGraphSubscription,
  deleteGraphSubscription,
  getGraphSubscription,
  type GraphSubscription,
  newClientState,
  reauthorizeGraphSubscription,
  renewGraphSubscription,
  type SubscriptionTarget,
} from './subscription-graph.js';
import { finishSubscription, type SubscriptionPatch, type SubscriptionRow } from './subscription.repository.js';

type Log = AppContext['logger'];

export async function keepSubscription(
  ctx: AppContext,
  graph: GraphApi,
  connection: ConnectionRow,
  row: SubscriptionRow,
  log: Log,
): Promise<void> {
  const db = ctx.database.db;
  const checkedAt = new Date();
  if (row.kind === 'groups' && connection.group_id === null) {
    // Unscoped connections do not care about groups: no subscription, no polling.
    if (row.graph_subscription_id) await deleteGraphSubscription(graph, row.graph_subscription_id).catch(() => {});
    return finishSubscription(db, row, { graph_subscription_id: null, expires_at: null, next_check_at: later(ctx), clearRecreate: checkedAt, clearReauthorize: checkedAt });
  }
  if (ctx.config.publicUrl === undefined) {
    return finishSubscription(db, row, { last_error: 'PUBLIC_URL is not set: Graph cannot reach this service', last_error_at: checkedAt, next_check_at: later(ctx) });
  }
  const target: SubscriptionTarget = {
    kind: row.kind,
    notificationUrl: `${ctx.config.publicUrl}/webhooks/graph`,
    lifecycleNotificationUrl: `${ctx.config.publicUrl}/webhooks/graph/lifecycle`,
    lifetimeMinutes: ctx.config.subscriptionLifetimeMinutes,
  };
  const flags = { clearReauthorize: checkedAt, clearRecreate: checkedAt };
  if (!row.graph_subscription_id || row.recreate_requested_at) return create(ctx, graph, connection, row, target, log, flags);
  try {
    if (row.reauthorize_requested_at) {
      await reauthorizeGraphSubscription(graph, row.graph_subscription_id);
      const renewed = await renewGraphSubscription(graph, row.graph_subscription_id, target.lifetimeMinutes);
      ctx.metrics.subscriptionOperations.inc({ operation: 'reauthorize', outcome: 'ok' });
      log.info({ kind: row.kind, expiresAt: renewed.expirationDateTime }, 'subscription reauthorized; catching up with delta');
      await markPending(db, [connection.id]);
      return finishSubscription(db, row, { ...renewedPatch(ctx, renewed), ...flags });
    }
    if (needsRenewal(row)) {
      const renewed = await renewGraphSubscription(graph, row.graph_subscription_id, target.lifetimeMinutes);
      ctx.metrics.subscriptionOperations.inc({ operation: 'renew', outcome: 'ok' });
      log.info({ kind: row.kind, expiresAt: renewed.expirationDateTime }, 'subscription renewed');
      return finishSubscription(db, row, renewedPatch(ctx, renewed));
    }
    // Not due: make sure Graph still has it (it may have been removed behind our back).
    await getGraphSubscription(graph, row.graph_subscription_id);
    return finishSubscription(db, row, { next_check_at: nextCheck(ctx, row.expires_at, row.last_renewed_at), last_error: null });
  } catch (error) {
    if (error instanceof GraphRequestError && error.code === 'not_found') {
      ctx.metrics.subscriptionOperations.inc({ operation: 'lost', outcome: 'recreate' });
      log.warn({ kind: row.kind }, 'Graph no longer has the subscription: recreating it, then catching up with delta');
      return create(ctx, graph, connection, row, target, log, flags);
    }
    throw error;
  }
}

async function create(
  ctx: AppContext,
  graph: GraphApi,
  connection: ConnectionRow,
  row: SubscriptionRow,
  target: SubscriptionTarget,
  log: Log,
  flags: Pick<SubscriptionPatch, 'clearReauthorize' | 'clearRecreate'>,
): Promise<void> {
  const db = ctx.database.db;
  const clientState = newClientState();
  let created: GraphSubscription;
  try {
    created = await createGraphSubscription(graph, target, clientState);
  } catch (error) {
    if (row.kind === 'groups' && error instanceof GraphRequestError && error.code === 'permission_denied') {
      if (row.mode !== 'polling') {
        log.warn(
          `Graph refused the groups subscription (403): the app lacks Group.Read.All; group membership will be polled via groups/delta every ${ctx.config.groupPollSeconds} s instead`,
        );
      }
      ctx.metrics.subscriptionOperations.inc({ operation: 'create', outcome: 'polling' });
      await db.updateTable('sync_state').set({ next_group_poll_at: new Date() }).where('connection_id', '=', connection.id).where('next_group_poll_at', 'is', null).execute();
      return finishSubscription(db, row, { mode: 'polling', graph_subscription_id: null, last_error: null, next_check_at: later(ctx), ...flags });
    }
    ctx.metrics.subscriptionOperations.inc({ operation: 'create', outcome: 'failed' });
    throw error;
  }
  const previous = row.graph_subscription_id;
  await finishSubscription(db, row, {
    mode: 'subscription',
    graph_subscription_id: created.id,
    client_state_hash: fingerprint(clientState),
    ...renewedPatch(ctx, created),
    ...flags,
  });
  ctx.metrics.subscriptionOperations.inc({ operation: 'create', outcome: 'ok' });
  log.info({ kind: row.kind, subscriptionId: created.id, expiresAt: created.expirationDateTime }, 'subscription created');
  // Changes between the old subscription's end and this one's start were never notified.
  await markPending(db, [connection.id]);
  if (previous && previous !== created.id) await deleteGraphSubscription(graph, previous).catch(() => {});
}

function renewedPatch(ctx: AppContext, s: GraphSubscription): SubscriptionPatch {
  const expiresAt = new Date(s.expirationDateTime);
  const now = new Date();
  return { expires_at: expiresAt, last_renewed_at: now, last_error: null, next_check_at: nextCheck(ctx, expiresAt, now) };
}

/** Renew once less than half the granted lifetime is left. */
function needsRenewal(row: SubscriptionRow): boolean {
  if (!row.expires_at) return true;
  const granted = row.expires_at.getTime() - (row.last_renewed_at ?? row.created_at).getTime();
  return row.expires_at.getTime() - Date.now() < granted / 2;
}

function nextCheck(ctx: AppContext, expiresAt: Date | null, renewedAt: Date | null): Date {
  const regular = Date.now() + ctx.config.subscriptionRenewCheckSeconds * 1000;
  if (!expiresAt || !renewedAt) return new Date(regular);
  const halfway = renewedAt.getTime() + (expiresAt.getTime() - renewedAt.getTime()) / 2;
  return new Date(Math.min(regular, Math.max(halfway, Date.now() + 1000)));
}

function later(ctx: AppContext): Date {
  return new Date(Date.now() + ctx.config.subscriptionRenewCheckSeconds * 1000);
}
