import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { deliveryStatus } from '../../src/delivery/delivery-status.js';
import { type DeliveryHarness, eventually, receivedIds, startDeliveryHarness } from './delivery-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an outage of Leena AI', () => {
  let h: DeliveryHarness;
  before(async () => {
    h = await startDeliveryHarness({
      env: { DELIVERY_BACKOFF_BASE_MS: '20', DELIVERY_BACKOFF_MAX_MS: '300' },
    });
  });
  after(async () => {
    await h.close();
  });

  it('loses nothing and keeps per-user order: 503s for a while, changes flowing meanwhile, Postgres connections cut', async () => {
    const before = await h.outbox.addSpread(400, 40, 'steady');
    await h.sink.waitFor((s) => receivedIds(s).size >= 100, 10_000, 'delivery under way');
    h.sink.setDown(true, 503);
    const during: string[] = [];
    for (let round = 0; round < 5; round++) {
      during.push(...(await h.outbox.addSpread(100, 50, 'steady')));
      await sleep(200);
    }
    const status = await deliveryStatus(h.app.ctx.database.db, h.connection.id);
    assert.equal(status.lastError?.httpStatus, 503, JSON.stringify(status));
    assert.match(status.lastError!.message, /Leena AI answered 503/);
    // As if Postgres restarted: every connection of this database is cut mid-work.
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`.execute(
      h.app.ctx.database.db,
    );
    during.push(...(await h.outbox.addSpread(100, 50, 'steady')));
    await sleep(500);
    assert.ok(h.sink.faulted.length > 0, 'requests were refused during the outage');
    h.sink.setDown(false);

    const all = [...before, ...during];
    await h.sink.waitFor((s) => receivedIds(s).size === all.length, 30_000, 'every event after the outage');
    const state = h.sink.state();
    assert.deepEqual(state.orderViolations, []);
    assert.deepEqual(state.webhookIdConflicts, []);
    assert.deepEqual(state.changeMismatches, []);
    const received = receivedIds(h.sink);
    assert.deepEqual(
      all.filter((id) => !received.has(id)),
      [],
      'no event lost',
    );
    const retries = (await h.replicas[0]!.ctx.metrics.deliveries.get()).values.find(
      (v) => v.labels.outcome === 'retry',
    );
    assert.ok((retries?.value ?? 0) > 0, 'retries were counted');
    await eventually(
      async () => (await deliveryStatus(h.app.ctx.database.db, h.connection.id)).backlog === 0,
      5_000,
      'backlog 0',
    );
    const after = await deliveryStatus(h.app.ctx.database.db, h.connection.id);
    assert.equal(after.lastError, null);
    assert.ok(after.lastDeliveredAt);
  });
});

describe('Retry-After', () => {
  let h: DeliveryHarness;
  before(async () => {
    // A long backoff: only Retry-After can bring the retry back this soon.
    h = await startDeliveryHarness({
      env: { DELIVERY_BACKOFF_BASE_MS: '60000', DELIVERY_BACKOFF_MAX_MS: '60000' },
    });
  });
  after(async () => {
    await h.close();
  });

  for (const [status, seconds] of [
    [503, 2],
    [429, 1],
  ] as const) {
    it(`is respected to the second (${status}, Retry-After: ${seconds})`, async () => {
      h.sink.reset();
      h.sink.failNext(1, status, seconds);
      const [id] = await h.outbox.add([`retry-after-${status}`]);
      await h.sink.waitFor((s) => receivedIds(s).has(id!), 10_000, 'the retried event');
      const refused = h.sink.faulted[0]!;
      const accepted = h.sink.batches.find((b) => b.webhookId === refused.webhookId)!;
      const gap = accepted.receivedAt - refused.receivedAt;
      console.log(`Retry-After ${seconds} s: retried after ${gap} ms`);
      assert.ok(gap >= seconds * 1000, `retried after ${gap} ms, before Retry-After`);
      assert.ok(gap < seconds * 1000 + 1000, `retried after ${gap} ms, much later than Retry-After`);
      assert.equal(accepted.attempt, 2);
    });
  }
});
