/**
 * Scenario 3 — initial sync: N users in the simulator, a new connection, until every event is
 * accepted by the sink. Reports the time to have the outbox written, the time until the sink has
 * all, users/s and the service's peak RSS.
 */
import { type Figure, peakRssMb, waitUntil } from '../lib/measure.js';
import { countRows, startBenchWorld } from '../lib/world.js';

export async function initialSyncScenario(options: { users: number; graphLatencyMs: number; label: string; targets: boolean }): Promise<Figure[]> {
  const world = await startBenchWorld({ CHANGE_DEBOUNCE_MS: '1000' });
  try {
    const tenant = world.addTenant(options.users, 11);
    world.sim.faults.latencyMs = options.graphLatencyMs;
    const started = performance.now();
    await world.connect('initial', tenant);
    const outboxMs = await waitUntil('outbox written', async () => (await countRows(world.db, 'outbox_events')) >= options.users, 1_800_000, 250);
    await waitUntil('sink has every user', () => world.sink.events.length >= options.users, 1_800_000, 250);
    const total = (performance.now() - started) / 1000;
    const rss = peakRssMb(world.service.proc.pid!);
    const s = `initial sync ${options.users.toLocaleString('en-US')}${options.label}`;
    const t = options.targets && options.users <= 100_000;
    return [
      { scenario: s, name: 'outbox written', value: outboxMs / 1000, unit: 's', ...(t ? { target: 10, goal: 'max' as const } : {}) },
      { scenario: s, name: 'sink has every event', value: total, unit: 's', ...(t ? { target: 20, goal: 'max' as const } : {}) },
      { scenario: s, name: 'throughput (to outbox)', value: options.users / (outboxMs / 1000), unit: 'users/s' },
      { scenario: s, name: 'service peak RSS', value: rss, unit: 'MB', ...(options.targets ? { target: 250, goal: 'max' as const } : {}) },
      { scenario: s, name: 'sink duplicates', value: world.sink.state().duplicates, unit: 'events' },
    ];
  } finally {
    await world.close();
  }
}
