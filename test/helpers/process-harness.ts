/**
 * The service as real child processes (for kill -9 and several replicas) against the in-process
 * simulator and sink, on one test database.
 */
import { randomUUID } from 'node:crypto';
import { startGraphSimulator, type GraphSimulator } from '../../src/simulator/graph-simulator.js';
import { startLeenaSink, type LeenaSink } from '../../src/simulator/leena-sink.js';
import { adminFetch, TEST_ADMIN_TOKEN, TEST_SECRET_KEY } from './context.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { freePort, type ServiceProcess, startServiceProcess } from './service-process.js';
import { SINK_API_KEY, SINK_SIGNING_SECRET } from './sync-harness.js';

export interface ProcessWorld {
  readonly sim: GraphSimulator;
  readonly sink: LeenaSink;
  readonly db: TestDatabase;
  /** The URL Graph is told to call (replica 0's port, like a load balancer's address). */
  readonly publicPort: number;
  env(extra?: Record<string, string>): Record<string, string>;
  start(port?: number, extra?: Record<string, string>): Promise<ServiceProcess>;
  addTenant(users: number): { tenantId: string; clientId: string; clientSecret: string };
  connect(service: ServiceProcess, name: string, tenant: { tenantId: string; clientId: string; clientSecret: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startProcessWorld(): Promise<ProcessWorld> {
  const sim = await startGraphSimulator();
  const sink = await startLeenaSink({ apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET });
  const db = await createTestDatabase();
  const publicPort = await freePort();
  const running: ServiceProcess[] = [];
  const world: ProcessWorld = {
    sim,
    sink,
    db,
    publicPort,
    env: (extra = {}) => ({
      DATABASE_URL: db.url,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      SECRET_KEY: TEST_SECRET_KEY,
      PUBLIC_URL: `http://127.0.0.1:${publicPort}`,
      GRAPH_BASE_URL: sim.url,
      ENTRA_AUTHORITY_URL: sim.url,
      ALLOW_INSECURE_LEENA_URL: 'true',
      CHANGE_DEBOUNCE_MS: '200',
      LEASE_SECONDS: '5',
      DELIVERY_BACKOFF_BASE_MS: '100',
      DELIVERY_BACKOFF_MAX_MS: '1000',
      LOG_LEVEL: 'info',
      ...extra,
    }),
    async start(port = publicPort, extra = {}) {
      const p = await startServiceProcess(world.env(extra), { port });
      running.push(p);
      return p;
    },
    addTenant(users) {
      const tenant = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: `sim~${randomUUID()}` };
      sim.addTenant({ tenantId: tenant.tenantId });
      sim.addApp({ tenantId: tenant.tenantId, clientId: tenant.clientId, clientSecret: tenant.clientSecret });
      sim.seedUsers(tenant.tenantId, users, { seed: users });
      return tenant;
    },
    async connect(service, name, tenant) {
      const res = await adminFetch(service.url, '/admin/connections', {
        method: 'POST',
        body: { name, ...tenant, leena: { url: sink.url, apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET } },
      });
      if (res.status !== 201) throw new Error(`connection not created: ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    },
    async close() {
      await Promise.all(running.map((p) => p.stop('SIGKILL')));
      await sink.close();
      await sim.close();
      await db.drop();
    },
  };
  return world;
}
