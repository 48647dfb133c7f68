/**
 * The whole system in one test process: the Graph/Entra simulator with a tenant, a Leena AI
 * sink, and the real service (startService: HTTP + workers) on a fresh test database, with a
 * connection created through the admin API.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { startService, type RunningService } from '../../src/service.js';
import { startGraphSimulator, type GraphSimulator } from '../../src/simulator/graph-simulator.js';
import { startLeenaSink, type LeenaSink } from '../../src/simulator/leena-sink.js';
import { Writable } from 'node:stream';
import { adminFetch, testEnv } from './context.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { freePort } from './service-process.js';

export const SINK_API_KEY = 'sink-api-key-123456';
export const SINK_SIGNING_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export interface Harness {
  readonly sim: GraphSimulator;
  readonly sink: LeenaSink;
  readonly service: RunningService;
  readonly db: TestDatabase;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly connectionId: string;
  readonly logs: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly users?: number;
  readonly groupId?: string;
  readonly env?: Record<string, string>;
  /** Set up the simulator (groups, roles, faults) before the connection exists. */
  readonly prepare?: (sim: GraphSimulator, tenantId: string, clientId: string) => void | Promise<void>;
  readonly roles?: string[];
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startGraphSimulator();
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const clientSecret = `sim~${randomUUID()}`;
  sim.addTenant({ tenantId, displayName: 'Contoso' });
  sim.addApp({ tenantId, clientId, clientSecret, roles: options.roles });
  if (options.users) sim.seedUsers(tenantId, options.users, { seed: 7 });
  await options.prepare?.(sim, tenantId, clientId);
  const sink = await startLeenaSink({ apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET });
  const db = await createTestDatabase();
  const port = await freePort();
  const config = loadConfig(
    testEnv({
      DATABASE_URL: db.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      GRAPH_BASE_URL: sim.url,
      ENTRA_AUTHORITY_URL: sim.url,
      CHANGE_DEBOUNCE_MS: '200',
      DELIVERY_BACKOFF_BASE_MS: '100',
      DELIVERY_BACKOFF_MAX_MS: '1000',
      LEASE_SECONDS: '10',
      ...options.env,
    }),
  );
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _e, done) {
        logs.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    }),
  });
  const service = await startService(config, logger);
  const created = await adminFetch(service.url, '/admin/connections', {
    method: 'POST',
    body: {
      name: 'contoso',
      tenantId,
      clientId,
      clientSecret,
      groupId: options.groupId ?? null,
      leena: { url: sink.url, apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET },
    },
  });
  if (created.status !== 201) throw new Error(`connection not created: ${JSON.stringify(created.body)}`);
  return {
    sim,
    sink,
    service,
    db,
    tenantId,
    clientId,
    clientSecret,
    connectionId: created.body.id,
    logs,
    async close() {
      await service.shutdown('test done');
      await sink.close();
      await sim.close();
      await db.drop();
    },
  };
}

/** Polls until the predicate holds, with the reason in the failure. */
export async function eventually(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await predicate()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for: ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

/** Waits until the subscription exists and no sync work is pending or running (a quiet system). */
export async function settled(h: Harness): Promise<void> {
  await eventually('users subscription', () => h.sim.listSubscriptions(h.tenantId).length >= 1);
  await eventually('sync idle', async () => {
    const s = await h.db.database.db.selectFrom('sync_state').selectAll().executeTakeFirstOrThrow();
    return s.pending_since === null && s.claimed_pending_since === null && s.resync_requested_at === null && s.lease_owner === null;
  });
}
