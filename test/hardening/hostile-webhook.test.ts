/**
 * Hostile input to POST /webhooks/graph and /webhooks/graph/lifecycle, property-based: random
 * JSON, wrong types, deep nesting, huge arrays, prototype-poisoning keys, invalid UTF-8, wrong
 * content types, oversized bodies, near-valid items with one field forged, and validation tokens
 * of every kind. Never a 5xx, the process keeps answering, and exactly the valid items are stored.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startFuzzApp, type FuzzApp } from './support/fuzz-app.js';
import { headersFrom, hostileBodies, hostileHeaderValue, prototypeKeys } from './support/hostile.js';
import { destroyAgent, send, sendRaw } from './support/http.js';

const PATHS = ['/webhooks/graph', '/webhooks/graph/lifecycle'] as const;
const BODY_LIMIT = 1_048_576;

/** One field of an item: a value that keeps the item valid, or one that breaks it (or removes the field). */
type Field =
  { readonly value: unknown; readonly breaks: boolean } | { readonly absent: true; readonly breaks: boolean };
const keep = (value: unknown): Field => ({ value, breaks: false });
const breaks = (value: unknown): Field => ({ value, breaks: true });
const absent = (breaksItem: boolean): Field => ({ absent: true, breaks: breaksItem });

function fieldArbs(f: FuzzApp) {
  const { subscriptionId, clientState } = f.users;
  const userId = fc.uuid().map((u) => u.toLowerCase());
  const junk = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 40 }));
  return {
    subscriptionId: fc.oneof(
      { weight: 6, arbitrary: fc.constant(keep(subscriptionId)) },
      fc.constantFrom(
        absent(true),
        breaks('\u0000'),
        breaks(`${subscriptionId}\u0000`),
        breaks(subscriptionId.toUpperCase()),
        breaks(`${subscriptionId} `),
        breaks(randomUUID()),
        breaks(42),
        breaks([subscriptionId]),
      ),
      junk.map(breaks),
    ),
    clientState: fc.oneof(
      { weight: 6, arbitrary: fc.constant(keep(clientState)) },
      fc.constantFrom(
        absent(true),
        breaks(''),
        breaks(`${clientState}\u0000`),
        breaks(`${clientState} `),
        breaks(clientState.slice(1)),
        breaks(clientState.toUpperCase()),
        breaks(f.groups.clientState),
        breaks([clientState]),
        breaks({ toString: clientState }),
      ),
      junk.map(breaks),
    ),
    tenant: fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(
          keep({ tenantId: f.tenantId }),
          keep({ tenantId: f.tenantId.toUpperCase() }),
          keep({ organizationId: f.tenantId }),
        ),
      },
      fc.constantFrom(
        breaks({}),
        breaks({ tenantId: randomUUID() }),
        breaks({ tenantId: [f.tenantId] }),
        breaks({ tenantId: `${f.tenantId}x` }),
        breaks({ organizationId: 7 }),
      ),
    ),
    resource: fc.oneof(
      {
        weight: 6,
        arbitrary: userId.chain((id) =>
          fc.constantFrom(keep(`Users/${id}`), keep(`users/${id}`), keep(`/Users/${id}`)),
        ),
      },
      userId.chain((id) =>
        fc.constantFrom(
          breaks(`Groups/${id}`),
          breaks(`Users/${id}/../x`),
          breaks(`Users/${id}?$select=x`),
          breaks('Users/'),
          breaks(`Users/${'a'.repeat(65)}`),
          breaks(`https://evil/Users/${id}`),
          absent(true),
        ),
      ),
      junk.map(breaks),
    ),
    changeType: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(keep('updated'), keep('deleted')) },
      fc.constantFrom(breaks('created'), breaks('UPDATED'), breaks(''), absent(true), breaks(['updated'])),
    ),
    lifecycleEvent: fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom(
          keep('reauthorizationRequired'),
          keep('missed'),
          keep('subscriptionRemoved'),
        ),
      },
      fc.constantFrom(
        absent(true),
        breaks(''),
        breaks(1),
        breaks(['missed']),
        breaks({}),
        breaks('missed\u0000'),
        breaks('\u0000'),
        breaks('missed; DROP TABLE x'),
      ),
    ),
    extra: fc.dictionary(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'odata', '@odata.type', 'sequenceNumber', 'x'),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 3 },
    ),
  };
}

interface BuiltItem {
  readonly json: string;
  readonly validChange: boolean;
  readonly validLifecycle: boolean;
}

/** A near-valid item as raw JSON text (so `__proto__` keys survive), with whether it must be stored. */
function nearValidItem(f: FuzzApp): fc.Arbitrary<BuiltItem> {
  const a = fieldArbs(f);
  return fc.record(a).map((r) => {
    const members: string[] = [];
    const put = (name: string, field: Field) => {
      if (!('absent' in field)) members.push(`${JSON.stringify(name)}:${JSON.stringify(field.value)}`);
    };
    put('subscriptionId', r.subscriptionId);
    put('clientState', r.clientState);
    put('resource', r.resource);
    put('changeType', r.changeType);
    put('lifecycleEvent', r.lifecycleEvent);
    const tenant = 'value' in r.tenant ? (r.tenant.value as Record<string, unknown>) : {};
    if ('tenantId' in tenant) members.push(`"tenantId":${JSON.stringify(tenant.tenantId)}`);
    const data = 'organizationId' in tenant ? { organizationId: tenant.organizationId } : { id: 'x' };
    members.push(`"resourceData":${JSON.stringify(data)}`);
    // Poisoning keys carrying a *valid* clientState must not rescue an item missing its own.
    for (const [k, v] of Object.entries(r.extra))
      members.push(
        `${JSON.stringify(k)}:${JSON.stringify(k === '__proto__' ? { clientState: f.users.clientState, ...(v as object) } : v)}`,
      );
    const common = !r.subscriptionId.breaks && !r.clientState.breaks && !r.tenant.breaks;
    return {
      json: `{${members.join(',')}}`,
      validChange: common && !r.resource.breaks && !r.changeType.breaks,
      validLifecycle: common && !r.lifecycleEvent.breaks,
    };
  });
}

describe('hostile input: Graph webhooks', () => {
  let f: FuzzApp;
  const tried = { bodies: 0, items: 0, itemsValid: 0, tokens: 0, transport: 0 };
  const statuses = new Map<number, number>();
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const started = Date.now();

  before(async () => {
    f = await startFuzzApp();
  });
  after(async () => {
    const total = tried.bodies + tried.items + tried.tokens + tried.transport;
    console.log(
      `[hardening] hostile input, webhooks: ${total} inputs tried in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(${tried.bodies} hostile bodies, ${tried.items} near-valid notification collections holding ${tried.itemsValid} valid items, ` +
        `${tried.tokens} validation tokens, ${tried.transport} transport-level); answers ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    destroyAgent();
    await f?.close();
  });

  it('hostile bodies with any content type: 202/400/413/415, never a 5xx, nothing stored, prototype untouched', async () => {
    const protoBefore = prototypeKeys();
    const rowsBefore = await f.notificationRows();
    await fc.assert(
      fc.asyncProperty(hostileBodies, fc.constantFrom(...PATHS), async (input, path) => {
        tried.bodies += 1;
        const res = await send(f.app.url, {
          path,
          headers: headersFrom(input.contentType),
          body: input.body,
        });
        count(res.status);
        assert.ok(
          [202, 400, 413, 415].includes(res.status),
          `${input.kind} to ${path} (${input.contentType}): ${res.status} ${res.body.slice(0, 200)}`,
        );
        if (res.status >= 400) assert.match(String(res.headers['content-type']), /^application\/json/);
      }),
      { numRuns: 700 },
    );
    assert.equal(await f.notificationRows(), rowsBefore, 'no notification row for any hostile body');
    assert.deepEqual(prototypeKeys(), protoBefore, 'Object.prototype not polluted');
    assert.equal(({} as Record<string, unknown>).clientState, undefined);
  });

  it('near-valid items with one field forged: exactly the valid items are stored, on both URLs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(nearValidItem(f), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        async (items, lifecycle) => {
          tried.items += 1;
          const expected = items.filter((i) => (lifecycle ? i.validLifecycle : i.validChange)).length;
          tried.itemsValid += expected;
          const before = await f.notificationRows();
          const res = await send(f.app.url, {
            path: lifecycle ? '/webhooks/graph/lifecycle' : '/webhooks/graph',
            headers: { 'content-type': 'application/json' },
            body: `{"value":[${items.map((i) => i.json).join(',')}]}`,
          });
          count(res.status);
          assert.equal(res.status, 202, res.body);
          assert.equal(
            await f.notificationRows(),
            before + expected,
            `stored rows for ${items.map((i) => i.json).join('\n')}`,
          );
        },
      ),
      { numRuns: 300 },
    );
    assert.ok(tried.itemsValid > 50, `the generator produced valid items too (${tried.itemsValid})`);
  });

  it('validation tokens are echoed exactly, only as text/plain with nosniff, and only up to 2,048 characters', async () => {
    const rowsBefore = await f.notificationRows();
    const token = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }),
      fc.constantFrom(
        '<script>alert(1)</script>',
        '<html><body>x</body></html>',
        '{"a":1}',
        '%PDF-1.4',
        '\r\nSet-Cookie: a=b',
        '\u0000',
        '\ufeff<svg/onload=alert(1)>',
      ),
    );
    await fc.assert(
      fc.asyncProperty(token, fc.constantFrom(...PATHS), hostileBodies, async (t, path, body) => {
        let encoded: string;
        try {
          encoded = encodeURIComponent(t);
        } catch {
          return; // a lone surrogate cannot be put in a URL at all
        }
        tried.tokens += 1;
        // Graph sends text/plain and no body; a hostile caller sends anything along with it.
        const res = await send(f.app.url, {
          path: `${path}?validationToken=${encoded}`,
          headers: headersFrom(body.contentType),
          body: body.body,
        });
        count(res.status);
        assert.equal(res.status, 200, `${JSON.stringify(t)}: ${res.status}`);
        assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.equal(res.body, t);
      }),
      { numRuns: 300 },
    );
    const tooLong = fc.integer({ min: 2_049, max: 12_000 });
    await fc.assert(
      fc.asyncProperty(tooLong, fc.constantFrom(...PATHS), async (n, path) => {
        tried.tokens += 1;
        const res = await send(f.app.url, { path: `${path}?validationToken=${'A'.repeat(n)}` });
        count(res.status);
        assert.equal(res.status, 400, `${n} characters`);
        assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
        assert.ok(!res.body.includes('A'.repeat(100)), 'a refused token is not echoed');
      }),
      { numRuns: 40 },
    );
    // Undecodable escapes are echoed as they came (still plain text); an empty or repeated token is refused.
    const odd: Array<[string, number, string | undefined]> = [
      ['validationToken=', 400, undefined],
      ['validationToken=a&validationToken=b', 400, undefined],
      ['validationToken=%ff%fe%fd', 200, '%ff%fe%fd'],
      ['validationToken=%E0%A4%A', 200, '%E0%A4%A'],
      ['validationToken=%', 200, '%'],
    ];
    for (const [query, status, echo] of odd) {
      tried.tokens += 1;
      const res = await send(f.app.url, { path: `/webhooks/graph?${query}` });
      count(res.status);
      assert.equal(res.status, status, query);
      assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8', query);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', query);
      if (echo !== undefined) assert.equal(res.body, echo, query);
    }
    // Not a handshake: a bracketed key is just another query parameter; the (empty) body is refused as JSON.
    const bracket = await send(f.app.url, { path: '/webhooks/graph?validationToken[x]=1' });
    assert.equal(bracket.status, 400);
    assert.match(String(bracket.headers['content-type']), /^application\/json/);
    assert.equal(await f.notificationRows(), rowsBefore, 'a handshake stores nothing');
  });

  it('oversized bodies get 413 however they are framed; garbage on the wire never gets a 5xx', async () => {
    const rowsBefore = await f.notificationRows();
    const host = new URL(f.app.url).host;
    const sizes = fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 3 });
    await fc.assert(
      fc.asyncProperty(sizes, fc.constantFrom(...PATHS), async (n, path) => {
        tried.transport += 1;
        const body = Buffer.from(`{"value":[${'0,'.repeat(Math.floor((n - 12) / 2))}0]}`);
        const res = await send(f.app.url, { path, headers: { 'content-type': 'application/json' }, body });
        count(res.status);
        assert.equal(res.status, 413);
      }),
      { numRuns: 20 },
    );
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const chunked = Buffer.concat([
      Buffer.from(
        `POST /webhooks/graph HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      ),
      ...Array.from({ length: 20 }, () =>
        Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
      ),
      Buffer.from('0\r\n\r\n'),
    ]);
    const raw: Array<[string, Buffer | string, number[]]> = [
      ['chunked, no Content-Length, 1.3 MB', chunked, [413]],
      [
        'Content-Length of 5 GB, tiny body',
        `POST /webhooks/graph HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 5000000000\r\n\r\n{}`,
        [413],
      ],
      [
        'Content-Length and chunked at once',
        `POST /webhooks/graph HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        [400],
      ],
      [
        'negative Content-Length',
        `POST /webhooks/graph HTTP/1.1\r\nHost: ${host}\r\nContent-Length: -1\r\n\r\n`,
        [400],
      ],
      [
        'invalid UTF-8 in the request line',
        Buffer.concat([
          Buffer.from('POST /webhooks/graph?validationToken='),
          Buffer.from([0xff, 0xfe, 0xc3]),
          Buffer.from(` HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
        ]),
        [200, 400],
      ],
      [
        'invalid UTF-8 in a header',
        Buffer.concat([
          Buffer.from(
            `POST /webhooks/graph HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nX-Odd: `,
          ),
          Buffer.from([0xff, 0xc0, 0x80]),
          Buffer.from('\r\nContent-Length: 12\r\n\r\n{"value":[]}'),
        ]),
        [202, 400],
      ],
      [
        'not HTTP at all',
        Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
        [0, 400],
      ],
    ];
    for (const [what, bytes, expected] of raw) {
      tried.transport += 1;
      const res = await sendRaw(f.app.url, bytes, false);
      count(res.status);
      assert.ok(expected.includes(res.status), `${what}: ${res.status} ${res.text.slice(0, 200)}`);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom(
            'content-type',
            'content-encoding',
            'accept',
            'x-request-id',
            'x-forwarded-for',
            'expect',
            'cookie',
          ),
          hostileHeaderValue,
          { maxKeys: 4 },
        ),
        async (headers) => {
          tried.transport += 1;
          const res = await send(f.app.url, { path: '/webhooks/graph', headers, body: '{"value":[]}' });
          count(res.status);
          assert.ok(res.status > 0 && res.status < 500, `${JSON.stringify(headers)}: ${res.status}`);
        },
      ),
      { numRuns: 150 },
    );
    assert.equal(await f.notificationRows(), rowsBefore);
  });

  it('the server still answers after all of it', async () => {
    const health = await send(f.app.url, { method: 'GET', path: '/healthz' });
    assert.equal(health.status, 200);
    const ready = await send(f.app.url, { method: 'GET', path: '/readyz' });
    assert.equal(ready.status, 200);
    const metrics = await send(f.app.url, { method: 'GET', path: '/metrics' });
    assert.doesNotMatch(metrics.body, /status="5\d\d"/, 'no 5xx was ever answered');
  });
});
