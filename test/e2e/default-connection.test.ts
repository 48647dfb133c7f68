import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { startService } from '../../src/service.js';
import { startGraphSimulator, type GraphSimulator } from '../../src/simulator/graph-simulator.js';
import { startLeenaSink, type LeenaSink } from '../../src/simulator/leena-sink.js';
import { adminFetch, testEnv } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/service-process.js';
import { SINK_API_KEY, SINK_SIGNING_SECRET } from '../helpers/sync-harness.js';

describe('the "default" connection from ENTRA_* / LEENA_* variables', () => {
  let sim: GraphSimulator;
  let sink: LeenaSink;
  let db: TestDatabase;
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const quiet = () => createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) });

  before(async () => {
    sim = await startGraphSimulator();
    sim.addTenant({ tenantId });
    sim.addApp({ tenantId, clientId, clientSecret: 'first~secret' });
    sim.seedUsers(tenantId, 12);
    sink = await startLeenaSink({ apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET });
    db = await createTestDatabase();
  });
  after(async () => {
    await sink.close();
    await sim.close();
    await db.drop();
  });

  async function start(overrides: Record<string, string>) {
    const port = await freePort();
    const config = loadConfig(
      testEnv({
        DATABASE_URL: db.url,
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        GRAPH_BASE_URL: sim.url,
        ENTRA_AUTHORITY_URL: sim.url,
        ENTRA_TENANT_ID: tenantId,
        ENTRA_CLIENT_ID: clientId,
        ENTRA_CLIENT_SECRET: 'first~secret',
        LEENA_URL: sink.url,
        LEENA_API_KEY: SINK_API_KEY,
        LEENA_SIGNING_SECRET: SINK_SIGNING_SECRET,
        CHANGE_DEBOUNCE_MS: '200',
        ...overrides,
      }),
    );
    return startService(config, quiet());
  }

  it('is created at start-up and starts with a full initial sync', async () => {
    const service = await start({});
    try {
      const res = await adminFetch(service.url, '/admin/connections/default');
      assert.equal(res.status, 200);
      assert.equal(res.body.tenantId, tenantId);
      await sink.waitFor((s) => s.events.length >= 12, 20_000);
      assert.ok(sink.events.every((e) => e.type === 'user.created' && e.source === 'reconcile'));
    } finally {
      await service.shutdown('test');
    }
  });

  it('is updated, not duplicated, when the variables change on the next start', async () => {
    const service = await start({ ENTRA_CLIENT_SECRET_EXPIRES_AT: '2028-01-01' });
    try {
      const list = await adminFetch(service.url, '/admin/connections');
      assert.equal(list.body.connections.length, 1);
      assert.equal(list.body.connections[0].clientSecretExpiresAt, '2028-01-01T00:00:00.000Z');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(sink.events.length, 12, 'nothing resent');
    } finally {
      await service.shutdown('test');
    }
  });
});
