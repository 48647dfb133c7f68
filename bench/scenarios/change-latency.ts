/**
 * Scenario 2 — change to Leena AI: the simulator changes users at 100 changes/s for a minute with
 * notifications on; the sink records arrival. Latency = arrival at the sink − the change in the
 * directory. Then a burst of 10,000 changes in one second: all delivered, and the Graph requests
 * it cost per 1,000 changes.
 */
import { type Figure, percentile, waitUntil } from '../lib/measure.js';
import { startBenchWorld } from '../lib/world.js';

const USERS = 10_000;

export async function changeLatencyScenario(options: { seconds: number; graphLatencyMs: number; label: string }): Promise<Figure[]> {
  const debounce = 1000;
  const world = await startBenchWorld({ CHANGE_DEBOUNCE_MS: String(debounce) });
  try {
    const tenant = world.addTenant(USERS, 3);
    await world.connect('latency', tenant);
    await waitUntil('initial sync at the sink', () => world.sink.events.length >= USERS, 120_000, 200);
    await waitUntil('subscription', () => world.sim.listSubscriptions(tenant.tenantId).length > 0, 30_000);
    await new Promise((r) => setTimeout(r, 2_000));
    world.sim.faults.latencyMs = options.graphLatencyMs;
    const users = world.sim.listUsers(tenant.tenantId).map((u) => u.id);

    const changedAt = new Map<string, number>();
    let n = 0;
    const timer = setInterval(() => {
      const id = users[(n * 7919) % users.length]!;
      const token = `lat-${n++}`;
      world.sim.updateUser(tenant.tenantId, id, { jobTitle: token });
      changedAt.set(token, Date.now());
    }, 10);
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
    clearInterval(timer);
    const latencies = await arrivals(world, changedAt, 60_000);

    const burstUsers = users.slice(0, 10_000);
    const before = graphReads(world);
    const burstStart = Date.now();
    for (const [i, id] of burstUsers.entries()) {
      world.sim.updateUser(tenant.tenantId, id, { jobTitle: `burst-${i}` });
      if (i % 1000 === 999) await new Promise((r) => setTimeout(r, 100 - ((Date.now() - burstStart) % 100))); // spread over ~1 s
    }
    const wanted = new Set(burstUsers.map((_, i) => `burst-${i}`));
    const burstMs = await waitUntil('burst delivered', () => {
      for (const e of world.sink.events.slice(-20_000)) if (e.type !== 'user.deleted') wanted.delete(String(e.user.jobTitle));
      return wanted.size === 0;
    }, 120_000, 100);
    const requestsPer1000 = ((graphReads(world) - before) / burstUsers.length) * 1000;
    const s = options.label;
    return [
      { scenario: `change→Leena${s}`, name: `p50 (debounce ${debounce} ms)`, value: percentile(latencies, 50), unit: 'ms', target: debounce + 250, goal: 'max' },
      { scenario: `change→Leena${s}`, name: 'p99', value: percentile(latencies, 99), unit: 'ms', target: debounce + 1500, goal: 'max' },
      { scenario: `change→Leena${s}`, name: 'changes measured', value: latencies.length, unit: 'changes' },
      { scenario: `change→Leena${s}`, name: 'burst of 10,000 changes: all delivered after', value: burstMs / 1000, unit: 's', target: 30, goal: 'max' },
      { scenario: `change→Leena${s}`, name: 'Graph requests per 1,000 changes (burst)', value: requestsPer1000, unit: 'req', target: 10, goal: 'max' },
    ];
  } finally {
    await world.close();
  }
}

async function arrivals(world: Awaited<ReturnType<typeof startBenchWorld>>, changedAt: Map<string, number>, timeoutMs: number): Promise<number[]> {
  const latencies = new Map<string, number>();
  let scanned = 0;
  await waitUntil('every change at the sink', () => {
    const events = world.sink.events;
    for (; scanned < events.length; scanned++) {
      const e = events[scanned]!;
      if (e.type !== 'user.updated') continue;
      const token = String(e.user.jobTitle);
      const at = changedAt.get(token);
      if (at !== undefined && !latencies.has(token)) latencies.set(token, e.receivedAt - at);
    }
    // A user changed twice within one window carries only its latest title: earlier ones never arrive.
    return latencies.size >= changedAt.size * 0.95 && Date.now() - Math.max(...changedAt.values()) > 5_000;
  }, timeoutMs, 100);
  return [...latencies.values()];
}

function graphReads(world: Awaited<ReturnType<typeof startBenchWorld>>): number {
  return Object.entries(world.sim.stats.byRoute)
    .filter(([route]) => route.startsWith('GET /v1.0') || route === 'POST /v1.0/$batch')
    .reduce((n, [, c]) => n + c, 0);
}
