/**
 * The two endings of a failed attempt: a retry scheduled with backoff (or as Leena AI's
 * Retry-After asks), or dead letters, each said in words an operator can act on.
 */
import type { AttemptDeps } from './attempt.js';
import type { ClaimedBatch } from './batch-claim.repository.js';
import { deadLetterBatch, scheduleBatchRetry } from './batch-outcome.repository.js';
import type { SendOutcome } from './leena-client.js';
import { retryDelayMs } from './retry-policy.js';

export async function scheduleRetry(
  deps: AttemptDeps,
  batch: ClaimedBatch,
  outcome: Extract<SendOutcome, { kind: 'retry' }>,
) {
  const { ctx } = deps;
  const delayMs = retryDelayMs(batch.attempt, outcome.retryAfterMs, {
    baseMs: ctx.config.delivery.backoffBaseMs,
    maxMs: ctx.config.delivery.backoffMaxMs,
  });
  const plan = {
    batchId: batch.id,
    owner: ctx.replicaId,
    attempt: batch.attempt,
    delayMs,
    httpStatus: outcome.status,
    error: outcome.error,
  };
  if (!(await scheduleBatchRetry(ctx.database.db, plan))) return;
  ctx.metrics.deliveries.inc({ outcome: 'retry' });
  ctx.logger.warn(
    {
      connectionId: deps.connection.id,
      connection: deps.connection.name,
      batch: batch.id,
      attempt: batch.attempt,
      status: outcome.status,
      retryInMs: delayMs,
    },
    `delivery to Leena AI failed (${outcome.error}); batch ${batch.id} of ${batch.eventCount} events is retried in ${Math.round(delayMs / 1000)} s`,
  );
}

export async function deadLetter(
  deps: AttemptDeps,
  batch: ClaimedBatch,
  reason: string,
  status: number | null,
  excerpt: string | null,
) {
  const { ctx } = deps;
  const plan = {
    batchId: batch.id,
    owner: ctx.replicaId,
    attempt: batch.attempt,
    reason,
    httpStatus: status,
    responseExcerpt: excerpt,
  };
  const count = await deadLetterBatch(ctx.database.db, plan);
  if (count === 0) return;
  ctx.metrics.deliveries.inc({ outcome: 'dead' });
  ctx.metrics.deliveryAttempts.observe(batch.attempt);
  ctx.logger.error(
    {
      connectionId: deps.connection.id,
      connection: deps.connection.name,
      batch: batch.id,
      status,
      events: count,
    },
    `${count} events dead-lettered (${reason}${excerpt ? `: ${excerpt.slice(0, 200)}` : ''}); later events of their users wait ` +
      `until they are replayed or skipped: POST /admin/connections/${deps.connection.name}/dead-letters/replay or /skip`,
  );
}
