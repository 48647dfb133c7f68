// Wires every route module onto the app: the authority, Graph v1.0 and the /_sim state API.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createAccessTokenSigner } from './entra/access-tokens.js';
import { registerEntraRoutes } from './entra/token.routes.js';
import { registerBatchRoute } from './graph/batch.routes.js';
import { createDeltaTokenCodec } from './graph/delta-tokens.js';
import { createGraphRouter } from './graph/graph-route.js';
import { registerGroupRoutes } from './graph/groups.routes.js';
import { createSnapshotCache } from './graph/snapshot-cache.js';
import { registerSubscriptionRoutes } from './graph/subscriptions.routes.js';
import { createThrottle } from './graph/throttling.js';
import { registerUserRoutes } from './graph/users.routes.js';
import type { SimulatorCore } from './simulator-core.js';
import { registerControlStateRoutes } from './state-api/control.routes.js';
import { registerDirectoryStateRoutes } from './state-api/directory.routes.js';
import type { GraphSimulator } from './types.js';

export function registerSimulatorRoutes(
  app: FastifyInstance,
  core: SimulatorCore,
  sim: GraphSimulator,
): void {
  const { registry, faults, stats, clock, random, store } = core;
  const signer = createAccessTokenSigner();
  const baseUrl = () => sim.url;
  const innerRequestSecret = randomUUID();
  const signal = core.shutdown.signal;

  registerEntraRoutes(app, { registry, signer, faults, stats, baseUrl });
  const route = createGraphRouter(app, {
    registry,
    signer,
    faults,
    throttle: createThrottle(faults),
    random,
    baseUrl,
    innerRequestSecret,
    signal,
  });
  const delta = { codec: createDeltaTokenCodec(), clock, faults, random };
  registerUserRoutes(route, { ...delta, rounds: createSnapshotCache(32) });
  registerGroupRoutes(route, {
    delta: { ...delta, rounds: createSnapshotCache(32) },
    memberLists: createSnapshotCache(16),
  });
  registerSubscriptionRoutes(route, { store, faults, clock, stats, signal });
  registerBatchRoute(app, route, { innerRequestSecret, random });
  registerDirectoryStateRoutes(app, sim);
  registerControlStateRoutes(app, sim);
}
