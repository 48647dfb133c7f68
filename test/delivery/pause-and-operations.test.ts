import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refreshDeliveryGauges } from '../../src/delivery/delivery-gauges.js';
import { adminFetch } from '../helpers/context.js';
import { type DeliveryHarness, receivedIds, startDeliveryHarness } from './delivery-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pause, resume and operations', () => {
  let h: DeliveryHarness;
  before(async () => {
    h = await startDeliveryHarness();
  });
  after(async () => {
    await h.close();
  });

  it('a paused connection accumulates a backlog and sends nothing, not even retries; resume drains it in order', async () => {
    // The retry is due one second after the failure: well after the pause below.
    h.sink.failNext(1, 503, 1);
    const [retried] = await h.outbox.add(['hal']);
    await h.sink.waitFor((s) => s.faulted.length === 1, 10_000, 'the first, failed attempt');
    const paused = await adminFetch(h.app.url, '/admin/connections/acme/pause', { method: 'POST' });
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal(paused.body.paused, true);
    const ids = await h.outbox.addSpread(300, 30, 'paused');
    await sleep(1500);
    assert.equal(h.sink.events.length, 0, 'nothing delivered while paused');
    assert.equal(h.sink.faulted.length, 1, 'no retry while paused');
    const status = await adminFetch(h.app.url, `/admin/connections/${h.connection.id}/delivery`);
    assert.equal(status.body.paused, true);
    assert.equal(status.body.backlog, 301);
    assert.ok(Date.parse(status.body.oldestPendingAt) <= Date.now());

    const resumed = await adminFetch(h.app.url, '/admin/connections/acme/resume', { method: 'POST' });
    assert.equal(resumed.body.paused, false);
    await h.sink.waitFor(
      (s) => [retried!, ...ids].every((id) => receivedIds(s).has(id)),
      10_000,
      'the backlog',
    );
    assert.deepEqual(h.sink.state().orderViolations, []);
  });

  it('exposes backlog, oldest age, dead letters, deliveries, attempts and latency in /metrics', async () => {
    await h.outbox.add(['ivy']);
    const pause = await adminFetch(h.app.url, '/admin/connections/acme/pause', { method: 'POST' });
    assert.equal(pause.status, 200);
    await h.outbox.add(['ivy']);
    await refreshDeliveryGauges(h.app.ctx);
    const text = await (await fetch(`${h.app.url}/metrics`)).text();
    assert.match(text, /entra_sync_delivery_backlog_events\{connection="acme"\} [1-9]/);
    assert.match(text, /entra_sync_delivery_oldest_pending_seconds\{connection="acme"\} \d/);
    assert.match(text, /entra_sync_dead_letters\{connection="acme"\} 0/);
    await adminFetch(h.app.url, '/admin/connections/acme/resume', { method: 'POST' });
    const replica = await h.replicas[0]!.ctx.metrics.registry.metrics();
    assert.match(replica, /entra_sync_deliveries_total\{outcome="delivered"\} [1-9]/);
    assert.match(replica, /entra_sync_deliveries_total\{outcome="retry"\} 1/);
    assert.match(replica, /entra_sync_delivery_attempts_bucket\{le="2"\} [1-9]/);
    assert.match(replica, /entra_sync_delivery_seconds_count [1-9]/);
  });

  it('documents every delivery route in /openapi.json', async () => {
    const doc = (await (await fetch(`${h.app.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      'delivery',
      'dead-letters',
      'dead-letters/replay',
      'dead-letters/skip',
      'pause',
      'resume',
    ]) {
      assert.ok(doc.paths[`/admin/connections/{id}/${path}`], path);
    }
  });
});
