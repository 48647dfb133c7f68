/**
 * Keeps one dispatcher per stored connection on this replica: starts one for a new connection,
 * stops the one of a deleted connection. Paused connections keep their dispatcher; it finds
 * nothing to claim until resumed.
 */
import type { AppContext } from '../context.js';
import { startWorkerLoop, type WorkerLoop } from '../work/worker-loop.js';
import { type Dispatcher, startDispatcher } from './dispatcher.js';
import type { LeenaClient } from './leena-client.js';

/** How often the set of connections is re-read (new connections start delivering within this). */
export const CONNECTIONS_POLL_MS = 5_000;

export interface DispatcherSet {
  readonly loop: WorkerLoop;
  /** A NOTIFY on the delivery channel: its payload may name a connection id; otherwise wake all. */
  notify(payload: string): void;
}

interface Entry {
  readonly dispatcher: Dispatcher;
  readonly connection: { readonly id: string; name: string };
}

export function startDispatcherSet(ctx: AppContext, client: LeenaClient): DispatcherSet {
  const entries = new Map<string, Entry>();

  const step = async (): Promise<boolean> => {
    const rows = await ctx.database.db.selectFrom('connections').select(['id', 'name']).execute();
    const seen = new Set(rows.map((r) => r.id));
    for (const { id, name } of rows) {
      const entry = entries.get(id);
      if (entry) entry.connection.name = name;
      else entries.set(id, start(ctx, client, { id, name }));
    }
    const gone = [...entries.values()].filter((e) => !seen.has(e.connection.id));
    for (const e of gone) entries.delete(e.connection.id);
    await Promise.all(gone.map((e) => e.dispatcher.stop()));
    return false;
  };

  const loop = startWorkerLoop({
    name: 'delivery-connections',
    logger: ctx.logger,
    idleMs: CONNECTIONS_POLL_MS,
    step,
  });
  return {
    loop: {
      name: loop.name,
      wake: () => loop.wake(),
      wakeWithin: (ms) => loop.wakeWithin(ms),
      async stop() {
        await loop.stop();
        await Promise.all([...entries.values()].map((e) => e.dispatcher.stop()));
        entries.clear();
        client.close();
      },
    },
    notify(payload) {
      const entry = entries.get(payload);
      if (entry) return entry.dispatcher.wake();
      loop.wake();
      for (const e of entries.values()) e.dispatcher.wake();
    },
  };
}

function start(ctx: AppContext, client: LeenaClient, connection: { id: string; name: string }): Entry {
  ctx.logger.debug(
    { connectionId: connection.id, connection: connection.name },
    'delivery dispatcher started',
  );
  return { connection, dispatcher: startDispatcher({ ctx, client, connection }) };
}
