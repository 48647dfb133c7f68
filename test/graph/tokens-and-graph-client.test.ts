import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createGraphApi } from '../../src/graph/graph-api.js';
import { EntraAuthError, GraphRequestError } from '../../src/graph/graph-errors.js';
import { createTokenProvider, rolesOf } from '../../src/graph/token-provider.js';
import { startGraphSimulator, type GraphSimulator } from '../../src/simulator/graph-simulator.js';

describe('tokens (msal-node) and the Graph client against the simulator', () => {
  let sim: GraphSimulator;
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const clientSecret = 'good~secret~value~123';
  const tokens = (overrides: Partial<{ tenantId: string; clientId: string; clientSecret: string }> = {}) =>
    createTokenProvider({ authorityUrl: sim.url, graphBaseUrl: sim.url, tenantId, clientId, clientSecret, ...overrides });

  before(async () => {
    sim = await startGraphSimulator();
    sim.addTenant({ tenantId });
    sim.addApp({ tenantId, clientId, clientSecret });
    sim.seedUsers(tenantId, 5);
  });
  after(async () => {
    await sim.close();
  });

  it('acquires a token with the good secret, caches it, and reads the granted roles', async () => {
    const provider = tokens();
    const before = sim.stats.tokenRequests;
    const token = await provider.getToken();
    assert.ok(token.split('.').length === 3);
    await provider.getToken();
    assert.equal(sim.stats.tokenRequests - before, 1, 'cached');
    assert.deepEqual(rolesOf(token).sort(), ['GroupMember.Read.All', 'User.Read.All']);
  });

  it('keeps no token past the point msal would refresh it, and a forced refresh always asks Entra', async () => {
    const shortClient = randomUUID();
    sim.addApp({ tenantId, clientId: shortClient, clientSecret, tokenLifetimeSeconds: 120 });
    const short = tokens({ clientId: shortClient });
    const before = sim.stats.tokenRequests;
    await short.getToken();
    await short.getToken();
    // A 2-minute token is inside the 5-minute refresh margin at once: every call goes to Entra.
    assert.equal(sim.stats.tokenRequests - before, 2);
    const long = tokens();
    await long.getToken();
    const cached = sim.stats.tokenRequests;
    await long.getToken();
    assert.equal(sim.stats.tokenRequests, cached, 'kept in process');
    await long.getToken(true);
    assert.equal(sim.stats.tokenRequests, cached + 1, 'forced refresh');
  });

  it('names a wrong secret, an expired secret, an unknown tenant and an unknown client', async () => {
    const cases: Array<[Parameters<typeof tokens>[0], string, RegExp]> = [
      [{ clientSecret: 'wrong' }, 'invalid_secret', /AADSTS7000215/],
      [{ tenantId: randomUUID() }, 'unknown_tenant', /AADSTS90002/],
      [{ clientId: randomUUID() }, 'unknown_client', /AADSTS700016/],
    ];
    for (const [overrides, code, message] of cases) {
      const error = await tokens(overrides).getToken().then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof EntraAuthError, String(error));
      assert.equal(error.code, code);
      assert.match(error.message, message);
    }
    const expiredClient = randomUUID();
    sim.addApp({ tenantId, clientId: expiredClient, clientSecret: 'old~secret', secretExpiresAt: new Date(Date.now() - 86_400_000) });
    const expired = await tokens({ clientId: expiredClient, clientSecret: 'old~secret' }).getToken().catch((e: unknown) => e);
    assert.ok(expired instanceof EntraAuthError);
    assert.equal(expired.code, 'secret_expired');
    assert.match(expired.message, /customer must create a new secret/);
  });

  it('treats an empty token from a 404 token endpoint as an error', async () => {
    sim.faults.tokenEndpointNotFound = true;
    try {
      const error = await tokens({ clientId: clientId }).getToken(true).catch((e: unknown) => e);
      assert.ok(error instanceof EntraAuthError, String(error));
      assert.ok(['empty_token', 'token_request_failed'].includes(error.code), error.code);
    } finally {
      sim.faults.tokenEndpointNotFound = false;
    }
  });

  it('retries 429 honouring Retry-After, then succeeds', async () => {
    const api = createGraphApi({ graphBaseUrl: sim.url, tokens: tokens() });
    sim.faults.throttleRate = 1;
    sim.faults.retryAfterSeconds = 1;
    setTimeout(() => (sim.faults.throttleRate = 0), 1_200);
    const started = Date.now();
    const page = await api.get<{ value: unknown[] }>('/users?$select=id', { operation: 'GET /users' });
    const elapsed = Date.now() - started;
    assert.equal(page.value.length, 5);
    assert.ok(elapsed >= 1_000, `waited ${elapsed} ms, at least the Retry-After`);
    assert.ok(api.requestCount() >= 2, 'the 429 was retried');
  });

  it('gives up after the retries with a throttled error carrying Retry-After', async () => {
    const api = createGraphApi({ graphBaseUrl: sim.url, tokens: tokens(), maxRetries: 1 });
    sim.faults.throttleRate = 1;
    try {
      const error = await api.get('/users', { operation: 'GET /users' }).catch((e: unknown) => e);
      assert.ok(error instanceof GraphRequestError);
      assert.equal(error.code, 'throttled');
      assert.equal(error.details.retryAfterMs, 1_000);
    } finally {
      sim.faults.throttleRate = 0;
    }
  });

  it('names the missing permission on a 403 and maps 404 and expired delta tokens', async () => {
    const api = createGraphApi({ graphBaseUrl: sim.url, tokens: tokens() });
    const denied = await api
      .post('/subscriptions', { changeType: 'updated', resource: 'groups', notificationUrl: 'https://example.com/x', expirationDateTime: new Date(Date.now() + 3_600_000).toISOString() }, { operation: 'POST /subscriptions (groups)', permission: 'Group.Read.All' })
      .catch((e: unknown) => e);
    assert.ok(denied instanceof GraphRequestError);
    assert.equal(denied.code, 'permission_denied');
    assert.match(denied.message, /lacks the Group\.Read\.All application permission/);
    const missing = await api.get(`/users/${randomUUID()}`, { operation: 'GET /users/{id}' }).catch((e: unknown) => e);
    assert.ok(missing instanceof GraphRequestError);
    assert.equal(missing.code, 'not_found');
    const first = await api.get<{ '@odata.deltaLink'?: string; '@odata.nextLink'?: string }>('/users/delta?$select=id', { operation: 'delta' });
    const link = first['@odata.deltaLink']!;
    sim.expireDeltaTokens(tenantId);
    const expired = await api.get(link, { operation: 'GET /users/delta' }).catch((e: unknown) => e);
    assert.ok(expired instanceof GraphRequestError);
    assert.equal(expired.code, 'delta_token_expired');
    sim.faults.deltaResetStyle = 'gone';
    const again = await api.get<{ '@odata.deltaLink'?: string }>('/users/delta?$select=id', { operation: 'delta' });
    sim.expireDeltaTokens(tenantId);
    const gone = await api.get(again['@odata.deltaLink']!, { operation: 'GET /users/delta' }).catch((e: unknown) => e);
    assert.ok(gone instanceof GraphRequestError);
    assert.equal(gone.code, 'delta_token_expired');
    assert.ok(gone.details.location, '410 carries a Location');
  });
});
