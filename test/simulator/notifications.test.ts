// Change notifications: Graph's exact item shape, which mutations fire which changeType for
// which subscriptions, coalescing per URL, and delivery (retries with backoff, drops, give-up,
// timeouts, duplicates, delay, suppression).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDefaultFaults } from '../../src/simulator/core/faults.js';
import type { SimUser } from '../../src/simulator/graph-simulator.js';
import { TENANT, echoValidation, inMinutes, json, startReceiver, startTestSim } from './helpers.js';
import type { Receiver, ReceiverHandler, TestSim } from './helpers.js';

type Item = Record<string, unknown>;

describe('change notifications', () => {
  let t: TestSim;
  let receiver: Receiver;
  let users: SimUser[];
  let groupToken: string;
  let accept: ReceiverHandler;

  before(async () => {
    t = await startTestSim();
    receiver = await startReceiver();
    accept = receiver.handler;
    users = t.sim.seedUsers(TENANT, 6, { seed: 2 });
    t.sim.addApp({ tenantId: TENANT, clientId: 'groups-app', clientSecret: 's', roles: ['Group.Read.All'] });
    groupToken = await t.token('groups-app', 's');
  });
  after(async () => {
    await t.sim.close();
    await receiver.close();
  });
  beforeEach(async () => {
    Object.assign(t.sim.faults, createDefaultFaults(), { notificationRetryBaseMs: 20 });
    for (const s of t.sim.listSubscriptions()) t.sim.deleteSubscriptionBehindTheBack(s.id);
    await t.sim.flushNotifications();
    receiver.handler = accept;
    receiver.requests.length = 0;
    t.sim.stats.resetStats();
  });

  async function subscribe(
    resource: string,
    changeType = 'updated,deleted',
    token?: string,
    clientState = 'client-secret-state',
  ) {
    const res = await t.send(
      'POST',
      '/v1.0/subscriptions',
      {
        changeType,
        notificationUrl: receiver.url,
        resource,
        expirationDateTime: inMinutes(600),
        clientState,
      },
      token,
    );
    assert.equal(res.status, 201, await res.clone().text());
    receiver.requests.length = 0;
    return json<{ id: string; expirationDateTime: string }>(res);
  }

  const items = (): Item[] => receiver.notifications().flatMap((n) => n.value);
  const summary = () => items().map((i) => `${i.changeType} ${i.resource}`);

  it("posts Graph's exact item shape for a user change", async () => {
    const sub = await subscribe('users');
    const user = users[0] as SimUser;
    t.sim.updateUser(TENANT, user.id, { jobTitle: 'CTO' });
    await t.sim.flushNotifications();
    const posts = receiver.notifications();
    assert.equal(posts.length, 1);
    assert.deepEqual(Object.keys(posts[0] ?? {}), ['value']);
    const item = posts[0]?.value[0] as Item;
    const sequenceNumber = (item.resourceData as Item).sequenceNumber;
    assert.equal(typeof sequenceNumber, 'number');
    assert.deepEqual(item, {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: sub.expirationDateTime,
      changeType: 'updated',
      resource: `Users/${user.id}`,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.User',
        '@odata.id': `Users/${user.id}`,
        id: user.id,
        organizationId: TENANT,
        sequenceNumber,
      },
      clientState: 'client-secret-state',
      tenantId: TENANT,
    });
    assert.match(String(receiver.requests[0]?.headers['content-type']), /^application\/json/);
  });

  it('fires updated for create, update, soft delete and restore; deleted for permanent delete', async () => {
    await subscribe('users');
    const created = t.sim.createUser(TENANT, { displayName: 'Temp' });
    t.sim.updateUser(TENANT, created.id, { jobTitle: 'X' });
    t.sim.softDeleteUser(TENANT, created.id);
    t.sim.restoreUser(TENANT, created.id);
    t.sim.softDeleteUser(TENANT, created.id);
    t.sim.hardDeleteUser(TENANT, created.id);
    await t.sim.flushNotifications();
    const r = `Users/${created.id}`;
    assert.deepEqual(summary(), [
      `updated ${r}`,
      `updated ${r}`,
      `updated ${r}`,
      `updated ${r}`,
      `updated ${r}`,
      `deleted ${r}`,
    ]);
  });

  it("honours the subscription's changeType and resource", async () => {
    await subscribe('users', 'deleted');
    await subscribe(`/users/${users[1]?.id}`, 'updated');
    t.sim.updateUser(TENANT, users[2]?.id as string, { jobTitle: 'ignored' });
    t.sim.updateUser(TENANT, users[1]?.id as string, { jobTitle: 'seen' });
    const doomed = t.sim.createUser(TENANT, {});
    t.sim.softDeleteUser(TENANT, doomed.id);
    t.sim.hardDeleteUser(TENANT, doomed.id);
    await t.sim.flushNotifications();
    assert.deepEqual(summary(), [`updated Users/${users[1]?.id}`, `deleted Users/${doomed.id}`]);
  });

  it('notifies group subscriptions of membership changes with the group payload', async () => {
    const group = t.sim.createGroup(TENANT, { displayName: 'Pilot' });
    const other = t.sim.createGroup(TENANT, { displayName: 'Other' });
    await subscribe('groups', 'updated', groupToken);
    await subscribe(`/groups/${group.id}/members`, 'updated', groupToken);
    t.sim.addMember(TENANT, group.id, users[0]?.id as string);
    t.sim.addMember(TENANT, other.id, users[0]?.id as string);
    t.sim.updateUser(TENANT, users[0]?.id as string, { jobTitle: 'not a group change' });
    await t.sim.flushNotifications();
    const expected = [
      `updated Groups/${group.id}`,
      `updated Groups/${group.id}`,
      `updated Groups/${other.id}`,
    ];
    assert.deepEqual(summary().sort(), expected.sort());
    const item = items()[0] as Item;
    assert.deepEqual(Object.keys(item.resourceData as Item), [
      '@odata.type',
      '@odata.id',
      'id',
      'organizationId',
      'sequenceNumber',
    ]);
    assert.equal((item.resourceData as Item)['@odata.type'], '#Microsoft.Graph.Group');
  });

  it('adds members@delta to group notifications when groupNotificationsIncludeMembers is set', async () => {
    const group = t.sim.createGroup(TENANT, { displayName: 'With members' });
    await subscribe(`/groups/${group.id}`, 'updated', groupToken);
    t.sim.faults.groupNotificationsIncludeMembers = true;
    t.sim.addMember(TENANT, group.id, users[2]?.id as string);
    t.sim.removeMember(TENANT, group.id, users[2]?.id as string);
    await t.sim.flushNotifications();
    assert.deepEqual(
      items().map((i) => (i.resourceData as Item)['members@delta']),
      [[{ id: users[2]?.id }], [{ id: users[2]?.id, '@removed': { reason: 'deleted' } }]],
    );
  });

  it('coalesces items queued within the batch window into one POST, mixing subscriptions', async () => {
    const a = await subscribe('users');
    const b = await subscribe(`/users/${users[3]?.id}`, 'updated');
    for (const u of users.slice(0, 5)) t.sim.updateUser(TENANT, u.id, { jobTitle: `batched ${u.id}` });
    await t.sim.flushNotifications();
    const posts = receiver.notifications();
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.value.length, 6);
    assert.deepEqual(new Set(posts[0]?.value.map((i) => i.subscriptionId)), new Set([a.id, b.id]));
  });

  it('splits batches at maxNotificationBatch', async () => {
    await subscribe('users');
    t.sim.faults.maxNotificationBatch = 2;
    for (const u of users.slice(0, 5)) t.sim.updateUser(TENANT, u.id, { jobTitle: `split ${u.id}` });
    await t.sim.flushNotifications();
    assert.deepEqual(
      receiver.notifications().map((p) => p.value.length),
      [2, 2, 1],
    );
    assert.equal(t.sim.stats.notificationsSent, 5);
    assert.equal(t.sim.stats.notificationPosts, 3);
  });

  function failFirst(count: number, status: number): void {
    let failures = 0;
    receiver.handler = (req, res) => {
      if (echoValidation(req, res)) return;
      res.writeHead(failures++ < count ? status : 202).end();
    };
  }

  it('retries 5xx and 429 with exponential backoff until delivered', async () => {
    await subscribe('users');
    failFirst(3, 503);
    t.sim.updateUser(TENANT, users[0]?.id as string, { jobTitle: 'retried' });
    await t.sim.flushNotifications();
    const at = receiver.requests.map((r) => r.at);
    assert.equal(at.length, 4);
    const gaps = at.slice(1).map((v, i) => v - (at[i] as number));
    assert.ok(
      (gaps[0] as number) >= 18 && (gaps[1] as number) >= 38 && (gaps[2] as number) >= 78,
      `gaps ${gaps}`,
    );
    assert.equal(t.sim.stats.notificationsSent, 1);
    assert.equal(t.sim.stats.notificationsLost, 0);
    receiver.requests.length = 0;
    failFirst(1, 429);
    t.sim.updateUser(TENANT, users[0]?.id as string, { jobTitle: 'throttled' });
    await t.sim.flushNotifications();
    assert.equal(receiver.requests.length, 2);
  });

  it('drops a batch answered with another 4xx and counts it lost', async () => {
    await subscribe('users');
    failFirst(1, 400);
    t.sim.updateUser(TENANT, users[0]?.id as string, { jobTitle: 'dropped' });
    t.sim.updateUser(TENANT, users[1]?.id as string, { jobTitle: 'dropped' });
    await t.sim.flushNotifications();
    assert.equal(receiver.requests.length, 1);
    assert.equal(t.sim.stats.notificationsLost, 2);
    assert.equal(t.sim.stats.notificationsSent, 0);
  });

  it('gives up after notificationGiveUpMs and counts the items lost', async () => {
    await subscribe('users');
    t.sim.faults.notificationGiveUpMs = 100;
    failFirst(1000, 500);
    t.sim.updateUser(TENANT, users[0]?.id as string, { jobTitle: 'lost' });
    await t.sim.flushNotifications();
    // Attempts at 0, 20 and 60 ms (fewer when answers are slow); the next, at 140 ms, would pass the limit.
    assert.ok(
      receiver.requests.length >= 2 && receiver.requests.length <= 3,
      `${receiver.requests.length} attempts`,
    );
    assert.equal(t.sim.stats.notificationsLost, 1);
    assert.equal(t.sim.stats.notificationsSent, 0);
  });

  it('treats a slow answer as a failure and retries', async () => {
    await subscribe('users');
    t.sim.faults.notificationTimeoutMs = 250;
    let calls = 0;
    receiver.handler = async (req, res) => {
      if (echoValidation(req, res)) return;
      if (calls++ === 0) await sleep(800);
      res.writeHead(202).end();
    };
    t.sim.updateUser(TENANT, users[0]?.id as string, { jobTitle: 'slow' });
    await t.sim.flushNotifications();
    assert.equal(calls, 2);
    assert.equal(t.sim.stats.notificationsSent, 1);
  });

  it("drops an endpoint's notifications for a window after more than 15% slow answers", async () => {
    const slowReceiver = await startReceiver();
    try {
      const res = await t.send('POST', '/v1.0/subscriptions', {
        changeType: 'updated',
        notificationUrl: slowReceiver.url,
        resource: `/users/${users[5]?.id}`,
        expirationDateTime: inMinutes(600),
      });
      assert.equal(res.status, 201);
      Object.assign(t.sim.faults, {
        notificationTimeoutMs: 150,
        notificationGiveUpMs: 0,
        maxNotificationBatch: 1,
        slowEndpointWindowMs: 1000,
      });
      let slow = true;
      slowReceiver.handler = async (req, res) => {
        if (echoValidation(req, res)) return;
        if (slow) await sleep(400);
        res.writeHead(202).end();
      };
      // Counted on the sending side: a POST abandoned at the timeout may never reach the receiver.
      for (let i = 0; i < 10; i++)
        t.sim.updateUser(TENANT, users[5]?.id as string, { jobTitle: `slow ${i}` });
      await t.sim.flushNotifications();
      assert.equal(t.sim.stats.notificationPosts, 10);
      assert.equal(t.sim.stats.notificationsLost, 10);
      slow = false;
      t.sim.updateUser(TENANT, users[5]?.id as string, { jobTitle: 'dropped by Graph' });
      await t.sim.flushNotifications();
      assert.equal(t.sim.stats.notificationPosts, 10, 'nothing is sent while the endpoint is penalised');
      assert.equal(t.sim.stats.notificationsLost, 11);
      await sleep(1100);
      t.sim.updateUser(TENANT, users[5]?.id as string, { jobTitle: 'after the window' });
      await t.sim.flushNotifications();
      assert.equal(t.sim.stats.notificationPosts, 11);
      assert.equal(t.sim.stats.notificationsSent, 1);
    } finally {
      await slowReceiver.close();
    }
  });

  it('sends every POST notificationDuplicates times', async () => {
    await subscribe('users');
    t.sim.faults.notificationDuplicates = 3;
    t.sim.updateUser(TENANT, users[0]?.id as string, { jobTitle: 'thrice' });
    await t.sim.flushNotifications();
    assert.equal(receiver.requests.length, 3);
    assert.equal(new Set(receiver.requests.map((r) => r.body)).size, 1);
    assert.equal(t.sim.stats.notificationsSent, 1);
    assert.equal(t.sim.stats.notificationPosts, 3);
  });

  it('waits notificationDelayMs before the first POST', async () => {
    await subscribe('users');
    t.sim.faults.notificationDelayMs = 200;
    const start = Date.now();
    t.sim.updateUser(TENANT, users[0]?.id as string, { jobTitle: 'late' });
    await t.sim.flushNotifications();
    assert.ok((receiver.requests[0]?.at as number) - start >= 195);
  });

  it('drops silently (counted) when suppressed, generates nothing when disabled', async () => {
    await subscribe('users');
    t.sim.faults.suppressNotifications = true;
    t.sim.updateUser(TENANT, users[0]?.id as string, { jobTitle: 'suppressed' });
    t.sim.faults.suppressNotifications = false;
    t.sim.faults.notificationsEnabled = false;
    t.sim.updateUser(TENANT, users[0]?.id as string, { jobTitle: 'disabled' });
    await t.sim.flushNotifications();
    assert.equal(receiver.requests.length, 0);
    assert.equal(t.sim.stats.notificationsLost, 1);
  });

  it('sends nothing for expired or vanished subscriptions', async () => {
    const vanished = await subscribe(`/users/${users[0]?.id}`);
    await subscribe('users');
    t.sim.deleteSubscriptionBehindTheBack(vanished.id);
    t.sim.clock.advance(601 * 60_000);
    t.sim.updateUser(TENANT, users[0]?.id as string, { jobTitle: 'nobody listens' });
    await t.sim.flushNotifications();
    assert.equal(receiver.requests.length, 0);
  });

  it('notifies for seeded users only when asked to', async () => {
    await subscribe('users');
    t.sim.seedUsers(TENANT, 3, { seed: 100 });
    const loud = t.sim.seedUsers(TENANT, 2, { seed: 101, notify: true });
    await t.sim.flushNotifications();
    assert.deepEqual(
      summary(),
      loud.map((u) => `updated Users/${u.id}`),
    );
  });
});
