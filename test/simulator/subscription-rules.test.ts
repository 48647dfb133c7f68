// Graph's subscription rules for users and groups: body validation, lifetime limits, 409 on
// duplicates, quotas, renew/delete/reauthorize, and expiry that really removes the subscription.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CLIENT_ID, TENANT, inMinutes, json, startReceiver, startTestSim } from './helpers.js';
import type { Receiver, TestSim } from './helpers.js';

type Sub = Record<string, unknown> & { id: string; expirationDateTime: string };
type GraphError = { error: { code: string; message: string } };

describe('subscription rules', () => {
  let t: TestSim;
  let receiver: Receiver;
  let userId: string;

  before(async () => {
    t = await startTestSim();
    receiver = await startReceiver();
    userId = t.sim.createUser(TENANT, { displayName: 'Subject' }).id;
  });
  after(async () => {
    await t.sim.close();
    await receiver.close();
  });
  beforeEach(() => {
    t.sim.faults.allowHttpLoopback = true;
    t.sim.faults.minLifetimeMinutes = 45;
    for (const s of t.sim.listSubscriptions()) t.sim.deleteSubscriptionBehindTheBack(s.id);
  });

  const body = (extra: Record<string, unknown> = {}) => ({
    changeType: 'updated,deleted',
    notificationUrl: receiver.url,
    resource: 'users',
    expirationDateTime: inMinutes(60),
    clientState: 'abc',
    ...extra,
  });
  const create = (extra: Record<string, unknown> = {}, token?: string) =>
    t.send('POST', '/v1.0/subscriptions', body(extra), token);

  async function expect400(res: Response, pattern: RegExp): Promise<void> {
    assert.equal(res.status, 400);
    assert.match((await json<GraphError>(res)).error.message, pattern);
    assert.equal(t.sim.listSubscriptions().length, 0);
  }

  it("answers 201 with Graph's subscription shape, clientState null", async () => {
    const expiry = inMinutes(600);
    const res = await create({ expirationDateTime: expiry, lifecycleNotificationUrl: receiver.url });
    assert.equal(res.status, 201);
    const sub = await json<Sub>(res);
    assert.equal(sub['@odata.context'], `${t.sim.url}/v1.0/$metadata#subscriptions/$entity`);
    assert.equal(sub.resource, 'users');
    assert.equal(sub.applicationId, CLIENT_ID);
    assert.equal(sub.changeType, 'updated,deleted');
    assert.equal(sub.clientState, null);
    assert.equal(sub.notificationUrl, receiver.url);
    assert.equal(sub.lifecycleNotificationUrl, receiver.url);
    assert.equal(sub.latestSupportedTlsVersion, 'v1_2');
    assert.equal(sub.notificationContentType, 'application/json');
    assert.equal(typeof sub.creatorId, 'string');
    assert.equal(Date.parse(sub.expirationDateTime), Date.parse(expiry));
    assert.match(sub.expirationDateTime, /\.\d{7}Z$/);
    assert.equal(
      t.sim.listSubscriptions(TENANT)[0]?.clientState,
      'abc',
      'the simulator keeps the real secret',
    );
  });

  it('accepts every supported resource, slash optional, case-insensitive', async () => {
    const group = t.sim.createGroup(TENANT, { displayName: 'G' }).id;
    t.sim.addApp({ tenantId: TENANT, clientId: 'dir', clientSecret: 's', roles: ['Directory.Read.All'] });
    const token = await t.token('dir', 's');
    for (const resource of [
      '/users',
      `users/${userId}`,
      'Groups',
      `/groups/${group}`,
      `/groups/${group}/members`,
    ]) {
      const res = await create({ resource }, token);
      assert.equal(res.status, 201, `${resource}: ${await res.clone().text()}`);
    }
  });

  it('refuses changeType created and unknown change types', async () => {
    await expect400(await create({ changeType: 'created,updated' }), /created/);
    await expect400(await create({ changeType: 'renamed' }), /renamed/);
  });

  it('refuses unsupported resources and query options on resources', async () => {
    await expect400(await create({ resource: 'me/messages' }), /not supported/);
    await expect400(await create({ resource: "users?$filter=department eq 'IT'" }), /Query options/);
  });

  it('requires https, except loopback http while allowHttpLoopback is on', async () => {
    await expect400(await create({ notificationUrl: 'http://example.com/hook' }), /https/);
    t.sim.faults.allowHttpLoopback = false;
    await expect400(await create(), /https/);
    await expect400(await create({ lifecycleNotificationUrl: 'ftp://127.0.0.1/x' }), /https/);
  });

  it('requires the mandatory properties', async () => {
    for (const missing of ['changeType', 'notificationUrl', 'resource', 'expirationDateTime']) {
      await expect400(await create({ [missing]: undefined }), new RegExp(missing));
    }
  });

  it('refuses a lifetime over 41,760 minutes and raises one under 45 minutes silently', async () => {
    await expect400(await create({ expirationDateTime: inMinutes(41_761) }), /41760 minutes/);
    assert.equal(
      (await create({ expirationDateTime: inMinutes(41_759), resource: `/users/${userId}` })).status,
      201,
    );
    const before = Date.now();
    const short = await json<Sub>(await create({ expirationDateTime: inMinutes(5) }));
    const minutes = (Date.parse(short.expirationDateTime) - before) / 60_000;
    assert.ok(minutes >= 45 && minutes < 45.1, `raised to ${minutes} minutes`);
  });

  it('refuses a clientState over 128 characters', async () => {
    await expect400(await create({ clientState: 'x'.repeat(129) }), /128/);
    assert.equal((await create({ clientState: 'x'.repeat(128) })).status, 201);
  });

  it('answers 409 for the same changeType and resource from the same app', async () => {
    assert.equal((await create()).status, 201);
    const dup = await create({ changeType: 'deleted,updated', resource: '/Users' });
    assert.equal(dup.status, 409);
    assert.equal(
      (await create({ changeType: 'updated' })).status,
      201,
      'another changeType is another subscription',
    );
    t.sim.addApp({ tenantId: TENANT, clientId: 'other', clientSecret: 's' });
    assert.equal(
      (await create({}, await t.token('other', 's'))).status,
      201,
      'another app may subscribe too',
    );
  });

  it('enforces 100 subscriptions per app per tenant with a 403 naming the limit', async () => {
    const users = t.sim.seedUsers(TENANT, 100, { seed: 42 });
    for (const u of users) assert.equal((await create({ resource: `/users/${u.id}` })).status, 201);
    const res = await create();
    assert.equal(res.status, 403);
    assert.match((await json<GraphError>(res)).error.message, /100 subscriptions per application per tenant/);
  });

  it('renews by PATCH with the same lifetime rules', async () => {
    const sub = await json<Sub>(await create());
    const later = inMinutes(2000);
    const res = await t.send('PATCH', `/v1.0/subscriptions/${sub.id}`, { expirationDateTime: later });
    assert.equal(res.status, 200);
    assert.equal(Date.parse((await json<Sub>(res)).expirationDateTime), Date.parse(later));
    assert.equal(
      (await t.send('PATCH', `/v1.0/subscriptions/${sub.id}`, { expirationDateTime: inMinutes(50_000) }))
        .status,
      400,
    );
  });

  it('refuses to add a lifecycleNotificationUrl by PATCH', async () => {
    const sub = await json<Sub>(await create());
    const res = await t.send('PATCH', `/v1.0/subscriptions/${sub.id}`, {
      lifecycleNotificationUrl: receiver.url,
    });
    assert.equal(res.status, 400);
    assert.match((await json<GraphError>(res)).error.message, /lifecycleNotificationUrl/);
  });

  it("lists only the caller's subscriptions, gets, deletes and reauthorizes them", async () => {
    const mine = await json<Sub>(await create());
    t.sim.addApp({ tenantId: TENANT, clientId: 'other2', clientSecret: 's' });
    const otherToken = await t.token('other2', 's');
    const theirs = await json<Sub>(await create({}, otherToken));
    const list = await json<{ value: Sub[] }>(await t.get('/v1.0/subscriptions'));
    assert.deepEqual(
      list.value.map((s) => s.id),
      [mine.id],
    );
    assert.equal(
      (await t.get(`/v1.0/subscriptions/${theirs.id}`)).status,
      404,
      "another app's subscription is invisible",
    );
    assert.equal((await t.get(`/v1.0/subscriptions/${mine.id}`)).status, 200);
    assert.equal((await t.send('POST', `/v1.0/subscriptions/${mine.id}/reauthorize`, undefined)).status, 204);
    assert.equal((await t.send('DELETE', `/v1.0/subscriptions/${mine.id}`, undefined)).status, 204);
    const gone = await t.get(`/v1.0/subscriptions/${mine.id}`);
    assert.equal(gone.status, 404);
    assert.equal((await json<GraphError>(gone)).error.code, 'ResourceNotFound');
  });

  it('forgets a subscription at its expirationDateTime', async () => {
    const sub = await json<Sub>(await create());
    t.sim.clock.advance(61 * 60_000);
    assert.equal((await t.get(`/v1.0/subscriptions/${sub.id}`)).status, 404);
    assert.equal(
      (
        await t.send('PATCH', `/v1.0/subscriptions/${sub.id}`, {
          expirationDateTime: new Date(t.sim.clock.now() + 3600_000).toISOString(),
        })
      ).status,
      404,
    );
    assert.equal(t.sim.listSubscriptions().length, 0);
  });

  it('answers 404 after deleteSubscriptionBehindTheBack', async () => {
    const sub = await json<Sub>(await create());
    t.sim.deleteSubscriptionBehindTheBack(sub.id);
    assert.equal(
      (await t.send('PATCH', `/v1.0/subscriptions/${sub.id}`, { expirationDateTime: inMinutes(100) })).status,
      404,
    );
  });
});

describe('subscription quota per tenant', () => {
  it('refuses subscriptions beyond the tenant quota with 403 naming it (1,000 by default)', async () => {
    const t = await startTestSim();
    const receiver = await startReceiver();
    try {
      assert.equal(t.sim.faults.maxSubscriptionsPerTenant, 1000);
      assert.equal(t.sim.faults.maxSubscriptionsPerAppPerTenant, 100);
      // Lowered so the rule is checked without a thousand handshakes.
      t.sim.faults.maxSubscriptionsPerTenant = 3;
      const sub = (resource: string) => ({
        changeType: 'updated',
        notificationUrl: receiver.url,
        resource,
        expirationDateTime: inMinutes(60),
      });
      for (let app = 0; app < 3; app++) {
        t.sim.addApp({ tenantId: TENANT, clientId: `app${app}`, clientSecret: 's' });
        assert.equal(
          (await t.send('POST', '/v1.0/subscriptions', sub('users'), await t.token(`app${app}`, 's'))).status,
          201,
        );
      }
      const res = await t.send('POST', '/v1.0/subscriptions', sub('users'));
      assert.equal(res.status, 403);
      const body = await json<GraphError>(res);
      assert.equal(body.error.code, 'ExtensionError');
      assert.match(body.error.message, /at most 3 subscriptions per tenant/);
    } finally {
      await t.sim.close();
      await receiver.close();
    }
  });
});
