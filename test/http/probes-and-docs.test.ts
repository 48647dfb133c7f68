import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDatabase } from '../../src/db/database.js';
import { adminFetch, startTestApp, type TestApp } from '../helpers/context.js';
import { createTestDatabase } from '../helpers/database.js';

describe('probes, metrics and docs', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('/healthz and /readyz answer 200 when Postgres is up and migrated', async () => {
    const health = await fetch(`${t.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
  });

  it('/readyz answers 503 with the reason while shutting down', async () => {
    t.ctx.lifecycle.shuttingDown = true;
    try {
      const res = await fetch(`${t.url}/readyz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'not_ready', reason: 'shutting_down' });
    } finally {
      t.ctx.lifecycle.shuttingDown = false;
    }
  });

  it('/metrics serves Prometheus text with process metrics and request counts', async () => {
    await fetch(`${t.url}/healthz`);
    const res = await fetch(`${t.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.match(text, /^entra_sync_process_resident_memory_bytes \d+/m);
    assert.match(text, /entra_sync_http_requests_total\{route="\/healthz",method="GET",status="200"\} \d+/);
  });

  it('/openapi.json documents every route and /docs serves the UI', async () => {
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, object> };
    assert.equal(doc.openapi, '3.0.3');
    for (const path of ['/healthz', '/readyz', '/metrics', '/admin/connections', '/admin/connections/{id}']) {
      assert.ok(doc.paths[path], `${path} documented`);
    }
    const ui = await fetch(`${t.url}/docs/`);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /swagger/i);
  });

  it('answers unknown routes and bad JSON with JSON errors, and never leaks internals on 5xx', async () => {
    const missing = await fetch(`${t.url}/nope?x=1`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: 'not_found', message: 'no route GET /nope' });
    const badJson = await fetch(`${t.url}/admin/connections`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-admin-token-0123456789' },
      body: '{"name":',
    });
    assert.equal(badJson.status, 400);
    const big = await adminFetch(t.url, '/admin/connections', { method: 'POST', body: { name: 'x'.repeat(2_000_000) } });
    assert.equal(big.status, 413);
  });
});

describe('readiness without a database', () => {
  it('/readyz answers 503 database_unreachable when Postgres does not answer', async () => {
    const real = await createTestDatabase();
    const t = await startTestApp({ db: real });
    const dead = createDatabase('postgres://postgres@127.0.0.1:1/none');
    const ctx = t.ctx as { database: unknown };
    const original = ctx.database;
    ctx.database = dead;
    try {
      const res = await fetch(`${t.url}/readyz`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { reason: string };
      assert.equal(body.reason, 'database_unreachable');
      assert.equal((await fetch(`${t.url}/healthz`)).status, 200, 'liveness does not depend on Postgres');
    } finally {
      ctx.database = original;
      await dead.close();
      await t.close();
      await real.drop();
    }
  });
});
