// Entry point: a simulator of Entra ID (token endpoint) and Microsoft Graph (directory reads,
// delta, subscriptions, change notifications) as one real HTTP server, with knobs for every
// way the real thing misbehaves. Build it from /work/shared/graph-notes.md, not from hope.
import { randomUUID } from 'node:crypto';
import { createSimClock } from './core/clock.js';
import { createDefaultFaults } from './core/faults.js';
import { createStats } from './core/stats.js';
import type { DirectoryEvent } from './directory/changes.js';
import { createTenantDirectory } from './directory/directory.js';
import { invalidInput, notFound } from './errors.js';
import { createAccessTokenSigner } from './entra/access-tokens.js';
import { createTenantRegistry } from './entra/tenants.js';
import { registerEntraRoutes } from './entra/token.routes.js';
import { registerBatchRoute } from './graph/batch.routes.js';
import { createDeltaTokenCodec } from './graph/delta-tokens.js';
import { createGraphRouter } from './graph/graph-route.js';
import { registerGroupRoutes } from './graph/groups.routes.js';
import { createSnapshotCache } from './graph/snapshot-cache.js';
import { registerSubscriptionRoutes } from './graph/subscriptions.routes.js';
import { createThrottle } from './graph/throttling.js';
import { registerUserRoutes } from './graph/users.routes.js';
import { createHttpApp } from './http-app.js';
import { createFanOut } from './notifications/fan-out.js';
import { createNotifier } from './notifications/notifier.js';
import { registerControlStateRoutes } from './state-api/control.routes.js';
import { registerDirectoryStateRoutes } from './state-api/directory.routes.js';
import { sendLifecycleEvent } from './subscriptions/lifecycle.js';
import { createSubscriptionStore, toSimSubscription } from './subscriptions/subscription-store.js';
import type { GraphSimulator, GraphSimulatorOptions } from './types.js';

export type * from './types.js';

export async function startGraphSimulator(options: GraphSimulatorOptions = {}): Promise<GraphSimulator> {
  const faults = createDefaultFaults();
  const stats = createStats();
  const clock = createSimClock();
  const random = options.random ?? Math.random;
  const lifecycle = new AbortController();
  const notifier = createNotifier(faults, stats);
  const store = createSubscriptionStore(clock);
  const fanOut = createFanOut({ store, notifier, faults, stats });
  // Directory mutations reach the fan-out through this indirection so tenants can be created first.
  const emit = (event: DirectoryEvent): void => fanOut(event);
  const registry = createTenantRegistry((tenantId, domain) => createTenantDirectory(tenantId, domain, emit));
  const directory = (tenantId: string) => registry.require(tenantId).directory;
  let url = '';

  const sim: GraphSimulator = {
    get url() {
      return url;
    },
    close: async () => {
      lifecycle.abort();
      notifier.close();
      await notifier.flush();
      await app.close();
    },
    addTenant: (t) => void registry.add(t),
    addApp: (a) => void registry.addApp(a),
    setAppRoles(tenantId, clientId, roles) {
      const app = registry.require(tenantId).apps.get(clientId.toLowerCase());
      if (!app) throw notFound(`app ${clientId} in tenant ${tenantId}`);
      app.roles = [...roles];
    },
    createUser: (t, profile) => directory(t).createUser(profile),
    updateUser: (t, id, patch) => directory(t).updateUser(id, patch),
    softDeleteUser: (t, id) => directory(t).softDeleteUser(id),
    restoreUser: (t, id) => directory(t).restoreUser(id),
    hardDeleteUser: (t, id) => directory(t).hardDeleteUser(id),
    setManager: (t, userId, managerId) => directory(t).setManager(userId, managerId),
    createGroup: (t, g) => directory(t).createGroup(g),
    addMember: (t, g, m) => directory(t).addMember(g, m),
    removeMember: (t, g, m) => directory(t).removeMember(g, m),
    listGroupMembers(t, g) {
      const dir = directory(t);
      if (!dir.groups.has(g)) throw notFound(`group ${g} in tenant ${t}`);
      return [...dir.groups.members(g)];
    },
    getUser: (t, id) => directory(t).users.get(id),
    listUsers: (t) => [...directory(t).users.values()],
    seedUsers(t, count, opts = {}) {
      if (!Number.isInteger(count) || count < 0) throw invalidInput('count must be a non-negative integer');
      return directory(t).seedUsers(count, { seed: opts.seed ?? 1, notify: opts.notify ?? false });
    },
    listSubscriptions: (tenantId) =>
      (tenantId ? store.liveForTenant(registry.require(tenantId).tenantId) : store.all()).map(toSimSubscription),
    deleteSubscriptionBehindTheBack(id) {
      if (!store.remove(id)) throw notFound(`subscription ${id}`);
    },
    sendLifecycleEvent: (id, event) => sendLifecycleEvent({ store, notifier }, id, event),
    faults,
    stats,
    clock,
    expireDeltaTokens(tenantId) {
      const tenants = tenantId ? [registry.require(tenantId)] : [...registry.all()];
      for (const tenant of tenants) tenant.directory.expireDeltaTokens();
    },
    flushNotifications: () => notifier.flush(),
  };

  const app = createHttpApp({ logger: options.logger ?? false, stats });
  const signer = createAccessTokenSigner();
  const baseUrl = () => url;
  const innerRequestSecret = randomUUID();
  registerEntraRoutes(app, { registry, signer, faults, stats, baseUrl });
  const route = createGraphRouter(app, { registry, signer, faults, throttle: createThrottle(faults), random, baseUrl, innerRequestSecret });
  const deltaDeps = { codec: createDeltaTokenCodec(), clock, faults, random };
  registerUserRoutes(route, { ...deltaDeps, rounds: createSnapshotCache(32) });
  registerGroupRoutes(route, { delta: { ...deltaDeps, rounds: createSnapshotCache(32) }, memberLists: createSnapshotCache(16) });
  registerSubscriptionRoutes(route, { store, faults, clock, stats, signal: lifecycle.signal });
  registerBatchRoute(app, route, { innerRequestSecret, random });
  registerDirectoryStateRoutes(app, sim);
  registerControlStateRoutes(app, sim);

  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return sim;
}
