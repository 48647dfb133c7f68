/**
 * Hostile input to every admin route the service documents in /openapi.json, with a valid token:
 * hostile path parameters, query strings, headers and bodies (random JSON, wrong types,
 * prototype-poisoning keys, deep nesting, invalid UTF-8, wrong content types). Never a 5xx, and a
 * refused write changes nothing in the database.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startGraphSimulator, type GraphSimulator } from '../../src/simulator/graph-simulator.js';
import { TEST_ADMIN_TOKEN } from '../helpers/context.js';
import { startFuzzApp, type FuzzApp } from './support/fuzz-app.js';
import {
  contentTypes,
  described,
  hostileBodies,
  hostileHeaderValue,
  prototypeKeys,
  wrongTypes,
} from './support/hostile.js';
import { destroyAgent, send } from './support/http.js';
import { fillPath, operations, type Operation } from './support/openapi.js';

const RUNS_PER_ROUTE = 70;

/** Already-encoded attacks, sent as they are. */
const PRE_ENCODED = ['%2e%2e', '%00', 'a%00b', '%ff', '%2F', '%C0%80', '%ED%A0%80'];

/** Path segments meant to confuse routing, lookups and SQL. */
const hostileSegment = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }),
  fc.constantFrom(
    ...PRE_ENCODED,
    '..',
    '.',
    'a'.repeat(300),
    "' OR '1'='1",
    'default; DROP TABLE connections',
    '${jndi:x}',
    'null',
    '0',
    '-1',
    '__proto__',
    'constructor',
  ),
  fc.uuid(),
);

function encodeSegment(s: string): string {
  if (PRE_ENCODED.includes(s)) return s;
  try {
    return encodeURIComponent(s);
  } catch {
    return 'lone-surrogate';
  }
}

const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'limit',
          'cursor',
          'status',
          'dryRun',
          'since',
          'eventId',
          '__proto__',
          'constructor[prototype]',
          'a[b]',
          '',
        ),
        fc.string({ maxLength: 20 }),
      ),
      fc.oneof(
        fc.constantFrom(
          '-1',
          '0',
          '501',
          '1e309',
          'NaN',
          'open',
          'all',
          'true',
          "'",
          '%ff',
          '%00',
          '9'.repeat(400),
        ),
        fc.string({ unit: 'binary', maxLength: 60 }),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&'));

const headerNames = fc.constantFrom(
  'accept',
  'x-request-id',
  'if-none-match',
  'range',
  'x-forwarded-for',
  'x-http-method-override',
  'accept-encoding',
  'content-language',
);

/** A body for a route: nothing, anything hostile, or the route's own fields with wrong types. */
function bodies(op: Operation) {
  const fieldsWithWrongTypes = fc
    .dictionary(fc.constantFrom(...op.bodyProperties, '__proto__', 'constructor', 'extra'), wrongTypes, {
      maxKeys: 5,
    })
    .map((d) =>
      Buffer.from(
        `{${Object.entries(d)
          .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
          .join(',')}}`,
      ),
    );
  const none: { kind: string; body: Buffer | undefined; contentType: string | undefined } = {
    kind: 'none',
    body: undefined,
    contentType: undefined,
  };
  return fc.oneof(
    fc.constant(described(none, 'no body')),
    hostileBodies.map((b): typeof none => b),
    ...(op.bodyProperties.length > 0
      ? [
          fc
            .record({ body: fieldsWithWrongTypes, contentType: contentTypes })
            .map(({ body, contentType }) =>
              described(
                { kind: 'fields', body, contentType } as typeof none,
                `fields ${body.toString()} (${contentType})`,
              ),
            ),
        ]
      : []),
  );
}

/** The last error the service logged, to explain a 5xx. */
function lastError(f: FuzzApp): string {
  return (f.app.logs.filter((l) => l.includes('"level":50')).at(-1) ?? '').slice(0, 1500);
}

describe('hostile input: every admin route', () => {
  let f: FuzzApp;
  let sim: GraphSimulator;
  let ops: Operation[];
  const real: Record<string, string[]> = {};
  let tried = 0;
  const statuses = new Map<number, number>();
  const started = Date.now();

  before(async () => {
    sim = await startGraphSimulator();
    const tenant = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: `sim~${randomUUID()}` };
    sim.addTenant({ tenantId: tenant.tenantId });
    sim.addApp(tenant);
    const users = sim.seedUsers(tenant.tenantId, 3, { seed: 3 });
    f = await startFuzzApp({ tenant, env: { GRAPH_BASE_URL: sim.url, ENTRA_AUTHORITY_URL: sim.url } });
    const run = await send(f.app.url, {
      path: `/admin/connections/${f.connectionId}/reconcile`,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{"dryRun":true}',
    });
    assert.equal(run.status, 202, run.body);
    real.id = [f.connectionId, 'fuzzed'];
    real.runId = [JSON.parse(run.body).runId as string];
    real.userId = users.map((u) => u.id);
    // DELETE last: a random PATCH may rename the connection to a name a random DELETE then hits.
    ops = (await operations(f.app.url))
      .filter((o) => o.path.startsWith('/admin'))
      .sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
  });
  after(async () => {
    console.log(
      `[hardening] hostile input, admin API: ${tried} inputs tried over ${ops?.length ?? 0} routes in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `answers ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    destroyAgent();
    await f?.close();
    await sim?.close();
  });

  it('the OpenAPI document lists the admin routes this test fuzzes', () => {
    assert.ok(ops.length >= 18, `${ops.length} admin operations`);
    for (const o of ops)
      for (const p of o.pathParams)
        assert.ok(real[p], `no real value for path parameter ${p} of ${o.method} ${o.path}`);
  });

  it('values Postgres cannot take (NUL, bad dates, huge numbers) in every parameter, query and body field: never a 5xx', async () => {
    const poison = [
      '%00',
      'a%00b',
      '%C0%80',
      '-infinity',
      '2026-13-45',
      '99999999999999999999',
      '1e309',
      'NaN',
      '%ED%A0%80',
    ];
    const bodyPoison: unknown[] = [
      '\u0000',
      'a\u0000b',
      '2026-13-45T99:99:99Z',
      '-infinity',
      'infinity',
      '99999999999999999999',
      1e308,
      -1,
      '\ud800',
    ];
    for (const op of ops) {
      const cases: Array<{ path: string; body?: string }> = [];
      const base = Object.fromEntries(op.pathParams.map((p) => [p, real[p]![0]!]));
      for (const p of op.pathParams)
        for (const v of poison) cases.push({ path: fillPath(op.path, { ...base, [p]: v }) });
      for (const q of [...op.queryParams, 'limit', 'cursor', 'status', 'since'])
        for (const v of poison) cases.push({ path: `${fillPath(op.path, base)}?${q}=${v}` });
      for (const field of op.bodyProperties)
        for (const v of bodyPoison)
          cases.push({ path: fillPath(op.path, base), body: JSON.stringify({ [field]: v }) });
      for (const c of cases) {
        if (op.method === 'DELETE' && (c.path.includes(f.connectionId) || c.path.includes('/fuzzed')))
          continue;
        tried += 1;
        const headers: Record<string, string> = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
        if (c.body !== undefined) headers['content-type'] = 'application/json';
        const res = await send(f.app.url, { method: op.method, path: c.path, headers, body: c.body });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(
          res.status > 0 && res.status < 500,
          `${op.method} ${c.path} ${c.body ?? ''}: ${res.status} ${res.body.slice(0, 200)} ${lastError(f)}`,
        );
        if (op.method === 'PATCH' && res.status < 300) await f.restore();
      }
    }
  });

  it('never a 5xx, and a refused write changes nothing', async () => {
    const protoBefore = prototypeKeys();
    for (const op of ops) {
      // Deleting the one connection would leave every later route with nothing to reach.
      const keepReal = op.method === 'DELETE';
      const param = (name: string) =>
        keepReal
          ? hostileSegment.map(encodeSegment)
          : fc.oneof(fc.constantFrom(...real[name]!), hostileSegment.map(encodeSegment));
      const params = fc.record(
        Object.fromEntries(op.pathParams.map((p) => [p, param(p)])) as Record<string, fc.Arbitrary<string>>,
      );
      const headers = fc.dictionary(headerNames, hostileHeaderValue, { maxKeys: 3 });
      await fc.assert(
        fc.asyncProperty(
          params,
          queryString,
          headers,
          bodies(op),
          async (values, query, extraHeaders, body) => {
            tried += 1;
            const path = `${fillPath(op.path, values)}${query ? `?${query}` : ''}`;
            const writes = op.method !== 'GET';
            const before = writes ? await f.fingerprint() : '';
            const requestHeaders: Record<string, string> = {
              ...extraHeaders,
              authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
            };
            if (body.contentType !== undefined) requestHeaders['content-type'] = body.contentType;
            const res = await send(f.app.url, {
              method: op.method,
              path,
              headers: requestHeaders,
              body: body.body,
            });
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            const what = `${op.method} ${path} (${body.kind}, ${body.contentType}, ${JSON.stringify(extraHeaders).slice(0, 200)})`;
            assert.ok(
              res.status > 0 && res.status < 500,
              `${what}: ${res.status} ${res.error ?? ''} ${res.body.slice(0, 300)} ${lastError(f)}`,
            );
            if (writes && res.status >= 400)
              assert.equal(await f.fingerprint(), before, `${what} answered ${res.status} but wrote`);
            // A fuzzed PATCH that went through (say, a new client secret) must not spoil the next routes.
            if (op.method === 'PATCH' && res.status < 300) await f.restore();
          },
        ),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
    assert.deepEqual(prototypeKeys(), protoBefore, 'Object.prototype not polluted');
  });

  it('the server still answers after all of it', async () => {
    const health = await send(f.app.url, { method: 'GET', path: '/healthz' });
    assert.equal(health.status, 200, health.error);
    assert.equal((await send(f.app.url, { method: 'GET', path: '/readyz' })).status, 200);
    const list = await send(f.app.url, {
      method: 'GET',
      path: '/admin/connections',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(list.status, 200);
  });
});
