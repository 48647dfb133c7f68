// Token endpoint: the client-credentials grant, Entra's error envelope with the AADSTS code for
// each failure, OpenID discovery, and Graph refusing tokens it did not issue or that expired.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CLIENT_ID,
  SCOPE,
  SECRET,
  TENANT,
  decodeJwtPayload,
  json,
  requestToken,
  startTestSim,
} from './helpers.js';
import type { TestSim } from './helpers.js';

const good = { client_id: CLIENT_ID, client_secret: SECRET, scope: SCOPE, grant_type: 'client_credentials' };

describe('token endpoint', () => {
  let t: TestSim;
  before(async () => {
    t = await startTestSim();
    t.sim.addApp({ tenantId: TENANT, clientId: 'no-roles', clientSecret: 's', roles: [] });
    t.sim.addApp({
      tenantId: TENANT,
      clientId: 'expired',
      clientSecret: 's',
      secretExpiresAt: new Date(Date.now() - 1000),
    });
    t.sim.addApp({ tenantId: TENANT, clientId: 'short', clientSecret: 's', tokenLifetimeSeconds: 0 });
  });
  after(() => t.sim.close());

  it('issues a Bearer JWT whose payload names tenant, app, roles and Graph audience', async () => {
    const res = await requestToken(t.sim, good);
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.deepEqual(Object.keys(body).sort(), [
      'access_token',
      'expires_in',
      'ext_expires_in',
      'token_type',
    ]);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3599);
    assert.equal(body.ext_expires_in, 3599);
    const token = body.access_token as string;
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = decodeJwtPayload(token);
    assert.equal(claims.tid, TENANT);
    assert.equal(claims.appid, CLIENT_ID);
    assert.equal(claims.aud, 'https://graph.microsoft.com');
    assert.deepEqual(claims.roles, ['User.Read.All', 'GroupMember.Read.All']);
    assert.equal((claims.exp as number) - (claims.iat as number), 3599);
  });

  it('omits the roles claim when the app has no consented roles', async () => {
    const res = await requestToken(t.sim, { ...good, client_id: 'no-roles', client_secret: 's' });
    const claims = decodeJwtPayload((await json(res)).access_token as string);
    assert.equal('roles' in claims, false);
  });

  it('accepts client_secret_basic and a verified domain instead of the tenant id', async () => {
    const basic = Buffer.from(`${CLIENT_ID}:${encodeURIComponent(SECRET)}`).toString('base64');
    const res = await fetch(`${t.sim.url}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}` },
      body: new URLSearchParams({ scope: SCOPE, grant_type: 'client_credentials' }),
    });
    assert.equal(res.status, 200);
    assert.equal(decodeJwtPayload((await json(res)).access_token as string).tid, TENANT);
  });

  const failures: Array<[string, Record<string, string>, string, number, string, number]> = [
    ['unknown tenant', good, 'no-such-tenant', 400, 'invalid_request', 90002],
    ['unknown client', { ...good, client_id: 'nobody' }, TENANT, 400, 'unauthorized_client', 700016],
    ['wrong secret', { ...good, client_secret: 'wrong' }, TENANT, 401, 'invalid_client', 7000215],
    [
      'expired secret',
      { ...good, client_id: 'expired', client_secret: 's' },
      TENANT,
      401,
      'invalid_client',
      7000222,
    ],
    ['unsupported grant', { ...good, grant_type: 'password' }, TENANT, 400, 'unsupported_grant_type', 70003],
    ['scope without /.default', { ...good, scope: 'User.Read.All' }, TENANT, 400, 'invalid_scope', 1002012],
    [
      'scope of another resource',
      { ...good, scope: 'https://graph.microsoft.us/.default' },
      TENANT,
      400,
      'invalid_resource',
      500011,
    ],
    [
      'missing client_id',
      { scope: SCOPE, grant_type: 'client_credentials' },
      TENANT,
      400,
      'invalid_request',
      900144,
    ],
  ];
  for (const [name, form, tenant, status, error, code] of failures) {
    it(`answers ${status} ${error} AADSTS${code} for ${name}`, async () => {
      const res = await requestToken(t.sim, form, tenant);
      assert.equal(res.status, status);
      const body = await json(res);
      assert.equal(body.error, error);
      assert.deepEqual(body.error_codes, [code]);
      assert.match(body.error_description as string, new RegExp(`^AADSTS${code}: `));
      for (const field of ['timestamp', 'trace_id', 'correlation_id'])
        assert.equal(typeof body[field], 'string');
    });
  }

  it('reads only form bodies, like Entra', async () => {
    const res = await fetch(`${t.sim.url}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(good),
    });
    assert.equal(res.status, 400);
    assert.deepEqual((await json(res)).error_codes, [900144]);
  });

  it('answers 404 {} when tokenEndpointNotFound is set (the msal-node empty-token pitfall)', async () => {
    t.sim.faults.tokenEndpointNotFound = true;
    try {
      const res = await requestToken(t.sim, good);
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), {});
    } finally {
      t.sim.faults.tokenEndpointNotFound = false;
    }
  });

  it('serves OpenID discovery whose token_endpoint points at the simulator', async () => {
    const res = await fetch(`${t.sim.url}/${TENANT}/v2.0/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.equal(body.token_endpoint, `${t.sim.url}/${TENANT}/oauth2/v2.0/token`);
    assert.equal(body.issuer, `${t.sim.url}/${TENANT}/v2.0`);
    assert.equal(body.authorization_endpoint, `${t.sim.url}/${TENANT}/oauth2/v2.0/authorize`);
    assert.equal(body.jwks_uri, `${t.sim.url}/${TENANT}/discovery/v2.0/keys`);
    const unknown = await fetch(`${t.sim.url}/nope/v2.0/.well-known/openid-configuration`);
    assert.equal(unknown.status, 400);
  });

  it('counts token requests', async () => {
    const before = t.sim.stats.tokenRequests;
    await requestToken(t.sim, good);
    assert.equal(t.sim.stats.tokenRequests, before + 1);
  });
});

describe('Graph bearer token checks', () => {
  let t: TestSim;
  before(async () => {
    t = await startTestSim();
    t.sim.addApp({ tenantId: TENANT, clientId: 'short', clientSecret: 's', tokenLifetimeSeconds: 0 });
  });
  after(() => t.sim.close());

  async function expect401(headers: Record<string, string>, message: RegExp): Promise<void> {
    const res = await fetch(`${t.sim.url}/v1.0/users`, { headers });
    assert.equal(res.status, 401);
    const body = await json<{ error: { code: string; message: string; innerError: Record<string, string> } }>(
      res,
    );
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
    assert.match(body.error.message, message);
    assert.equal(body.error.innerError['request-id'], res.headers.get('request-id'));
  }

  it('refuses a missing token', () => expect401({}, /empty/));
  it('refuses a token not signed by the simulator', async () => {
    const real = await t.token();
    const [h, p] = real.split('.');
    await expect401({ authorization: `Bearer ${h}.${p}.AAAA` }, /signature/i);
  });
  it('refuses garbage', () => expect401({ authorization: 'Bearer not-a-jwt' }, /not well formed/));
  it('refuses an expired token', async () => {
    const expired = await t.token('short', 's');
    await expect401({ authorization: `Bearer ${expired}` }, /expired/);
  });
  it('accepts a fresh token', async () => {
    assert.equal((await t.get('/v1.0/users')).status, 200);
  });
});
