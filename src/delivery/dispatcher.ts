/**
 * The dispatcher of one connection on this replica: claims batches one at a time and keeps up to
 * DELIVERY_CONCURRENCY attempts in flight (pipelined: the next claim runs while earlier batches
 * are on the wire). The cap also holds across replicas, since claims count the connection's open
 * batches in Postgres under the delivery lock.
 */
import type { AppContext } from '../context.js';
import { startWorkerLoop } from '../work/worker-loop.js';
import { type ClaimArgs, type ClaimedBatch, claimBatches, msUntilNextDue } from './batch-claim.repository.js';
import { runAttempt } from './attempt.js';
import type { LeenaClient } from './leena-client.js';
import { createTargetCache } from './target-cache.js';

/** Contract: at most 100 events per POST. */
export const MAX_EVENTS_PER_BATCH = 100;
/**
 * Safety-net poll when no NOTIFY arrives (a lost NOTIFY delays delivery by at most this). Writers
 * NOTIFY in the same transaction and a LISTEN reconnect wakes every dispatcher, so this is rare.
 * Each idle poll is a claim transaction: at 2 s, 50 connections ran 25 of them a second.
 */
export const DISPATCHER_POLL_MS = 10_000;

export interface Dispatcher {
  readonly connectionId: string;
  wake(): void;
  /** Stops claiming, waits for the attempts in flight to finish. */
  stop(): Promise<void>;
}

export interface DispatcherOptions {
  readonly ctx: AppContext;
  readonly client: LeenaClient;
  /** Mutable: the supervisor updates the name after a rename (logs and metric labels). */
  readonly connection: { readonly id: string; name: string };
}

/**
 * The lease must outlast one attempt (the request timeout, then recording it), else a slow but
 * healthy attempt would be taken over and sent twice. With the defaults it is LEASE_SECONDS (30 s).
 */
export function deliveryLeaseSeconds(config: AppContext['config']): number {
  return Math.max(config.leaseSeconds, Math.ceil(config.delivery.timeoutMs / 1000) + 2);
}

export function startDispatcher(options: DispatcherOptions): Dispatcher {
  const { ctx, connection } = options;
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();
  const targets = createTargetCache(ctx, connection.id);
  const leaseSeconds = deliveryLeaseSeconds(ctx.config);
  const concurrency = ctx.config.delivery.concurrency;

  const claimArgs = (): ClaimArgs => ({
    connectionId: connection.id,
    owner: ctx.replicaId,
    leaseSeconds,
    maxOpenBatches: concurrency,
    maxEvents: MAX_EVENTS_PER_BATCH,
  });

  const launch = (batch: ClaimedBatch) => {
    const deps = {
      ...options,
      targets,
      stopping: stopping.signal,
      leaseEndsAt: Date.now() + leaseSeconds * 1000 - 1_000,
    };
    const attempt = runAttempt(deps, batch).finally(() => {
      inFlight.delete(attempt);
      ctx.metrics.deliveryInFlight.set({ connection: connection.name }, inFlight.size);
      loop.wake();
    });
    inFlight.add(attempt);
    ctx.metrics.deliveryInFlight.set({ connection: connection.name }, inFlight.size);
  };

  const step = async (): Promise<boolean | number> => {
    if (inFlight.size >= concurrency) return false; // a finishing attempt wakes the loop
    const batches = await claimBatches(ctx.database.db, claimArgs(), concurrency - inFlight.size);
    for (const batch of batches) launch(batch);
    if (batches.length > 0) return true;
    return (await msUntilNextDue(ctx.database.db, connection.id)) ?? false;
  };

  const loop = startWorkerLoop({
    name: `delivery:${connection.name}`,
    logger: ctx.logger,
    idleMs: DISPATCHER_POLL_MS,
    step,
  });
  return {
    connectionId: connection.id,
    wake: () => loop.wake(),
    async stop() {
      await loop.stop();
      stopping.abort();
      await Promise.all(inFlight);
      targets.clear();
    },
  };
}
