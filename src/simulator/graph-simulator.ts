// Entry point: a simulator of Entra ID (token endpoint) and Microsoft Graph (directory reads,
// delta, $batch, subscriptions, change notifications) as one real HTTP server, with a knob for
// every way the real thing misbehaves. Built from /work/shared/graph-notes.md: a simulator
// kinder than Graph hides bugs.
import { createHttpApp } from './http-app.js';
import { registerSimulatorRoutes } from './routes.js';
import { createSimulatorApi } from './simulator-api.js';
import { createSimulatorCore } from './simulator-core.js';
import type { GraphSimulator, GraphSimulatorOptions } from './types.js';

export type * from './types.js';

export async function startGraphSimulator(options: GraphSimulatorOptions = {}): Promise<GraphSimulator> {
  const core = createSimulatorCore(options.random ?? Math.random);
  const app = createHttpApp({ logger: options.logger ?? false, stats: core.stats });
  let url = '';
  const sim = createSimulatorApi(core, { url: () => url, close: () => app.close() });
  registerSimulatorRoutes(app, core, sim);

  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return sim;
}
