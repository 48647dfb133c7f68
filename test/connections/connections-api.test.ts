import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminFetch, startTestApp, type TestApp } from '../helpers/context.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const SECRETS = {
  clientSecret: 'Xy8Q~client-secret-value-1234567890',
  apiKey: 'leena-api-key-ABCDEFGH',
  signingSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};

function body(name = 'acme', overrides: Record<string, unknown> = {}) {
  return {
    name,
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: SECRETS.clientSecret,
    clientSecretExpiresAt: '2028-11-26T00:00:00.000Z',
    leena: { url: 'https://leena.example.com/events', apiKey: SECRETS.apiKey, signingSecret: SECRETS.signingSecret },
    ...overrides,
  };
}

describe('admin connections API', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('answers 401 without the token, with a wrong one, and with a malformed header', async () => {
    for (const token of [null, 'wrong-token', '']) {
      const res = await adminFetch(t.url, '/admin/connections', { token });
      assert.equal(res.status, 401, `token ${token}`);
      assert.equal(res.body.error, 'unauthorized');
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="entra-sync admin"');
    }
    const basic = await fetch(`${t.url}/admin/connections`, { headers: { authorization: 'Basic dGVzdA==' } });
    assert.equal(basic.status, 401);
  });

  it('creates, reads by id and by name, lists, updates and deletes; secrets are write-only', async () => {
    const created = await adminFetch(t.url, '/admin/connections', { method: 'POST', body: body('crud') });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    assert.equal(created.body.name, 'crud');
    assert.equal(created.body.clientSecretSet, true);
    assert.equal(created.body.clientSecretExpiresAt, '2028-11-26T00:00:00.000Z');
    assert.deepEqual(created.body.leena, { url: 'https://leena.example.com/events', apiKeySet: true, signingSecretSet: true });

    const byName = await adminFetch(t.url, '/admin/connections/crud');
    assert.equal(byName.status, 200);
    assert.equal(byName.body.id, id);
    const byId = await adminFetch(t.url, `/admin/connections/${id}`);
    assert.equal(byId.body.name, 'crud');
    const list = await adminFetch(t.url, '/admin/connections');
    assert.ok(list.body.connections.some((c: { id: string }) => c.id === id));

    const patched = await adminFetch(t.url, `/admin/connections/${id}`, {
      method: 'PATCH',
      body: { groupId: '99999999-8888-7777-6666-555555555555', leena: { apiKey: 'rotated-api-key-123' } },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.groupId, '99999999-8888-7777-6666-555555555555');

    for (const res of [created, byName, byId, list, patched]) {
      const text = JSON.stringify(res.body);
      for (const secret of [...Object.values(SECRETS), 'rotated-api-key-123']) assert.equal(text.includes(secret), false);
    }

    const scope = await t.ctx.database.db.selectFrom('sync_state').selectAll().where('connection_id', '=', id).executeTakeFirstOrThrow();
    assert.ok(scope.resync_requested_at, 'a group change asks for a full resync');
    const subs = await t.ctx.database.db.selectFrom('subscriptions').select('kind').where('connection_id', '=', id).execute();
    assert.deepEqual(subs.map((s) => s.kind).sort(), ['groups', 'users']);

    // notifications has no foreign key (0007): deleting the connection deletes them itself.
    await t.ctx.database.pool.query(
      `INSERT INTO notifications (connection_id, subscription_id, change_type, resource) VALUES ($1, gen_random_uuid(), 'updated', 'users/x')`,
      [id],
    );
    assert.equal((await adminFetch(t.url, '/admin/connections/crud', { method: 'DELETE' })).status, 204);
    assert.equal((await adminFetch(t.url, `/admin/connections/${id}`)).status, 404);
    const left = await t.ctx.database.db.selectFrom('subscriptions').select('id').where('connection_id', '=', id).execute();
    assert.equal(left.length, 0, 'dependent rows go with the connection');
    const notified = await t.ctx.database.pool.query('SELECT 1 FROM notifications WHERE connection_id = $1', [id]);
    assert.equal(notified.rowCount, 0, 'its notifications go with it');
  });

  it('stores every secret encrypted: the raw row holds none in clear', async () => {
    const created = await adminFetch(t.url, '/admin/connections', { method: 'POST', body: body('at-rest') });
    assert.equal(created.status, 201);
    const raw = await t.ctx.database.pool.query('SELECT * FROM connections WHERE id = $1', [created.body.id]);
    const dump = JSON.stringify(raw.rows[0], (_k, v) =>
      v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v,
    );
    for (const secret of Object.values(SECRETS)) {
      assert.equal(dump.includes(secret), false, 'secret in clear');
      assert.equal(dump.includes(Buffer.from(secret).toString('base64')), false, 'secret in base64');
      assert.equal(dump.includes(Buffer.from(secret).toString('hex')), false, 'secret in hex');
    }
    const logs = t.logs.join('\n');
    for (const secret of Object.values(SECRETS)) assert.equal(logs.includes(secret), false, 'secret in logs');
  });

  it('explains bad input in plain words', async () => {
    const bad = await adminFetch(t.url, '/admin/connections', {
      method: 'POST',
      body: body('bad input', {
        tenantId: 'not a tenant',
        clientId: 'nope',
        clientSecret: '0c8f7b2e-1234-4a5b-9c8d-0123456789ab',
        groupId: 'group',
        leena: { url: 'http://leena.example.com', apiKey: 'k', signingSecret: 'not base64!' },
      }),
    });
    assert.equal(bad.status, 400);
    const problems: string[] = bad.body.details.problems;
    assert.deepEqual(
      problems.map((p) => p.split(/[: ]/)[0]),
      ['name', 'tenantId', 'clientId', 'clientSecret', 'groupId', 'leena.url', 'leena.signingSecret'],
    );
    assert.match(problems.join('\n'), /looks like the Secret ID/);
  });

  it('rejects unknown fields, wrong types and a missing body with 400', async () => {
    const extra = await adminFetch(t.url, '/admin/connections', { method: 'POST', body: { ...body('extra'), admin: true } });
    assert.equal(extra.status, 400);
    const wrongType = await adminFetch(t.url, '/admin/connections', { method: 'POST', body: { ...body('wt'), tenantId: 5 } });
    assert.equal(wrongType.status, 400);
    const none = await adminFetch(t.url, '/admin/connections', { method: 'POST' });
    assert.equal(none.status, 400);
  });

  it('refuses Leena targets on private and metadata addresses', async () => {
    for (const url of ['https://169.254.169.254/latest', 'https://10.0.0.5/hook', 'https://[fd00::1]/x', 'ftp://x.example.com']) {
      const res = await adminFetch(t.url, '/admin/connections', {
        method: 'POST',
        body: body(`u${Math.random().toString(36).slice(2, 8)}`, { leena: { ...body().leena, url } }),
      });
      assert.equal(res.status, 400, url);
      assert.match(res.body.message, /leena\.url/);
    }
  });

  it('answers 409 for a duplicate name and 404 for unknown connections', async () => {
    assert.equal((await adminFetch(t.url, '/admin/connections', { method: 'POST', body: body('dup') })).status, 201);
    const again = await adminFetch(t.url, '/admin/connections', { method: 'POST', body: body('dup') });
    assert.equal(again.status, 409);
    assert.match(again.body.message, /already exists/);
    assert.equal((await adminFetch(t.url, '/admin/connections/nope')).status, 404);
    assert.equal((await adminFetch(t.url, '/admin/connections/nope', { method: 'PATCH', body: { name: 'x' } })).status, 404);
    assert.equal((await adminFetch(t.url, '/admin/connections/nope', { method: 'DELETE' })).status, 404);
  });
});
