// The /_sim HTTP state API lets another process drive the simulator: directory mutations,
// faults, stats, subscriptions, lifecycle events, delta-token expiry and the clock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGraphSimulator } from '../../src/simulator/graph-simulator.js';
import type { GraphSimulator, SimUser } from '../../src/simulator/graph-simulator.js';
import { SCOPE, inMinutes, json, startReceiver } from './helpers.js';
import type { Receiver } from './helpers.js';

describe('/_sim state API', () => {
  let sim: GraphSimulator;
  let receiver: Receiver;
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.url}/_sim${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });

  before(async () => {
    sim = await startGraphSimulator();
    receiver = await startReceiver();
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });

  it('creates a tenant, app, users and groups, and mutates them', async () => {
    assert.equal(
      (await call('POST', '/tenants', { tenantId: 't-http', displayName: 'Fabrikam' })).status,
      201,
    );
    assert.equal(
      (
        await call('POST', '/tenants/t-http/apps', {
          clientId: 'c',
          clientSecret: 's',
          secretExpiresAt: inMinutes(60),
        })
      ).status,
      201,
    );
    const created = await json<SimUser>(
      await call('POST', '/tenants/t-http/users', { displayName: 'Http User', jobTitle: 'Dev' }),
    );
    assert.equal(created.displayName, 'Http User');
    assert.match(created.userPrincipalName, /@fabrikam\.onmicrosoft\.com$/);
    const seeded = await json<{ count: number; first: SimUser[] }>(
      await call('POST', '/tenants/t-http/users/seed', { count: 30, seed: 4 }),
    );
    assert.equal(seeded.count, 30);
    assert.equal(seeded.first.length, 10);
    const patched = await json<SimUser>(
      await call('PATCH', `/tenants/t-http/users/${created.id}`, { jobTitle: 'Lead' }),
    );
    assert.equal(patched.jobTitle, 'Lead');
    assert.equal(
      (await call('PUT', `/tenants/t-http/users/${created.id}/manager`, { managerId: seeded.first[0]?.id }))
        .status,
      204,
    );
    assert.equal(sim.getUser('t-http', created.id)?.managerId, seeded.first[0]?.id);
    const group = await json<{ id: string }>(
      await call('POST', '/tenants/t-http/groups', { displayName: 'G' }),
    );
    assert.equal(
      (await call('POST', `/tenants/t-http/groups/${group.id}/members`, { id: created.id })).status,
      204,
    );
    assert.deepEqual(
      (await json<{ members: string[] }>(await call('GET', `/tenants/t-http/groups/${group.id}/members`)))
        .members,
      [created.id],
    );
    assert.equal(
      (await call('DELETE', `/tenants/t-http/groups/${group.id}/members/${created.id}`)).status,
      204,
    );
    assert.equal((await call('POST', `/tenants/t-http/users/${created.id}/soft-delete`)).status, 204);
    assert.equal((await call('GET', `/tenants/t-http/users/${created.id}`)).status, 404);
    assert.equal(
      (await json<SimUser>(await call('POST', `/tenants/t-http/users/${created.id}/restore`))).id,
      created.id,
    );
    assert.equal((await call('POST', `/tenants/t-http/users/${created.id}/hard-delete`)).status, 204);
    assert.equal(sim.getUser('t-http', created.id), undefined);
    const list = await json<{ count: number; users: SimUser[] }>(
      await call('GET', '/tenants/t-http/users?limit=5'),
    );
    assert.equal(list.count, 30);
    assert.equal(list.users.length, 5);
  });

  it('answers 400 naming bad fields and 404 for unknown objects', async () => {
    const bad = await call('POST', '/tenants/t-http/users', { jobTitle: 42, shoeSize: 9 });
    assert.equal(bad.status, 400);
    assert.match((await json<{ error: { message: string } }>(bad)).error.message, /jobTitle/);
    assert.equal((await call('PATCH', '/tenants/t-http/users/nope', { jobTitle: 'x' })).status, 404);
    assert.equal((await call('POST', '/tenants/nope/users', {})).status, 404);
  });

  it('patches faults, validating them, and reads and resets stats', async () => {
    const patched = await json<Record<string, unknown>>(
      await call('PATCH', '/faults', { throttleRate: 0.5, deltaResetStyle: 'gone' }),
    );
    assert.equal(patched.throttleRate, 0.5);
    assert.equal(sim.faults.deltaResetStyle, 'gone');
    assert.equal((await call('PATCH', '/faults', { throttleRate: 2 })).status, 400);
    assert.equal((await call('PATCH', '/faults', { noSuchKnob: true })).status, 400);
    await call('PATCH', '/faults', { throttleRate: 0, deltaResetStyle: 'syncStateNotFound' });
    const token = await fetch(`${sim.url}/t-http/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: 'c',
        client_secret: 's',
        scope: SCOPE,
        grant_type: 'client_credentials',
      }),
    });
    assert.equal(token.status, 200);
    const stats = await json<{ tokenRequests: number; requests: number; byRoute: Record<string, number> }>(
      await call('GET', '/stats'),
    );
    assert.equal(stats.tokenRequests, 1);
    assert.equal(stats.byRoute['POST /{tenant}/oauth2/v2.0/token'], 1);
    assert.equal((await call('POST', '/stats/reset')).status, 204);
    assert.equal(sim.stats.requests, 0, '/_sim calls are not counted');
  });

  it('lists subscriptions, sends lifecycle events, deletes behind the back', async () => {
    const tokenRes = await fetch(`${sim.url}/t-http/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: 'c',
        client_secret: 's',
        scope: SCOPE,
        grant_type: 'client_credentials',
      }),
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const created = await fetch(`${sim.url}/v1.0/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        changeType: 'updated',
        notificationUrl: receiver.url,
        lifecycleNotificationUrl: receiver.url,
        resource: 'users',
        expirationDateTime: inMinutes(60),
      }),
    });
    const sub = await json<{ id: string }>(created);
    const listed = await json<{ value: Array<{ id: string }> }>(
      await call('GET', '/subscriptions?tenantId=t-http'),
    );
    assert.deepEqual(
      listed.value.map((s) => s.id),
      [sub.id],
    );
    receiver.requests.length = 0;
    assert.equal(
      (await call('POST', `/subscriptions/${sub.id}/lifecycle`, { lifecycleEvent: 'missed' })).status,
      204,
    );
    assert.equal(receiver.requests.length, 1);
    assert.equal((await call('DELETE', `/subscriptions/${sub.id}`)).status, 204);
    assert.equal(sim.listSubscriptions().length, 0);
  });

  it('expires delta tokens, flushes notifications and advances the clock', async () => {
    assert.equal((await call('POST', '/delta-tokens/expire', { tenantId: 't-http' })).status, 204);
    assert.equal((await call('POST', '/notifications/flush')).status, 204);
    const before = sim.clock.now();
    const res = await json<{ now: string }>(await call('POST', '/clock/advance', { ms: 86_400_000 }));
    assert.ok(Date.parse(res.now) >= before + 86_400_000);
  });
});
