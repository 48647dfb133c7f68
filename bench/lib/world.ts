/**
 * A benchmark world: the Graph/Entra simulator and a Leena AI sink in this process, the service
 * as a child process (so its memory and CPU are its own), on a fresh database.
 */
import { randomUUID } from 'node:crypto';
import { startGraphSimulator, type GraphSimulator } from '../../src/simulator/graph-simulator.js';
import { startLeenaSink, type LeenaSink } from '../../src/simulator/leena-sink.js';
import { adminFetch, TEST_ADMIN_TOKEN, TEST_SECRET_KEY } from '../../test/helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';
import { freePort, type ServiceProcess, startServiceProcess } from '../../test/helpers/service-process.js';

export const SINK_API_KEY = 'bench-sink-api-key-0123';
export const SINK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export interface Tenant {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface BenchWorld {
  readonly sim: GraphSimulator;
  readonly sink: LeenaSink;
  readonly db: TestDatabase;
  readonly service: ServiceProcess;
  addTenant(users: number, seed?: number): Tenant;
  connect(name: string, tenant: Tenant): Promise<string>;
  close(): Promise<void>;
}

export async function startBenchWorld(env: Record<string, string> = {}): Promise<BenchWorld> {
  const sim = await startGraphSimulator();
  sim.faults.budgetMultiplier = 1000; // measure this service, not Graph's throttling budget
  const sink = await startLeenaSink({ apiKey: SINK_API_KEY, signingSecret: SINK_SECRET });
  const db = await createTestDatabase();
  const port = await freePort();
  const service = await startServiceProcess(
    {
      DATABASE_URL: db.url,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      SECRET_KEY: TEST_SECRET_KEY,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      GRAPH_BASE_URL: sim.url,
      ENTRA_AUTHORITY_URL: sim.url,
      ALLOW_INSECURE_LEENA_URL: 'true',
      RATE_LIMIT_WEBHOOK_PER_MINUTE: '100000000',
      LOG_LEVEL: 'warn',
      ...env,
    },
    // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the service under load.
    { port, nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) },
  );
  return {
    sim,
    sink,
    db,
    service,
    addTenant(users, seed = 1) {
      const t = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: `bench~${randomUUID()}` };
      sim.addTenant({ tenantId: t.tenantId });
      sim.addApp({ tenantId: t.tenantId, clientId: t.clientId, clientSecret: t.clientSecret });
      if (users > 0) sim.seedUsers(t.tenantId, users, { seed });
      return t;
    },
    async connect(name, tenant) {
      const res = await adminFetch(service.url, '/admin/connections', {
        method: 'POST',
        body: { name, ...tenant, leena: { url: sink.url, apiKey: SINK_API_KEY, signingSecret: SINK_SECRET } },
      });
      if (res.status !== 201) throw new Error(`connection not created: ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    },
    async close() {
      await service.stop('SIGTERM');
      await sink.close();
      await sim.close();
      await db.drop();
    },
  };
}

export async function countRows(db: TestDatabase, table: 'notifications' | 'outbox_events', where = 'true'): Promise<number> {
  const r = await db.database.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
  return r.rows[0].n as number;
}
