/**
 * One attempt of one claimed batch: send it, then record the outcome (delivered, retry later, or
 * dead letters). Never throws: every failure ends as a recorded retry or, when even the database
 * is unreachable, as a lease that runs out so the batch is sent again.
 */
import type { AppContext } from '../context.js';
import type { ClaimedBatch } from './batch-claim.repository.js';
import { deadLetter, scheduleRetry } from './attempt-failure.js';
import { markBatchDelivered } from './batch-outcome.repository.js';
import type { LeenaClient, SendOutcome } from './leena-client.js';
import { retriesExhausted } from './retry-policy.js';
import type { TargetCache } from './target-cache.js';

export interface AttemptDeps {
  readonly ctx: AppContext;
  readonly client: LeenaClient;
  readonly targets: TargetCache;
  readonly connection: { readonly id: string; name: string };
  /** When this replica's lease on the batch ends (ms epoch): recording is pointless after it. */
  readonly leaseEndsAt: number;
  /** Aborted at shutdown: stop retrying database writes, the lease will hand the batch on. */
  readonly stopping: AbortSignal;
}

export async function runAttempt(deps: AttemptDeps, batch: ClaimedBatch): Promise<void> {
  const started = performance.now();
  const outcome = await sendBatch(deps, batch);
  deps.ctx.metrics.deliverySeconds.observe((performance.now() - started) / 1000);
  try {
    await withDatabaseRetries(deps, () => recordOutcome(deps, batch, outcome));
  } catch (error) {
    deps.ctx.logger.error(
      {
        err: error,
        connectionId: deps.connection.id,
        connection: deps.connection.name,
        batch: batch.id,
        outcome: outcome.kind,
      },
      `could not record the outcome (${outcome.kind}) of batch ${batch.id}: the database is unavailable; ` +
        'the batch will be sent again once its lease runs out (Leena AI drops repeated event ids)',
    );
  }
}

async function sendBatch(deps: AttemptDeps, batch: ClaimedBatch): Promise<SendOutcome> {
  try {
    const target = await deps.targets.get(batch.connectionUpdatedAt);
    return await deps.client.post(target, batch.id, batch.body);
  } catch (error) {
    return { kind: 'retry', status: null, error: `not sent: ${(error as Error).message}` };
  }
}

async function recordOutcome(deps: AttemptDeps, batch: ClaimedBatch, outcome: SendOutcome): Promise<void> {
  const { ctx } = deps;
  if (outcome.kind === 'delivered') {
    await markBatchDelivered(ctx.database.db, batch.id, outcome.status);
    ctx.metrics.deliveries.inc({ outcome: 'delivered' });
    ctx.metrics.deliveredEvents.inc(batch.eventCount);
    ctx.metrics.deliveryAttempts.observe(batch.attempt);
    return;
  }
  if (outcome.kind === 'reject') {
    return deadLetter(
      deps,
      batch,
      `Leena AI refused the batch with ${outcome.status}`,
      outcome.status,
      outcome.excerpt,
    );
  }
  if (retriesExhausted(batch.firstAttemptAt, ctx.config.delivery.maxRetryHours)) {
    const hours = ctx.config.delivery.maxRetryHours;
    const reason = `retries exhausted: ${batch.attempt} attempts over ${hours} h (DELIVERY_MAX_RETRY_HOURS); last: ${outcome.error}`;
    return deadLetter(deps, batch, reason, outcome.status, null);
  }
  await scheduleRetry(deps, batch, outcome);
}

/** Retries a database write with backoff until it succeeds, the lease ends, or the dispatcher stops. */
async function withDatabaseRetries(deps: AttemptDeps, write: () => Promise<void>): Promise<void> {
  for (let failures = 0; ; failures++) {
    try {
      return await write();
    } catch (error) {
      const pause = Math.min(250 * 2 ** failures, 5_000);
      if (deps.stopping.aborted || Date.now() + pause > deps.leaseEndsAt) throw error;
      deps.ctx.logger.warn(
        { err: error, connectionId: deps.connection.id, connection: deps.connection.name },
        'recording a delivery outcome failed; retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
