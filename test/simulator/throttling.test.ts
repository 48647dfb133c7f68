// Throttling: per-app, per-tenant resource-unit budgets sized by tenant (3,500 / 5,000 / 8,000 per
// 10 s), route costs with the $select discount, 429 + Retry-After; random 429/503 and latency.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDefaultFaults } from '../../src/simulator/core/faults.js';
import { CLIENT_ID, SCOPE, TENANT, json, requestToken, startTestSim } from './helpers.js';
import type { TestSim } from './helpers.js';

describe('throttling', () => {
  let t: TestSim;
  let groupId: string;
  let userId: string;

  before(async () => {
    t = await startTestSim();
    userId = t.sim.seedUsers(TENANT, 10)[0]?.id as string;
    groupId = t.sim.createGroup(TENANT, { displayName: 'G' }).id;
  });
  after(() => t.sim.close());
  beforeEach(() => Object.assign(t.sim.faults, createDefaultFaults()));

  /** Fresh app (fresh budget) in the tenant, its token. */
  let appCount = 0;
  async function freshApp(tenant = TENANT): Promise<string> {
    const clientId = `app-${appCount++}`;
    t.sim.addApp({ tenantId: tenant, clientId, clientSecret: 's' });
    const res = await requestToken(
      t.sim,
      { client_id: clientId, client_secret: 's', scope: SCOPE, grant_type: 'client_credentials' },
      tenant,
    );
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** How many calls succeed before the first 429. */
  async function callsUntil429(
    path: string,
    token: string,
    limit = 200,
  ): Promise<{ ok: number; res: Response }> {
    for (let ok = 0; ok < limit; ok++) {
      const res = await t.get(path, token);
      if (res.status === 429) return { ok, res };
      assert.equal(res.status, 200, await res.text());
    }
    throw new Error(`no 429 after ${limit} calls`);
  }

  it('answers 429 with an integer Retry-After once the budget is spent (GET users costs 2)', async () => {
    t.sim.faults.budgetMultiplier = 0.01; // 35 units for a tenant under 50 users
    const token = await freshApp();
    const first = await t.get('/v1.0/users', token);
    assert.equal(first.headers.get('x-ms-resource-unit'), '2');
    const { ok, res } = await callsUntil429('/v1.0/users', token);
    assert.equal(ok + 1, 17);
    const retryAfter = res.headers.get('retry-after') ?? '';
    assert.match(retryAfter, /^\d+$/);
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 10);
    const body = await json<{ error: { code: string; innerError: Record<string, string> } }>(res);
    assert.equal(body.error.code, 'TooManyRequests');
    assert.equal(body.error.innerError.code, 'activityLimitReached');
    assert.ok(t.sim.stats.throttled >= 1);
  });

  it('charges 1 less with $select, 3 for members and 5 for transitiveMembers', async () => {
    t.sim.faults.budgetMultiplier = 0.01;
    const cost = async (path: string) =>
      (await t.get(path, await freshApp())).headers.get('x-ms-resource-unit');
    assert.equal(await cost('/v1.0/users?$select=id'), '1');
    assert.equal(await cost(`/v1.0/users/${userId}`), '1');
    assert.equal(await cost(`/v1.0/groups/${groupId}/members`), '3');
    assert.equal(await cost(`/v1.0/groups/${groupId}/members?$select=id`), '2');
    assert.equal(await cost(`/v1.0/groups/${groupId}/transitiveMembers`), '5');
    const { ok } = await callsUntil429(`/v1.0/groups/${groupId}/transitiveMembers`, await freshApp());
    assert.equal(ok, 7); // 7 x 5 = 35
  });

  it('sizes the budget by tenant: 5,000 from 50 users, 8,000 over 500', async () => {
    t.sim.faults.budgetMultiplier = 0.01;
    for (const [tenantId, users, expected] of [
      ['mid', 50, 50],
      ['big', 501, 80],
    ] as const) {
      t.sim.addTenant({ tenantId });
      const id = t.sim.seedUsers(tenantId, users)[0]?.id as string;
      const { ok } = await callsUntil429(`/v1.0/users/${id}`, await freshApp(tenantId));
      assert.equal(ok, expected, tenantId);
    }
  });

  it('keeps a separate budget per app', async () => {
    t.sim.faults.budgetMultiplier = 0.01;
    const spent = await freshApp();
    await callsUntil429('/v1.0/users', spent);
    assert.equal((await t.get('/v1.0/users', await freshApp())).status, 200);
  });

  it('never throttles by budget when throttlingEnabled is false', async () => {
    t.sim.faults.budgetMultiplier = 0.0001;
    t.sim.faults.throttlingEnabled = false;
    const token = await freshApp();
    for (let i = 0; i < 10; i++) assert.equal((await t.get('/v1.0/users', token)).status, 200);
  });

  it('throws random 429s with Retry-After = retryAfterSeconds at throttleRate', async () => {
    t.sim.faults.throttleRate = 1;
    t.sim.faults.retryAfterSeconds = 7;
    const res = await t.get('/v1.0/subscriptions');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '7');
  });

  it('throws random 503s without Retry-After at unavailableRate', async () => {
    t.sim.faults.unavailableRate = 1;
    const res = await t.get(`/v1.0/users/${userId}`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), null);
    assert.equal((await json<{ error: { code: string } }>(res)).error.code, 'serviceNotAvailable');
  });

  it('adds latencyMs to every Graph response', async () => {
    t.sim.faults.latencyMs = 150;
    const start = Date.now();
    assert.equal((await t.get(`/v1.0/users/${userId}`)).status, 200);
    assert.ok(Date.now() - start >= 150);
  });

  it('does not throttle the token endpoint', async () => {
    t.sim.faults.throttleRate = 1;
    const res = await requestToken(t.sim, {
      client_id: CLIENT_ID,
      client_secret: 'sim-secret~value',
      scope: SCOPE,
      grant_type: 'client_credentials',
    });
    assert.equal(res.status, 200);
  });
});

describe('closing under latency', () => {
  it('close() does not wait for requests held by latencyMs', async () => {
    const t = await startTestSim();
    const token = await t.token();
    t.sim.faults.latencyMs = 30_000;
    const pending = t.get('/v1.0/users', token).catch((err: Error) => err);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const start = Date.now();
    await t.sim.close();
    assert.ok(Date.now() - start < 5_000);
    await pending;
  });
});
