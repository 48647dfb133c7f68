// The programmatic face of the simulator (GraphSimulator): thin delegation to the tenant
// directories, the subscription store and the notifier, with caller mistakes as SimErrors.
import { invalidInput, notFound } from './errors.js';
import type { SimulatorCore } from './simulator-core.js';
import { sendLifecycleEvent } from './subscriptions/lifecycle.js';
import { toSimSubscription } from './subscriptions/subscription-store.js';
import type { GraphSimulator } from './types.js';

export interface ServerHandle {
  url(): string;
  close(): Promise<void>;
}

export function createSimulatorApi(core: SimulatorCore, server: ServerHandle): GraphSimulator {
  const { registry, store, notifier } = core;
  const directory = (tenantId: string) => registry.require(tenantId).directory;

  return {
    get url() {
      return server.url();
    },
    async close() {
      core.shutdown.abort();
      notifier.close();
      await notifier.flush();
      await server.close();
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
      (tenantId ? store.liveForTenant(registry.require(tenantId).tenantId) : store.all()).map(
        toSimSubscription,
      ),
    deleteSubscriptionBehindTheBack(id) {
      if (!store.remove(id)) throw notFound(`subscription ${id}`);
    },
    sendLifecycleEvent: (id, event) => sendLifecycleEvent({ store, notifier }, id, event),
    faults: core.faults,
    stats: core.stats,
    clock: core.clock,
    expireDeltaTokens(tenantId) {
      const tenants = tenantId ? [registry.require(tenantId)] : [...registry.all()];
      for (const tenant of tenants) tenant.directory.expireDeltaTokens();
    },
    flushNotifications: () => notifier.flush(),
  };
}
