/** Domain objects to JSON for the admin API: dates as ISO strings, nothing internal. */
import type { DeadLetter } from './dead-letter.repository.js';
import type { DeliveryStatus } from './delivery-status.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function deliveryStatusView(s: DeliveryStatus) {
  return {
    paused: s.paused,
    backlog: s.backlog,
    oldestPendingAt: iso(s.oldestPendingAt),
    inFlightBatches: s.inFlightBatches,
    nextAttemptAt: iso(s.nextAttemptAt),
    lastDeliveredAt: iso(s.lastDeliveredAt),
    lastError: s.lastError && { ...s.lastError, at: iso(s.lastError.at) },
    deadLetters: s.deadLetters,
  };
}

export function deadLetterView(d: DeadLetter) {
  return {
    eventId: d.eventId,
    userId: d.userId,
    sequence: d.sequence,
    type: d.type,
    webhookId: d.batchId,
    reason: d.reason,
    httpStatus: d.httpStatus,
    responseExcerpt: d.responseExcerpt,
    deadAt: d.deadAt.toISOString(),
    resolvedAt: iso(d.resolvedAt),
    resolution: d.resolution,
  };
}
