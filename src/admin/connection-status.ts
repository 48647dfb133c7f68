/**
 * Everything an operator needs to know about one connection, in one read: subscriptions with
 * expiry and mode, notification and delta times, delivery backlog and dead letters, the last
 * reconcile runs, credential health — and a verdict with the problems in plain words.
 */
import { sql } from 'kysely';
import type { ConnectionRow } from '../connections/connection.repository.js';
import { connectionView, type Connection } from '../connections/connection.js';
import { toConnection } from '../connections/connection.repository.js';
import type { AppContext } from '../context.js';
import { deliveryStatus } from '../delivery/delivery-status.js';
import { deliveryStatusView } from '../delivery/delivery.views.js';
import { listRuns } from '../reconcile/reconcile.repository.js';
import { runView } from '../reconcile/reconcile-view.js';

const SECRET_WARNING_DAYS = 30;

export async function connectionStatus(ctx: AppContext, row: ConnectionRow) {
  const status = await statusBody(ctx, row);
  return { ...status, ...verdict(ctx, status) };
}

async function statusBody(ctx: AppContext, row: ConnectionRow) {
  const db = ctx.database.db;
  const connection = toConnection(row);
  const [subscriptions, sync, counts, delivery, runs] = await Promise.all([
    db.selectFrom('subscriptions').selectAll().where('connection_id', '=', row.id).orderBy('kind').execute(),
    db.selectFrom('sync_state').selectAll().where('connection_id', '=', row.id).executeTakeFirst(),
    sql<{ last_notification: Date | null; last_hour: string; users_known: string; users_in_leena: string }>`
      SELECT (SELECT max(received_at) FROM notifications WHERE connection_id = ${row.id}) AS last_notification,
             (SELECT count(*) FROM notifications WHERE connection_id = ${row.id} AND received_at > now() - interval '1 hour') AS last_hour,
             (SELECT count(*) FROM users WHERE connection_id = ${row.id} AND graph_state = 'present') AS users_known,
             (SELECT count(*) FROM users WHERE connection_id = ${row.id} AND in_leena) AS users_in_leena`.execute(db),
    deliveryStatus(db, row.id),
    listRuns(db, row.id, 5),
  ]);
  const c = counts.rows[0]!;
  const credentials = credentialStatus(connection);
  const subscriptionViews = subscriptions.map((s) => ({
    kind: s.kind,
    mode: s.mode,
    active: s.graph_subscription_id !== null,
    graphSubscriptionId: s.graph_subscription_id,
    expiresAt: s.expires_at?.toISOString() ?? null,
    lastRenewedAt: s.last_renewed_at?.toISOString() ?? null,
    nextCheckAt: s.next_check_at.toISOString(),
    lastError: s.last_error,
    lastErrorAt: s.last_error_at?.toISOString() ?? null,
  }));
  return {
    connection: connectionView(connection),
    subscriptions: subscriptionViews,
    sync: {
      lastNotificationAt: c.last_notification?.toISOString() ?? null,
      notificationsLastHour: Number(c.last_hour),
      lastDeltaAt: sync?.last_delta_at?.toISOString() ?? null,
      lastDeltaError: sync?.last_delta_error ?? null,
      initialSyncAt: sync?.initial_sync_at?.toISOString() ?? null,
      pendingSince: sync?.pending_since?.toISOString() ?? null,
      resyncRequested: sync?.resync_requested_at !== null && sync?.resync_requested_at !== undefined,
      usersKnown: Number(c.users_known),
      usersInLeena: Number(c.users_in_leena),
    },
    delivery: deliveryStatusView(delivery),
    reconcile: { lastRun: runs[0] ? runView(runs[0]) : null, recentRuns: runs.map(runView) },
    credentials,
  };
}

export type ConnectionStatus = Awaited<ReturnType<typeof connectionStatus>>;

export function credentialStatus(c: Connection) {
  const expiresAt = c.clientSecretExpiresAt;
  const days = expiresAt ? Math.floor((expiresAt.getTime() - Date.now()) / 86_400_000) : null;
  let warning: string | null = null;
  if (days !== null && days < 0) warning = `the client secret expired on ${expiresAt!.toISOString().slice(0, 10)}: the customer must create a new one (Certificates & secrets) and share its Value`;
  else if (days !== null && days <= SECRET_WARNING_DAYS) warning = `the client secret expires in ${days} days (${expiresAt!.toISOString().slice(0, 10)}): ask the customer for a new one now`;
  return { clientSecretExpiresAt: expiresAt?.toISOString() ?? null, expiresInDays: days, warning, error: c.credentialError };
}

type StatusBody = Awaited<ReturnType<typeof statusBody>>;

function verdict(ctx: AppContext, s: StatusBody): { health: 'ok' | 'warning' | 'error'; problems: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (s.credentials.error) errors.push(s.credentials.error);
  if (s.credentials.warning) (s.credentials.expiresInDays! < 0 ? errors : warnings).push(s.credentials.warning);
  const users = s.subscriptions.find((x) => x.kind === 'users');
  if (users && !users.active) errors.push(`no users subscription${users.lastError ? `: ${users.lastError}` : ' yet'}; changes arrive only through reconcile`);
  for (const sub of s.subscriptions) {
    if (sub.active && sub.expiresAt && Date.parse(sub.expiresAt) < Date.now()) errors.push(`the ${sub.kind} subscription expired at ${sub.expiresAt}`);
  }
  if (s.sync.lastDeltaError) warnings.push(`last delta round failed: ${s.sync.lastDeltaError}`);
  if (s.delivery.deadLetters > 0) errors.push(`${s.delivery.deadLetters} dead letters hold back their users' later events: replay or skip them`);
  if (s.delivery.paused) warnings.push('delivery is paused');
  const oldest = s.delivery.oldestPendingAt ? (Date.now() - Date.parse(s.delivery.oldestPendingAt)) / 1000 : 0;
  if (oldest > 600) warnings.push(`the oldest undelivered event is ${Math.round(oldest / 60)} minutes old`);
  if (s.reconcile.lastRun?.status === 'blocked') errors.push(`reconcile run ${s.reconcile.lastRun.runId} is blocked: ${s.reconcile.lastRun.message}`);
  if (s.reconcile.lastRun?.status === 'failed') warnings.push(`the last reconcile failed: ${s.reconcile.lastRun.error}`);
  if (ctx.config.publicUrl === undefined) errors.push('PUBLIC_URL is not set');
  return { health: errors.length ? 'error' : warnings.length ? 'warning' : 'ok', problems: [...errors, ...warnings] };
}
