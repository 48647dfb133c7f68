/**
 * Secrets — the Entra client secret, the Leena API key and signing secret, subscription
 * clientStates, the admin token and SECRET_KEY — never appear, in any spelling (clear,
 * URL-encoded, base64/base64url at any alignment, hex), in the service's output at
 * LOG_LEVEL=trace, in any admin or public answer (errors included), or anywhere in the database.
 * The scenario walks the paths most likely to leak: a wrong client secret (credential errors),
 * a Leena AI that echoes our request headers back (retries and dead letters keep its answer),
 * refused admin requests carrying secrets, replays.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY } from '../helpers/context.js';
import type { ServiceProcess } from '../helpers/service-process.js';
import { startFleet, type Fleet } from './support/fleet.js';
import { send } from './support/http.js';
import { fillPath, operations } from './support/openapi.js';
import { findIn, JWT, needles, scanDatabase, type Needle } from './support/secrets.js';
import {
  addTenant,
  assertConverged,
  connect,
  isConverged,
  SINK_API_KEY,
  SINK_SIGNING_SECRET,
  waitUntil,
} from './support/world.js';

const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe('secrets stay secret: logs at trace, answers, errors, the database', () => {
  let fleet: Fleet;
  let replica: ServiceProcess;
  let echo: Server;
  let echoUrl = '';
  let echoStatus = 503;
  const tenant = { tenantId: '', clientId: '', clientSecret: '' };
  const wrongSecret = `wrong~${randomUUID()}`;
  let connectionId = '';
  const answers: Array<{ where: string; text: string }> = [];

  const get = async (path: string) => {
    const res = await send(fleet.url, { method: 'GET', path, headers: auth });
    answers.push({
      where: `GET ${path} (${res.status})`,
      text: `${JSON.stringify(res.headers)}\n${res.body}`,
    });
    return res;
  };
  const call = async (method: string, path: string, body?: unknown, raw?: string) => {
    const headers =
      body === undefined && raw === undefined ? auth : { ...auth, 'content-type': 'application/json' };
    const res = await send(fleet.url, {
      method,
      path,
      headers,
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    answers.push({
      where: `${method} ${path} (${res.status})`,
      text: `${JSON.stringify(res.headers)}\n${res.body}`,
    });
    return res;
  };

  before(async () => {
    fleet = await startFleet();
    Object.assign(tenant, addTenant(fleet.sim, 12, 5));
    // A Leena AI that answers every request by echoing its headers (our bearer API key included) and body.
    echo = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(echoStatus, {
          'content-type': 'text/plain',
          'x-echo-authorization': String(req.headers.authorization),
        });
        res.end(
          `you sent ${JSON.stringify(req.headers)} and ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
        );
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/events`;
    replica = await fleet.start({ LOG_LEVEL: 'trace' });
  });
  after(async () => {
    if (process.env.DEBUG_HARDENING) console.log(replica?.output.join('\n'));
    await fleet?.close();
    await new Promise((resolve) => echo?.close(resolve));
  });

  it('walks the leaky paths and still converges', async () => {
    connectionId = await connect(fleet.url, 'secretive', tenant, fleet.sink.url);
    await waitUntil(
      'initial sync',
      () => isConverged(fleet.sink, fleet.sim, connectionId, tenant.tenantId),
      30_000,
    );
    const users = fleet.sim.listUsers(tenant.tenantId);

    // A Leena AI echoing our headers: first as 503 (retried, the answer kept as last error), then 400 (dead letters keep it).
    assert.equal(
      (await call('PATCH', `/admin/connections/${connectionId}`, { leena: { url: echoUrl } })).status,
      200,
    );
    fleet.sim.updateUser(tenant.tenantId, users[1]!.id, { jobTitle: 'echoed 503' });
    await waitUntil(
      'a retried 503 from the echo',
      async () =>
        /answered 503/.test(
          JSON.parse((await get(`/admin/connections/${connectionId}/delivery`)).body).lastError?.message ??
            '',
        ),
      20_000,
    );
    echoStatus = 400;
    await waitUntil(
      'dead letters from the echo',
      async () => JSON.parse((await get(`/admin/connections/${connectionId}/delivery`)).body).deadLetters > 0,
      20_000,
    );
    await get(`/admin/connections/${connectionId}/dead-letters?status=all`);
    assert.equal(
      (await call('PATCH', `/admin/connections/${connectionId}`, { leena: { url: fleet.sink.url } })).status,
      200,
    );
    assert.equal(
      (
        await call('POST', `/admin/connections/${connectionId}/dead-letters/replay`, {
          since: '2000-01-01T00:00:00Z',
        })
      ).status,
      200,
    );

    // Refused admin requests that carry secrets.
    const base = {
      name: 'refused',
      tenantId: tenant.tenantId,
      clientId: tenant.clientId,
      clientSecret: tenant.clientSecret,
      leena: { url: fleet.sink.url, apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET },
    };
    for (const [label, body, raw] of [
      ['bad tenant', { ...base, tenantId: 'not a tenant' }],
      ['secret id instead of value', { ...base, clientSecret: randomUUID() }],
      [
        'bad url',
        { ...base, leena: { ...base.leena, url: `https://user:${SINK_API_KEY}@169.254.169.254/` } },
      ],
      ['bad signing secret', { ...base, leena: { ...base.leena, signingSecret: `${SINK_SIGNING_SECRET}!` } }],
      ['unknown field', { ...base, extra: SINK_API_KEY }],
      [
        'malformed JSON',
        undefined,
        `{"clientSecret": "${tenant.clientSecret}", "leena": {"apiKey": "${SINK_API_KEY}" `,
      ],
      ['duplicate name', { ...base, name: 'secretive' }],
    ] as Array<[string, unknown, string?]>) {
      const res = await call('POST', '/admin/connections', body, raw);
      assert.ok(res.status >= 400 && res.status < 500, `${label}: ${res.status}`);
    }

    fleet.sim.updateUser(tenant.tenantId, users[2]!.id, { department: 'after the storm' });
    await waitUntil(
      'converged after everything',
      () => isConverged(fleet.sink, fleet.sim, connectionId, tenant.tenantId),
      30_000,
    );
    assertConverged(fleet.sink, fleet.sim, connectionId, tenant.tenantId);

    // Last, a wrong client secret: token requests fail, the credential error is stored and shown.
    // (Syncing then backs off for 60 s, so nothing after this waits for a round.)
    assert.equal(
      (await call('PATCH', `/admin/connections/${connectionId}`, { clientSecret: wrongSecret })).status,
      200,
    );
    fleet.sim.updateUser(tenant.tenantId, users[0]!.id, { jobTitle: 'while the secret is wrong' });
    await waitUntil(
      'credential error recorded',
      async () =>
        JSON.parse((await get(`/admin/connections/${connectionId}/status`)).body).credentials.error !== null,
      20_000,
    );
    assert.equal(
      (await call('PATCH', `/admin/connections/${connectionId}`, { clientSecret: tenant.clientSecret }))
        .status,
      200,
    );
  });

  it('finds no secret in the output, the answers or the database', async () => {
    const subscriptions = fleet.sim.listSubscriptions(tenant.tenantId);
    assert.ok(subscriptions.length > 0);
    const secrets: Record<string, string> = {
      'client secret': tenant.clientSecret,
      'wrong client secret': wrongSecret,
      'Leena API key': SINK_API_KEY,
      'Leena signing secret': SINK_SIGNING_SECRET,
      'Leena signing key (base64)': SINK_SIGNING_SECRET.replace(/^whsec_/, ''),
      'Leena signing key (hex)': Buffer.from(SINK_SIGNING_SECRET.replace(/^whsec_/, ''), 'base64').toString(
        'hex',
      ),
      'admin token': TEST_ADMIN_TOKEN,
      SECRET_KEY: TEST_SECRET_KEY,
      'SECRET_KEY (hex)': Buffer.from(TEST_SECRET_KEY, 'base64').toString('hex'),
      ...Object.fromEntries(subscriptions.map((s, i) => [`clientState ${i + 1}`, s.clientState!])),
    };
    const list: Needle[] = needles(secrets);

    // Every documented GET, with real ids, plus the public endpoints.
    const runs = JSON.parse((await get(`/admin/connections/${connectionId}/reconcile-runs`)).body)
      .runs as Array<{ runId: string }>;
    for (const op of await operations(fleet.url)) {
      if (op.method !== 'GET') continue;
      await get(
        fillPath(op.path, { id: connectionId, runId: runs[0]?.runId ?? randomUUID(), userId: randomUUID() }),
      );
    }
    for (const path of [
      '/metrics',
      '/openapi.json',
      '/healthz',
      '/readyz',
      '/docs/json',
      '/admin/connections/secretive',
    ])
      await get(path);

    const output = replica.output;
    assert.ok(output.length > 10, `output captured (${output.length} lines)`);
    assert.ok(
      output.some((l) => l.includes('"level":20')),
      'debug lines are there (the service writes no trace lines)',
    );
    const found = [
      ...output.flatMap((line, i) => findIn(`output line ${i + 1}`, line, list)),
      ...answers.flatMap((a) => findIn(a.where, a.text, list)),
    ];
    const db = await scanDatabase(fleet.db.database.db, list);
    found.push(...db.found);
    const jwts = [...output, ...answers.map((a) => a.text)].filter((t) => JWT.test(t));
    assert.deepEqual(found, [], 'secrets found');
    assert.deepEqual(jwts, [], 'Graph access tokens found');
    // The checks saw what they should have: the leaky paths did leave traces (without the secrets).
    assert.ok(
      output.some((l) => /AADSTS7000215/.test(l)),
      'the wrong secret was logged about',
    );
    assert.ok(
      answers.some((a) => /\[redacted\]/.test(a.text)),
      'the echoed API key was masked where the answer is kept',
    );
    console.log(
      `[hardening] secrets: ${Object.keys(secrets).length} secrets in ${list.length} spellings searched for in ${output.length} lines of trace output, ` +
        `${answers.length} API answers and ${db.rows} rows of ${db.tables} tables: 0 found`,
    );
  });
});
