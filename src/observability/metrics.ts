/**
 * Prometheus metrics. One registry per app instance (tests build several apps in one process),
 * passed to whoever records; nothing is registered globally.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'entra_sync_' });
  const m = <T>(metric: T): T => metric;
  return {
    registry,
    httpRequests: m(
      new Counter({
        name: 'entra_sync_http_requests_total',
        help: 'HTTP requests served, by route and status code',
        labelNames: ['route', 'method', 'status'] as const,
        registers: [registry],
      }),
    ),
    notificationsReceived: m(
      new Counter({
        name: 'entra_sync_notifications_received_total',
        help: 'Graph notification items accepted and stored, by kind',
        labelNames: ['kind'] as const,
        registers: [registry],
      }),
    ),
    notificationsDropped: m(
      new Counter({
        name: 'entra_sync_notifications_dropped_total',
        help: 'Graph notification items dropped by the checks, by reason',
        labelNames: ['reason'] as const,
        registers: [registry],
      }),
    ),
    webhookAckSeconds: m(
      new Histogram({
        name: 'entra_sync_webhook_ack_seconds',
        help: 'Time from receiving a notification POST to answering it',
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
        registers: [registry],
      }),
    ),
    graphRequests: m(
      new Counter({
        name: 'entra_sync_graph_requests_total',
        help: 'Requests sent to Microsoft Graph, by operation and outcome',
        labelNames: ['operation', 'status'] as const,
        registers: [registry],
      }),
    ),
    graphThrottled: m(
      new Counter({
        name: 'entra_sync_graph_throttled_total',
        help: 'Graph answers of 429/503/504 that were retried',
        registers: [registry],
      }),
    ),
    eventsWritten: m(
      new Counter({
        name: 'entra_sync_events_written_total',
        help: 'Events written to the outbox, by type and source',
        labelNames: ['type', 'source'] as const,
        registers: [registry],
      }),
    ),
    deltaRounds: m(
      new Counter({
        name: 'entra_sync_delta_rounds_total',
        help: 'Delta rounds run, by outcome',
        labelNames: ['outcome'] as const,
        registers: [registry],
      }),
    ),
    deliveries: m(
      new Counter({
        name: 'entra_sync_deliveries_total',
        help: 'POSTs to Leena AI, by outcome (delivered, retry, dead)',
        labelNames: ['outcome'] as const,
        registers: [registry],
      }),
    ),
    deliveredEvents: m(
      new Counter({
        name: 'entra_sync_delivered_events_total',
        help: 'Events accepted by Leena AI',
        registers: [registry],
      }),
    ),
    deliverySeconds: m(
      new Histogram({
        name: 'entra_sync_delivery_seconds',
        help: 'Duration of POSTs to Leena AI',
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
        registers: [registry],
      }),
    ),
    deliveryBacklog: m(
      new Gauge({
        name: 'entra_sync_delivery_backlog_events',
        help: 'Undelivered events per connection',
        labelNames: ['connection'] as const,
        registers: [registry],
      }),
    ),
    deliveryOldestAge: m(
      new Gauge({
        name: 'entra_sync_delivery_oldest_pending_seconds',
        help: 'Age of the oldest undelivered event per connection',
        labelNames: ['connection'] as const,
        registers: [registry],
      }),
    ),
    deadLetters: m(
      new Gauge({
        name: 'entra_sync_dead_letters',
        help: 'Open dead letters per connection',
        labelNames: ['connection'] as const,
        registers: [registry],
      }),
    ),
    deliveryAttempts: m(
      new Histogram({
        name: 'entra_sync_delivery_attempts',
        help: 'Attempts a batch took until Leena AI accepted it or it was dead-lettered',
        buckets: [1, 2, 3, 5, 8, 13, 21, 34, 55, 89],
        registers: [registry],
      }),
    ),
    deliveryInFlight: m(
      new Gauge({
        name: 'entra_sync_delivery_in_flight_batches',
        help: 'Batches being sent by this replica, per connection',
        labelNames: ['connection'] as const,
        registers: [registry],
      }),
    ),
    reconcileRuns: m(
      new Counter({
        name: 'entra_sync_reconcile_runs_total',
        help: 'Reconcile runs finished, by status',
        labelNames: ['status'] as const,
        registers: [registry],
      }),
    ),
    reconcileDifferences: m(
      new Counter({
        name: 'entra_sync_reconcile_differences_total',
        help: 'Differences found by reconcile runs, by kind',
        labelNames: ['kind'] as const,
        registers: [registry],
      }),
    ),
    reconcileSeconds: m(
      new Histogram({
        name: 'entra_sync_reconcile_seconds',
        help: 'Duration of reconcile runs',
        buckets: [1, 5, 15, 30, 60, 120, 300, 900, 3600],
        registers: [registry],
      }),
    ),
    subscriptionOperations: m(
      new Counter({
        name: 'entra_sync_subscription_operations_total',
        help: 'Subscription operations, by kind and outcome',
        labelNames: ['operation', 'outcome'] as const,
        registers: [registry],
      }),
    ),
    secretExpiresInDays: m(
      new Gauge({
        name: 'entra_sync_client_secret_expires_in_days',
        help: 'Days until the connection client secret expires (when known)',
        labelNames: ['connection'] as const,
        registers: [registry],
      }),
    ),
  };
}
