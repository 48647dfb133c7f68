/**
 * `entra-sync status <connection>`: the connection's health verdict and problems, then its
 * subscriptions, sync, delivery, reconcile and credentials, from GET /admin/connections/{id}/status.
 * Exit 0 when the verdict is ok or warning, 1 when it is error (usable in scripts and cron).
 */
import type { ConnectionStatus } from '../../admin/connection-status.js';
import { adminClientFrom, seg } from '../admin-client.js';
import { flag, parse, requiredPositional, stringOption } from '../args.js';
import type { CliCommand } from '../command.js';
import { ago, plural, when } from '../format.js';

const usage = 'entra-sync status <connection> [--json] [--url URL]';
const MARK = { ok: '✓', warning: '!', error: '✗' } as const;

export const command: CliCommand = {
  name: 'status',
  summary:
    "one connection's health: subscriptions, notifications, delta, backlog, dead letters, reconcile, secret",
  usage,
  async run(args, io) {
    const parsed = parse(args, { url: { type: 'string' }, json: { type: 'boolean' } }, usage);
    const name = requiredPositional(parsed, 0, 'the connection name or id', usage);
    const api = adminClientFrom(io.env, stringOption(parsed, 'url'));
    const status = await api.get<ConnectionStatus>(`/admin/connections/${seg(name)}/status`);
    const lines = flag(parsed, 'json') ? [JSON.stringify(status, null, 2)] : describeStatus(status);
    for (const line of lines) io.out(line);
    return status.health === 'error' ? 1 : 0;
  },
};

export function describeStatus(s: ConnectionStatus, now = Date.now()): string[] {
  const c = s.connection;
  const scope = c.groupId ? `group ${c.groupId}` : 'whole tenant';
  const lines = [`${c.name}: ${MARK[s.health]} ${s.health}  (tenant ${c.tenantId}, ${scope})`];
  for (const problem of s.problems) lines.push(`  - ${problem}`);
  lines.push('', 'subscriptions');
  for (const sub of s.subscriptions) {
    const text =
      sub.kind === 'groups' && !c.groupId
        ? 'not needed: the whole tenant is synced'
        : subscriptionLine(sub, now);
    lines.push(`  ${sub.kind.padEnd(7)}${text}`);
  }
  if (s.subscriptions.length === 0) lines.push('  none yet');
  const y = s.sync;
  lines.push(
    '',
    `sync        last notification ${ago(y.lastNotificationAt, now)} (${plural(y.notificationsLastHour, 'notification')} in the last hour); last delta ${ago(y.lastDeltaAt, now)}`,
    `            ${plural(y.usersKnown, 'user')} in scope, ${y.usersInLeena.toLocaleString('en-US')} in Leena AI${y.pendingSince ? `; changes pending since ${ago(y.pendingSince, now)}` : ''}`,
  );
  const d = s.delivery;
  lines.push(
    `delivery    backlog ${d.backlog.toLocaleString('en-US')}${d.paused ? ' (paused)' : ''}, dead letters ${d.deadLetters}, last delivered ${ago(d.lastDeliveredAt, now)}${d.lastError ? `; failing: ${d.lastError.message}` : ''}`,
  );
  lines.push(`reconcile   ${reconcileLine(s.reconcile.lastRun, now)}`);
  lines.push(`credentials ${credentialLine(s.credentials)}`);
  return lines;
}

function subscriptionLine(sub: ConnectionStatus['subscriptions'][number], now: number): string {
  if (sub.mode === 'polling') return 'polling (Graph refused the subscription: no Group.Read.All)';
  if (!sub.active) return `not active${sub.lastError ? `: ${sub.lastError}` : ' yet'}`;
  const renewed = sub.lastRenewedAt ? `, renewed ${ago(sub.lastRenewedAt, now)}` : '';
  return `active, expires ${when(sub.expiresAt)} (${ago(sub.expiresAt, now)})${renewed}`;
}

function reconcileLine(run: ConnectionStatus['reconcile']['lastRun'], now: number): string {
  if (!run) return 'no run yet';
  const at = ago(run.finishedAt ?? run.startedAt ?? run.requestedAt, now);
  const counts = `${run.created} created, ${run.updated} updated, ${run.deleted} deleted, ${run.unchanged} unchanged`;
  const kind = `${run.dryRun ? 'dry run' : 'run'} (${run.trigger})`;
  if (run.status === 'blocked') return `${kind} blocked ${at}: ${run.message}`;
  if (run.status === 'failed') return `${kind} failed ${at}: ${run.error}`;
  return `${kind} ${run.status} ${at}: ${counts}`;
}

function credentialLine(cred: ConnectionStatus['credentials']): string {
  if (cred.error) return `✗ ${cred.error}`;
  if (cred.warning) return `! ${cred.warning}`;
  if (cred.clientSecretExpiresAt)
    return `client secret expires ${cred.clientSecretExpiresAt.slice(0, 10)} (in ${cred.expiresInDays} days)`;
  return 'client secret expiry unknown (record it to be warned 30 days ahead)';
}
