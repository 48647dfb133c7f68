// The simulator's state and machinery, shared by the HTTP routes and the programmatic API:
// knobs, counters, clock, tenants with their directories, subscriptions and the notifier.
import { createSimClock } from './core/clock.js';
import type { SimClock } from './core/clock.js';
import { createDefaultFaults } from './core/faults.js';
import type { SimFaults } from './core/faults.js';
import { createStats } from './core/stats.js';
import type { SimStats } from './core/stats.js';
import type { DirectoryEvent } from './directory/changes.js';
import { createTenantDirectory } from './directory/directory.js';
import { createTenantRegistry } from './entra/tenants.js';
import type { TenantRegistry } from './entra/tenants.js';
import { createFanOut } from './notifications/fan-out.js';
import { createNotifier } from './notifications/notifier.js';
import type { Notifier } from './notifications/notifier.js';
import { createSubscriptionStore } from './subscriptions/subscription-store.js';
import type { SubscriptionStore } from './subscriptions/subscription-store.js';

export interface SimulatorCore {
  faults: SimFaults;
  stats: SimStats;
  clock: SimClock;
  random: () => number;
  registry: TenantRegistry;
  store: SubscriptionStore;
  notifier: Notifier;
  /** Aborted by close(): handshakes and latency sleeps stop waiting. */
  shutdown: AbortController;
}

export function createSimulatorCore(random: () => number): SimulatorCore {
  const faults = createDefaultFaults();
  const stats = createStats();
  const clock = createSimClock();
  const notifier = createNotifier(faults, stats);
  const store = createSubscriptionStore(clock);
  const fanOut = createFanOut({ store, notifier, faults, stats });
  const emit = (event: DirectoryEvent): void => fanOut(event);
  const registry = createTenantRegistry((tenantId, domain) => createTenantDirectory(tenantId, domain, emit));
  return { faults, stats, clock, random, registry, store, notifier, shutdown: new AbortController() };
}
