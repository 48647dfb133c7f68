/**
 * One connection's status in the words of the status page: each cell's text, plus the details
 * shown under it. Kept apart from the HTML so the page and its markup stay simple.
 */
import type { ConnectionStatus } from './connection-status.js';

export interface Cell {
  readonly text: string;
  readonly detail?: string;
  /** Draws attention (red/amber) to a cell whose value is a problem. */
  readonly tone?: 'bad' | 'warn';
}

export interface ConnectionRowView {
  readonly name: string;
  readonly health: ConnectionStatus['health'];
  readonly problems: readonly string[];
  readonly cells: Readonly<
    Record<
      | 'connection'
      | 'subscriptions'
      | 'notification'
      | 'delta'
      | 'backlog'
      | 'deadLetters'
      | 'reconcile'
      | 'secret',
      Cell
    >
  >;
}

export function rowView(s: ConnectionStatus, groupPollSeconds: number, now = Date.now()): ConnectionRowView {
  const c = s.connection;
  const d = s.delivery;
  return {
    name: c.name,
    health: s.health,
    problems: s.problems,
    cells: {
      connection: {
        text: c.name,
        detail: `tenant ${c.tenantId} · ${c.groupId ? `group ${c.groupId}` : 'whole tenant'}`,
      },
      subscriptions: {
        // Without a group the groups subscription is not needed (and never created).
        text:
          s.subscriptions
            .filter((x) => x.kind !== 'groups' || c.groupId)
            .map((x) => subscriptionText(x, groupPollSeconds, now))
            .join('\n') || 'none yet',
      },
      notification: {
        text: ago(s.sync.lastNotificationAt, now),
        detail: `${s.sync.notificationsLastHour} in the last hour`,
      },
      delta: {
        text: ago(s.sync.lastDeltaAt, now),
        detail: s.sync.lastDeltaError ?? undefined,
        tone: s.sync.lastDeltaError ? 'warn' : undefined,
      },
      backlog: {
        text: String(d.backlog),
        detail:
          [
            d.paused ? 'paused' : '',
            d.oldestPendingAt ? `oldest ${ago(d.oldestPendingAt, now)}` : '',
            d.lastError?.message ?? '',
          ]
            .filter(Boolean)
            .join(' · ') || undefined,
        tone: d.lastError ? 'warn' : undefined,
      },
      deadLetters: { text: String(d.deadLetters), tone: d.deadLetters > 0 ? 'bad' : undefined },
      reconcile: reconcileCell(s.reconcile.lastRun, now),
      secret: secretCell(s.credentials),
    },
  };
}

function subscriptionText(
  x: ConnectionStatus['subscriptions'][number],
  groupPollSeconds: number,
  now: number,
): string {
  if (x.mode === 'polling') return `${x.kind}: polled every ${groupPollSeconds} s (no Group.Read.All)`;
  if (!x.active) return `${x.kind}: not active${x.lastError ? ` (${x.lastError})` : ''}`;
  return `${x.kind}: active, expires ${ago(x.expiresAt, now)} (${x.expiresAt?.slice(0, 16).replace('T', ' ')} UTC)`;
}

function reconcileCell(run: ConnectionStatus['reconcile']['lastRun'], now: number): Cell {
  if (!run) return { text: 'no run yet' };
  const at = ago(run.finishedAt ?? run.startedAt ?? run.requestedAt, now);
  const tone = run.status === 'blocked' ? 'bad' : run.status === 'failed' ? 'warn' : undefined;
  const counts = `${run.created} created · ${run.updated} updated · ${run.deleted} deleted`;
  return {
    text: `${run.status}${run.dryRun ? ' (dry run)' : ''}, ${at}`,
    detail: run.status === 'succeeded' ? counts : (run.message ?? run.error ?? undefined),
    tone,
  };
}

function secretCell(cred: ConnectionStatus['credentials']): Cell {
  if (cred.error) return { text: 'refused by Entra', detail: cred.error, tone: 'bad' };
  if (cred.warning)
    return {
      text:
        cred.expiresInDays !== null && cred.expiresInDays < 0
          ? 'expired'
          : `expires in ${cred.expiresInDays} d`,
      detail: cred.warning,
      tone: cred.expiresInDays! < 0 ? 'bad' : 'warn',
    };
  if (cred.clientSecretExpiresAt)
    return {
      text: `expires ${cred.clientSecretExpiresAt.slice(0, 10)}`,
      detail: `in ${cred.expiresInDays} days`,
    };
  return { text: 'expiry unknown', detail: 'record clientSecretExpiresAt to be warned 30 days ahead' };
}

export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  const a = Math.abs(s);
  const span =
    a < 90
      ? `${a} s`
      : a < 5400
        ? `${Math.round(a / 60)} min`
        : a < 172_800
          ? `${Math.round(a / 3600)} h`
          : `${Math.round(a / 86400)} d`;
  return s >= 0 ? `${span} ago` : `in ${span}`;
}
