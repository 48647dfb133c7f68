import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DeliveryHarness, receivedIds, startDeliveryHarness } from './delivery-harness.js';

describe('two replicas draining one outbox', () => {
  let h: DeliveryHarness;
  before(async () => {
    h = await startDeliveryHarness({ replicas: 2, env: { DELIVERY_CONCURRENCY: '4' } });
  });
  after(async () => {
    await h.close();
  });

  it('keep per-user order, never send two bodies under one webhook-id, and share the work', async () => {
    h.sink.faults.latencyMs = 5;
    const ids = await h.outbox.addSpread(2500, 250, 'shared');
    // Transient failures make batches change hands between replicas.
    h.sink.failNext(6, 503);
    const more = await h.outbox.addSpread(1500, 150, 'shared');
    await h.sink.waitFor((s) => receivedIds(s).size === ids.length + more.length, 30_000, 'every event');
    const state = h.sink.state();
    assert.deepEqual(state.orderViolations, []);
    assert.deepEqual(state.webhookIdConflicts, []);
    assert.deepEqual(state.changeMismatches, []);
    assert.equal(state.duplicates, 0);
    for (const [i, replica] of h.replicas.entries()) {
      const delivered = (await replica.ctx.metrics.deliveries.get()).values.find(
        (v) => v.labels.outcome === 'delivered',
      );
      assert.ok((delivered?.value ?? 0) > 0, `replica ${i + 1} delivered batches`);
    }
  });
});
