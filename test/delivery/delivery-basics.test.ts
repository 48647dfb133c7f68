import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DeliveryHarness, receivedIds, startDeliveryHarness } from './delivery-harness.js';

describe('delivery basics', () => {
  let h: DeliveryHarness;
  before(async () => {
    h = await startDeliveryHarness();
  });
  after(async () => {
    await h.close();
  });

  it('delivers every event in per-user order, in batches of at most 100', async () => {
    const ids = await h.outbox.addSpread(1000, 37);
    await h.sink.waitFor((s) => receivedIds(s).size === ids.length, 15_000, 'all events');
    const state = h.sink.state();
    assert.deepEqual(state.orderViolations, []);
    assert.deepEqual(state.webhookIdConflicts, []);
    assert.deepEqual(state.changeMismatches, []);
    assert.ok(h.sink.batches.every((b) => b.events.length <= 100));
    console.log(`batches ${h.sink.batches.length}, duplicates ${state.duplicates}`);
  });
});
