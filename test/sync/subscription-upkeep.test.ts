import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startHarness, type Harness } from '../helpers/sync-harness.js';
import { eventsFor } from './outbox-reader.js';

// Lifetimes of a few seconds (the simulator's 45-minute floor lowered) and a 1 s check interval.
describe('subscriptions that never lapse', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      users: 5,
      env: { SUBSCRIPTION_LIFETIME_MINUTES: '1', SUBSCRIPTION_RENEW_CHECK_SECONDS: '1' },
      prepare: (sim) => {
        sim.faults.minLifetimeMinutes = 0;
      },
    });
    await eventually('subscription', () => h.sim.listSubscriptions(h.tenantId).length === 1);
  });
  after(async () => {
    await h?.close();
  });

  it('renews before expiry: the subscription outlives its first lifetime', async () => {
    const first = h.sim.listSubscriptions(h.tenantId)[0]!;
    const firstExpiry = Date.parse(first.expirationDateTime);
    // Renewal is due after half the lifetime (30 s); wait for a PATCH that moved the expiry.
    await eventually(
      'renewal',
      () => Date.parse(h.sim.listSubscriptions(h.tenantId)[0]?.expirationDateTime ?? '0') > firstExpiry,
      45_000,
    );
    const renewed = h.sim.listSubscriptions(h.tenantId)[0]!;
    assert.equal(renewed.id, first.id, 'renewed in place, not recreated');
    assert.ok((h.sim.stats.byRoute['PATCH /v1.0/subscriptions/{id}'] ?? 0) >= 1);
  });

  it('recreates a subscription Graph lost, then catches up on the change made in the gap', async () => {
    const lost = h.sim.listSubscriptions(h.tenantId)[0]!;
    h.sim.deleteSubscriptionBehindTheBack(lost.id);
    const u = h.sim.listUsers(h.tenantId)[0]!;
    h.sim.updateUser(h.tenantId, u.id, { jobTitle: 'Changed While Unsubscribed' }); // no notification: nobody listens
    await eventually('recreated', () => (h.sim.listSubscriptions(h.tenantId)[0]?.id ?? lost.id) !== lost.id, 15_000);
    await eventually('catch-up event', async () =>
      (await eventsFor(h.db.database, h.connectionId, u.id)).some((e) => e.changes?.jobTitle?.new === 'Changed While Unsubscribed'),
    );
    const row = await h.db.database.db.selectFrom('subscriptions').selectAll().where('kind', '=', 'users').executeTakeFirstOrThrow();
    assert.equal(row.graph_subscription_id, h.sim.listSubscriptions(h.tenantId)[0]!.id);
  });
});
