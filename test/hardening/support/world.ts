/**
 * The whole system in this test process for the hardening tests: the Graph/Entra simulator with
 * a tenant, the Leena AI sink, and the real service (startService: HTTP + workers) on a fresh
 * database, with one connection created through the admin API. Unlike test/helpers/sync-harness
 * it lets a test choose the log level, the connection's Leena URL and the database URL the
 * service uses (a proxy, for the Postgres chaos test).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/observability/logger.js';
import { startService, type RunningService } from '../../../src/service.js';
import { startGraphSimulator, type GraphSimulator } from '../../../src/simulator/graph-simulator.js';
import { startLeenaSink, type LeenaSink } from '../../../src/simulator/leena-sink.js';
import { adminFetch, testEnv } from '../../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { freePort } from '../../helpers/service-process.js';
import { SINK_API_KEY, SINK_SIGNING_SECRET } from '../../helpers/sync-harness.js';

export { SINK_API_KEY, SINK_SIGNING_SECRET };

export interface Tenant {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface World {
  readonly sim: GraphSimulator;
  readonly sink: LeenaSink;
  readonly service: RunningService;
  readonly db: TestDatabase;
  readonly tenant: Tenant;
  readonly connectionId: string;
  /** Every log line of the service (JSON). */
  readonly logs: string[];
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly users?: number;
  readonly env?: Record<string, string>;
  readonly logLevel?: string;
  /** Set up the simulator (faults) before the service and the connection exist. */
  readonly prepare?: (sim: GraphSimulator) => void;
  /** The connection's Leena AI URL (default: the sink's). */
  readonly leenaUrl?: (sinkUrl: string) => string;
  /** The database URL the service is given (default: the test database itself). */
  readonly serviceDatabaseUrl?: (testDatabaseUrl: string) => string | Promise<string>;
}

export function addTenant(sim: GraphSimulator, users: number, seed = 7): Tenant {
  const tenant = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: `sim~${randomUUID()}` };
  sim.addTenant({ tenantId: tenant.tenantId, displayName: 'Contoso' });
  sim.addApp({ tenantId: tenant.tenantId, clientId: tenant.clientId, clientSecret: tenant.clientSecret });
  if (users > 0) sim.seedUsers(tenant.tenantId, users, { seed });
  return tenant;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const sim = await startGraphSimulator();
  sim.faults.notificationRetryBaseMs = 200;
  const tenant = addTenant(sim, options.users ?? 20);
  options.prepare?.(sim);
  const sink = await startLeenaSink({ apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET });
  const db = await createTestDatabase();
  const port = await freePort();
  const config = loadConfig(
    testEnv({
      DATABASE_URL: options.serviceDatabaseUrl ? await options.serviceDatabaseUrl(db.url) : db.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      GRAPH_BASE_URL: sim.url,
      ENTRA_AUTHORITY_URL: sim.url,
      CHANGE_DEBOUNCE_MS: '100',
      DELIVERY_BACKOFF_BASE_MS: '100',
      DELIVERY_BACKOFF_MAX_MS: '1000',
      LEASE_SECONDS: '5',
      ...options.env,
    }),
  );
  const logs: string[] = [];
  const logger = createLogger({
    level: options.logLevel ?? 'info',
    destination: new Writable({
      write(chunk: Buffer, _e, done) {
        logs.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    }),
  });
  const service = await startService(config, logger);
  const connectionId = await connect(
    service.url,
    'contoso',
    tenant,
    options.leenaUrl?.(sink.url) ?? sink.url,
  );
  return {
    sim,
    sink,
    service,
    db,
    tenant,
    connectionId,
    logs,
    async close() {
      await service.shutdown('test done');
      await sink.close();
      await sim.close();
      await db.drop();
    },
  };
}

export async function connect(
  serviceUrl: string,
  name: string,
  tenant: Tenant,
  leenaUrl: string,
): Promise<string> {
  const created = await adminFetch(serviceUrl, '/admin/connections', {
    method: 'POST',
    body: {
      name,
      ...tenant,
      leena: { url: leenaUrl, apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET },
    },
  });
  if (created.status !== 201)
    throw new Error(`connection not created: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the predicate holds; the failure names what was awaited and the last error. */
export async function waitUntil(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await predicate()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(50);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for: ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
  );
}

/**
 * The contract's correctness test: applying every event the sink accepted, in sequence order per
 * user and ignoring ids already seen, yields exactly the tenant's users with their current fields.
 */
export function assertConverged(
  sink: LeenaSink,
  sim: GraphSimulator,
  connectionId: string,
  tenantId: string,
): void {
  const state = sink.state();
  assert.deepEqual(state.orderViolations, [], 'per-user order');
  assert.deepEqual(state.changeMismatches, [], 'changes agree with profiles');
  assert.deepEqual(state.webhookIdConflicts, [], 'a retry resends the same request');
  const profiles = sink.profiles(connectionId);
  const graph = sim.listUsers(tenantId);
  assert.equal(Object.keys(profiles).length, graph.length, 'users in Leena AI');
  for (const u of graph) assert.deepEqual(profiles[u.id], { ...u }, `user ${u.id}`);
}

export function isConverged(
  sink: LeenaSink,
  sim: GraphSimulator,
  connectionId: string,
  tenantId: string,
): boolean {
  try {
    assertConverged(sink, sim, connectionId, tenantId);
    return true;
  } catch {
    return false;
  }
}

/** Outbox event ids the sink never accepted: events lost on the way to Leena AI. */
export async function lostEvents(db: TestDatabase, sink: LeenaSink, connectionId: string): Promise<string[]> {
  const rows = await db.database.db
    .selectFrom('outbox_events')
    .select('event_id')
    .where('connection_id', '=', connectionId)
    .execute();
  const received = new Set(sink.events.map((e) => e.id));
  return rows.map((r) => r.event_id).filter((id) => !received.has(id));
}

export async function outboxCount(db: TestDatabase, connectionId: string): Promise<number> {
  const r = await db.database.db
    .selectFrom('outbox_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('connection_id', '=', connectionId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Changes a slice of users in Graph (job titles, a department, a hire, a soft delete). */
export function mixedChanges(sim: GraphSimulator, tenantId: string, round: number, count = 10): void {
  const users = sim.listUsers(tenantId);
  for (let i = 0; i < count && users.length > 0; i++) {
    const u = users[(round * count + i) % users.length]!;
    sim.updateUser(tenantId, u.id, { jobTitle: `Round ${round} #${i}` });
  }
  if (round % 3 === 0)
    sim.createUser(tenantId, { displayName: `Hire ${round}`, givenName: 'Hire', surname: String(round) });
  if (round % 4 === 1 && users.length > 5) sim.softDeleteUser(tenantId, users[users.length - 1]!.id);
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
