/**
 * Cross-replica wake-ups over Postgres LISTEN/NOTIFY: a webhook on replica A commits work and
 * NOTIFYs; the loops of every replica wake at once instead of waiting for their next poll.
 * Polling stays as the safety net (a lost NOTIFY only delays work, never loses it).
 */
import pg from 'pg';
import type { Logger } from '../observability/logger.js';

export const CHANNELS = {
  sync: 'entra_sync_sync',
  delivery: 'entra_sync_delivery',
  reconcile: 'entra_sync_reconcile',
  subscriptions: 'entra_sync_subscriptions',
} as const;
export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/**
 * Payload of a sync NOTIFY that only made connections pending: their rounds fall due
 * CHANGE_DEBOUNCE_MS later, so the sync loops wake then rather than at once (under notification
 * load a wake at once was a claim and a due-time query per round that found nothing due).
 */
export const SYNC_PENDING = 'pending';

export interface Wakeups {
  on(channel: Channel, listener: (payload: string) => void): void;
  close(): Promise<void>;
}

export function startWakeups(connectionString: string, logger: Logger): Wakeups {
  const listeners = new Map<string, Array<(payload: string) => void>>();
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString, application_name: 'entra-sync:listen' });
    c.on('notification', (n) => {
      for (const l of listeners.get(n.channel) ?? []) l(n.payload ?? '');
    });
    c.on('error', (error) => {
      // 57P01: Postgres itself is shutting down (a restart, or Ctrl-C reaching an embedded one).
      if ((error as { code?: string }).code === '57P01')
        logger.info('Postgres is shutting down; LISTEN will reconnect when it is back');
      else logger.warn({ err: error }, 'LISTEN connection lost; reconnecting (polling covers the gap)');
      void c.end().catch(() => {});
      if (client === c) client = undefined;
      schedule();
    });
    try {
      await c.connect();
      for (const channel of Object.values(CHANNELS)) await c.query(`LISTEN ${channel}`);
      if (closed) await c.end();
      else client = c;
      // After a reconnect, wake everyone: notifications may have been missed meanwhile.
      for (const ls of listeners.values()) for (const l of ls) l('');
    } catch (error) {
      logger.warn({ err: error }, 'cannot LISTEN yet; retrying');
      void c.end().catch(() => {});
      schedule();
    }
  };
  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, 2_000);
  };
  void connect();

  return {
    on(channel, listener) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
