// Queues notification items per URL, coalesces those queued within the batch window into one
// POST (up to maxNotificationBatch, subscriptions mixed), and delivers with Graph's retry policy:
// exponential backoff until the give-up time, then the items count as lost.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimFaults } from '../core/faults.js';
import type { SimStats } from '../core/stats.js';
import { postNotification } from './delivery.js';
import { createEndpointHealth } from './endpoint-health.js';

export interface Notifier {
  enqueue(url: string, item: object): void;
  /** Delivers one body now (no batching), with retries; resolves when delivered or lost. */
  deliver(url: string, items: object[]): Promise<void>;
  /** Resolves once nothing is queued, in flight or waiting for a retry. */
  flush(): Promise<void>;
  close(): void;
}

export function createNotifier(faults: SimFaults, stats: SimStats): Notifier {
  const health = createEndpointHealth(faults);
  const controller = new AbortController();
  const signal = controller.signal;
  const queues = new Map<string, { items: object[]; timer: NodeJS.Timeout | null }>();
  let busy = 0;
  let idleWaiters: Array<() => void> = [];

  function settleIfIdle(): void {
    if (busy > 0 || queues.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async function attempt(url: string, body: string, count: number): Promise<void> {
    const deps = { faults, stats, signal };
    const started = Date.now();
    for (let retry = 0; ; retry++) {
      if (health.isDropping(url)) {
        stats.notificationsLost += count;
        return;
      }
      const outcome = await postNotification(url, body, deps);
      if (outcome === 'closed') return;
      health.record(url, outcome === 'slow');
      if (outcome === 'delivered') {
        stats.notificationsSent += count;
        // Graph is observed to send the same POST more than once.
        for (let i = 1; i < faults.notificationDuplicates; i++) await postNotification(url, body, deps);
        return;
      }
      const delay = faults.notificationRetryBaseMs * 2 ** retry;
      if (outcome === 'drop' || Date.now() + delay - started > faults.notificationGiveUpMs) {
        stats.notificationsLost += count;
        return;
      }
      await sleep(delay, undefined, { signal });
    }
  }

  async function deliver(url: string, items: object[]): Promise<void> {
    busy++;
    try {
      if (faults.notificationDelayMs > 0) await sleep(faults.notificationDelayMs, undefined, { signal });
      await attempt(url, JSON.stringify({ value: items }), items.length);
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      busy--;
      settleIfIdle();
    }
  }

  function drain(url: string): void {
    const queue = queues.get(url);
    if (!queue) return;
    queues.delete(url);
    if (queue.timer) clearTimeout(queue.timer);
    for (let i = 0; i < queue.items.length; i += faults.maxNotificationBatch) {
      void deliver(url, queue.items.slice(i, i + faults.maxNotificationBatch));
    }
    settleIfIdle();
  }

  return {
    enqueue(url, item) {
      if (signal.aborted) return;
      let queue = queues.get(url);
      if (!queue) {
        queue = { items: [], timer: setTimeout(() => drain(url), faults.notificationBatchWindowMs) };
        queues.set(url, queue);
      }
      queue.items.push(item);
      if (queue.items.length >= faults.maxNotificationBatch) drain(url);
    },
    deliver,
    flush() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIfIdle();
      });
    },
    close() {
      controller.abort();
      for (const queue of queues.values()) if (queue.timer) clearTimeout(queue.timer);
      queues.clear();
      // In-flight deliveries see the abort and finish promptly; flush() then resolves.
      settleIfIdle();
    },
  };
}
