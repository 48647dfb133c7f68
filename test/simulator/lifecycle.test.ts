// Lifecycle notifications: the exact body sent to lifecycleNotificationUrl, and their effect:
// reauthorizationRequired pauses delivery until reauthorize or renew; subscriptionRemoved ends it.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { SimUser } from '../../src/simulator/graph-simulator.js';
import { TENANT, inMinutes, json, startReceiver, startTestSim } from './helpers.js';
import type { Receiver, TestSim } from './helpers.js';

describe('lifecycle notifications', () => {
  let t: TestSim;
  let changes: Receiver;
  let lifecycle: Receiver;
  let user: SimUser;

  before(async () => {
    t = await startTestSim();
    changes = await startReceiver();
    lifecycle = await startReceiver();
    user = t.sim.createUser(TENANT, { displayName: 'Subject' });
  });
  after(async () => {
    await t.sim.close();
    await changes.close();
    await lifecycle.close();
  });
  beforeEach(() => {
    t.sim.faults.pauseUntilReauthorized = true;
    for (const s of t.sim.listSubscriptions()) t.sim.deleteSubscriptionBehindTheBack(s.id);
  });

  async function subscribe(withLifecycle = true) {
    const res = await t.send('POST', '/v1.0/subscriptions', {
      changeType: 'updated',
      notificationUrl: changes.url,
      ...(withLifecycle ? { lifecycleNotificationUrl: lifecycle.url } : {}),
      resource: 'users',
      expirationDateTime: inMinutes(600),
      clientState: 'life-state',
    });
    assert.equal(res.status, 201);
    changes.requests.length = 0;
    lifecycle.requests.length = 0;
    return json<{ id: string; expirationDateTime: string }>(res);
  }

  async function changeCount(): Promise<number> {
    t.sim.updateUser(TENANT, user.id, { jobTitle: `t${Math.random()}` });
    await t.sim.flushNotifications();
    const count = changes.notifications().length;
    changes.requests.length = 0;
    return count;
  }

  it("posts Graph's lifecycle body to the lifecycle URL", async () => {
    const sub = await subscribe();
    await t.sim.sendLifecycleEvent(sub.id, 'missed');
    assert.equal(lifecycle.requests.length, 1);
    assert.deepEqual(JSON.parse(lifecycle.requests[0]?.body ?? ''), {
      value: [
        {
          subscriptionId: sub.id,
          subscriptionExpirationDateTime: sub.expirationDateTime,
          tenantId: TENANT,
          clientState: 'life-state',
          lifecycleEvent: 'missed',
        },
      ],
    });
    assert.equal(changes.requests.length, 0);
    assert.equal(await changeCount(), 1, 'missed changes nothing about delivery');
  });

  it('pauses delivery after reauthorizationRequired until POST /reauthorize', async () => {
    const sub = await subscribe();
    await t.sim.sendLifecycleEvent(sub.id, 'reauthorizationRequired');
    assert.equal(
      JSON.parse(lifecycle.requests[0]?.body ?? '').value[0].lifecycleEvent,
      'reauthorizationRequired',
    );
    assert.equal(t.sim.listSubscriptions()[0]?.needsReauthorization, true);
    const lostBefore = t.sim.stats.notificationsLost;
    assert.equal(await changeCount(), 0);
    assert.equal(t.sim.stats.notificationsLost, lostBefore + 1);
    assert.equal((await t.send('POST', `/v1.0/subscriptions/${sub.id}/reauthorize`, undefined)).status, 204);
    assert.equal(await changeCount(), 1);
  });

  it('also resumes delivery on renew', async () => {
    const sub = await subscribe();
    await t.sim.sendLifecycleEvent(sub.id, 'reauthorizationRequired');
    assert.equal(
      (await t.send('PATCH', `/v1.0/subscriptions/${sub.id}`, { expirationDateTime: inMinutes(900) })).status,
      200,
    );
    assert.equal(await changeCount(), 1);
  });

  it('keeps delivering after reauthorizationRequired when pauseUntilReauthorized is off', async () => {
    t.sim.faults.pauseUntilReauthorized = false;
    const sub = await subscribe();
    await t.sim.sendLifecycleEvent(sub.id, 'reauthorizationRequired');
    assert.equal(await changeCount(), 1);
  });

  it('removes the subscription with subscriptionRemoved', async () => {
    const sub = await subscribe();
    await t.sim.sendLifecycleEvent(sub.id, 'subscriptionRemoved');
    assert.equal(
      JSON.parse(lifecycle.requests[0]?.body ?? '').value[0].lifecycleEvent,
      'subscriptionRemoved',
    );
    assert.equal((await t.get(`/v1.0/subscriptions/${sub.id}`)).status, 404);
    assert.equal(await changeCount(), 0);
  });

  it('refuses to send to a subscription without lifecycleNotificationUrl or unknown ids', async () => {
    const sub = await subscribe(false);
    await assert.rejects(t.sim.sendLifecycleEvent(sub.id, 'missed'), /no lifecycleNotificationUrl/);
    await assert.rejects(t.sim.sendLifecycleEvent('nope', 'missed'), /does not exist/);
  });
});
