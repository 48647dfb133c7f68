/**
 * Access: every route in /openapi.json under /admin answers 401 without the admin token and with
 * a wrong one (however it is presented), nothing else is public beyond a short allowlist, and the
 * admin and webhook routes are rate limited per client address (429 with Retry-After).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN } from '../helpers/context.js';
import { startFuzzApp, type FuzzApp } from './support/fuzz-app.js';
import { destroyAgent, send } from './support/http.js';
import { fillPath, operations, type Operation } from './support/openapi.js';

/** The only documented routes anyone may call without the admin token. */
const PUBLIC = [
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'POST /webhooks/graph',
  'POST /webhooks/graph/lifecycle',
];

const WRONG: Array<[string, Record<string, string>]> = [
  ['no Authorization', {}],
  ['empty bearer', { authorization: 'Bearer ' }],
  ['wrong token', { authorization: 'Bearer wrong-token-0123456789abcdef' }],
  ['token plus one character', { authorization: `Bearer ${TEST_ADMIN_TOKEN}x` }],
  ['token minus one character', { authorization: `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}` }],
  ['token upper-cased', { authorization: `Bearer ${TEST_ADMIN_TOKEN.toUpperCase()}` }],
  ['token with a second word', { authorization: `Bearer ${TEST_ADMIN_TOKEN} extra` }],
  ['Basic scheme', { authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}` }],
  ['token without scheme', { authorization: TEST_ADMIN_TOKEN }],
  ['token as a cookie', { cookie: `token=${TEST_ADMIN_TOKEN}; entra_sync_status=${TEST_ADMIN_TOKEN}` }],
  ['token in X-Api-Key', { 'x-api-key': TEST_ADMIN_TOKEN }],
];

/** The wrong token a variant carries, as typed into the login form (never the right one). */
function formToken(headers: Record<string, string>): string {
  const value = (headers.authorization ?? '').replace(/^(Bearer|Basic) /, '');
  return value === TEST_ADMIN_TOKEN ? '' : value;
}

function validBody(op: Operation): string | undefined {
  if (!op.hasBody) return undefined;
  if (op.path === '/admin/connections' && op.method === 'POST') {
    return JSON.stringify({
      name: 'intruder',
      tenantId: '11111111-1111-1111-1111-111111111111',
      clientId: '22222222-2222-2222-2222-222222222222',
      clientSecret: 'intruder-secret-value',
      leena: {
        url: 'http://127.0.0.1:9/events',
        apiKey: 'k',
        signingSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      },
    });
  }
  return '{}';
}

describe('access: the admin token guards every /admin route', () => {
  let f: FuzzApp;
  let ops: Operation[];
  let checked = 0;
  before(async () => {
    f = await startFuzzApp();
    ops = await operations(f.app.url);
  });
  after(async () => {
    console.log(
      `[hardening] access: ${checked} unauthenticated requests over ${ops?.filter((o) => o.path.startsWith('/admin')).length} admin routes, every one 401`,
    );
    destroyAgent();
    await f?.close();
  });

  it('documents no other route outside /admin than the public allowlist', () => {
    const outside = ops.filter((o) => !o.path.startsWith('/admin')).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(outside.sort(), [...PUBLIC].sort());
    assert.ok(ops.filter((o) => o.path.startsWith('/admin')).length >= 18);
  });

  it('answers 401 to every admin route (and its HEAD) without the token and with a wrong one, revealing nothing', async () => {
    const before = await f.fingerprint();
    const values = {
      id: f.connectionId,
      runId: '00000000-0000-4000-8000-000000000000',
      userId: '00000000-0000-4000-8000-000000000001',
    };
    for (const op of ops.filter((o) => o.path.startsWith('/admin'))) {
      const methods = op.method === 'GET' ? ['GET', 'HEAD'] : [op.method];
      for (const path of [
        fillPath(op.path, values),
        fillPath(op.path, { ...values, id: 'fuzzed' }),
        fillPath(op.path, { ...values, id: 'no-such-connection' }),
      ]) {
        for (const method of methods) {
          for (const [what, headers] of WRONG) {
            checked += 1;
            // The status page's login form takes the token in a form body: a wrong one is refused the same way.
            const login = op.path.endsWith('/login');
            const body =
              method === 'HEAD'
                ? undefined
                : login
                  ? `token=${encodeURIComponent(formToken(headers))}`
                  : validBody(op);
            const contentType = login ? 'application/x-www-form-urlencoded' : 'application/json';
            const res = await send(f.app.url, {
              method,
              path,
              headers: body === undefined ? headers : { ...headers, 'content-type': contentType },
              body,
            });
            assert.equal(
              res.status,
              401,
              `${method} ${path} with ${what}: ${res.status} ${res.body.slice(0, 200)}`,
            );
            assert.ok(
              !res.body.includes(f.connectionId) && !res.body.includes(f.tenantId),
              `${method} ${path} with ${what} revealed data`,
            );
          }
        }
      }
    }
    assert.equal(await f.fingerprint(), before, 'no unauthenticated request wrote anything');
    const ok = await send(f.app.url, {
      method: 'GET',
      path: '/admin/connections',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(ok.status, 200, 'the right token still works (no lock-out from the failures)');
  });
});

describe('access: rate limits', () => {
  let f: FuzzApp;
  before(async () => {
    f = await startFuzzApp({ env: { RATE_LIMIT_ADMIN_PER_MINUTE: '5', RATE_LIMIT_WEBHOOK_PER_MINUTE: '5' } });
  });
  after(async () => {
    destroyAgent();
    await f?.close();
  });

  function assertLimited(res: Awaited<ReturnType<typeof send>>, what: string) {
    assert.equal(res.status, 429, `${what}: ${res.status} ${res.body.slice(0, 200)}`);
    const retryAfter = Number(res.headers['retry-after']);
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
      `${what}: Retry-After ${res.headers['retry-after']}`,
    );
    assert.equal(JSON.parse(res.body).error, 'rate_limited');
  }

  it('the webhook answers 429 with Retry-After past its limit, handshakes included', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await send(f.app.url, {
        path: i % 2 ? '/webhooks/graph' : '/webhooks/graph/lifecycle',
        headers: { 'content-type': 'application/json' },
        body: '{"value":[]}',
      });
      assert.equal(res.status, 202, `request ${i + 1}`);
    }
    assertLimited(
      await send(f.app.url, {
        path: '/webhooks/graph',
        headers: { 'content-type': 'application/json' },
        body: '{"value":[]}',
      }),
      'sixth notification',
    );
    assertLimited(
      await send(f.app.url, { path: '/webhooks/graph/lifecycle?validationToken=abc' }),
      'handshake past the limit',
    );
  });

  it('the admin API counts wrong tokens too, then refuses the right one with 429; a spoofed X-Forwarded-For changes nothing', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await send(f.app.url, {
        method: 'GET',
        path: '/admin/connections',
        headers: { authorization: `Bearer guess-${i}-0123456789abcdef` },
      });
      assert.equal(res.status, 401, `guess ${i + 1}`);
    }
    assertLimited(
      await send(f.app.url, {
        method: 'GET',
        path: '/admin/connections',
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      }),
      'right token after 5 guesses',
    );
    assertLimited(
      await send(f.app.url, {
        method: 'GET',
        path: '/admin/connections',
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          'x-forwarded-for': '203.0.113.9',
          'x-real-ip': '203.0.113.9',
        },
      }),
      'spoofed client address',
    );
    assertLimited(
      await send(f.app.url, {
        method: 'POST',
        path: `/admin/connections/${f.connectionId}/pause`,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      }),
      'another admin route',
    );
  });

  it('probes stay unlimited for the orchestrator', async () => {
    for (let i = 0; i < 10; i++)
      assert.equal((await send(f.app.url, { method: 'GET', path: '/healthz' })).status, 200);
    assert.equal((await send(f.app.url, { method: 'GET', path: '/readyz' })).status, 200);
  });
});
