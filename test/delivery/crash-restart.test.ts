import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { generateSigningSecret } from '../../src/delivery/signing.js';
import { type LeenaSink, startLeenaSink } from '../../src/simulator/leena-sink.js';
import { adminFetch, TEST_ADMIN_TOKEN, TEST_SECRET_KEY } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';
import { TENANT_ID, eventually, receivedIds } from './delivery-harness.js';
import { createOutboxFixture } from './outbox-fixtures.js';

describe('kill -9 during delivery', () => {
  let db: TestDatabase;
  let sink: LeenaSink;
  let service: ServiceProcess | undefined;
  const signingSecret = generateSigningSecret();
  before(async () => {
    db = await createTestDatabase();
    sink = await startLeenaSink({ apiKey: 'crash-test-api-key', signingSecret });
  });
  after(async () => {
    await service?.stop('SIGKILL');
    await sink.close();
    await db.drop();
  });

  const start = () =>
    startServiceProcess({
      DATABASE_URL: db.url,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      SECRET_KEY: TEST_SECRET_KEY,
      PUBLIC_URL: 'http://127.0.0.1:3000',
      GRAPH_BASE_URL: 'http://127.0.0.1:1',
      ENTRA_AUTHORITY_URL: 'http://127.0.0.1:1',
      ALLOW_INSECURE_LEENA_URL: 'true',
      LEASE_SECONDS: '5',
      DELIVERY_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'error',
    });

  it('a restart delivers every event, batches in flight at the crash included', async () => {
    service = await start();
    const created = await adminFetch(service.url, '/admin/connections', {
      method: 'POST',
      body: {
        name: 'crash',
        tenantId: TENANT_ID,
        clientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        clientSecret: 'client-secret-value',
        leena: { url: sink.url, apiKey: 'crash-test-api-key', signingSecret },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // Batches spend a second in flight, so the kill lands while some are on the wire.
    sink.faults.latencyMs = 1000;
    const outbox = createOutboxFixture(db.database.db, { id: created.body.id, tenantId: TENANT_ID });
    const ids = await outbox.addSpread(2000, 300, 'crash');
    await sink.waitFor((s) => s.events.length >= 400, 20_000, 'delivery under way');
    // Events arrive in waves, when a second of latency ends; kill in the middle of the next wave.
    await new Promise((r) => setTimeout(r, 300));
    await eventually(async () => (await leasedBatches(db)) >= 2, 5_000, 'batches in flight');
    service.proc.kill('SIGKILL');
    await service.exited;
    const inFlight = await leasedBatches(db);
    assert.ok(inFlight > 0, 'batches were in flight when the process died');
    const beforeRestart = receivedIds(sink).size;
    assert.ok(beforeRestart < ids.length, 'work was left for the restart');

    service = await start();
    await sink.waitFor((s) => receivedIds(s).size === ids.length, 40_000, 'every event after the restart');
    const state = sink.state();
    console.log(
      `kill -9 after ${beforeRestart} of ${ids.length} events; ${inFlight} batches in flight; ` +
        `${state.duplicates} events delivered twice (at least once)`,
    );
    assert.deepEqual(state.orderViolations, []);
    assert.deepEqual(state.webhookIdConflicts, []);
    assert.ok(state.duplicates <= 4 * 100, 'repeats are bounded by the batches in flight');
  });
});

/** Batches claimed and not finished (in flight, unless their replica is dead). */
async function leasedBatches(db: TestDatabase): Promise<number> {
  const result = await sql<{ n: string }>`
    SELECT count(*) AS n FROM delivery_batches WHERE status = 'pending' AND lease_owner IS NOT NULL`.execute(
    db.database.db,
  );
  return Number(result.rows[0]!.n);
}
