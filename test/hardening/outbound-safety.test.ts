/**
 * Outbound safety: the service POSTs customer data to a connection's Leena URL, so that URL must
 * not become a way into this network. https only (http only for loopback, and only with
 * ALLOW_INSECURE_LEENA_URL); loopback, link-local, metadata and private targets refused unless
 * allowed — however the address is spelled; a name that resolves to such an address refused at
 * send time, before any connection; redirects never followed.
 */
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { addressKind } from '../../src/delivery/leena-url.js';
import { guardedLookup, OutboundAddressError } from '../../src/delivery/outbound-guard.js';
import { adminFetch } from '../helpers/context.js';
import { startFuzzApp, type FuzzApp } from './support/fuzz-app.js';
import { destroyAgent } from './support/http.js';
import {
  assertConverged,
  isConverged,
  lostEvents,
  mixedChanges,
  SINK_API_KEY,
  SINK_SIGNING_SECRET,
  startWorld,
  waitUntil,
  type World,
} from './support/world.js';

/** Refused under the default policy, each a different way of reaching somewhere it must not. */
const REFUSED_BY_DEFAULT = [
  'http://leena.example.com/events',
  'http://127.0.0.1:9/events',
  'https://127.0.0.1/events',
  'https://127.1/events',
  'https://localhost/events',
  'https://[::1]/events',
  'https://[::ffff:127.0.0.1]/events',
  'https://169.254.169.254/latest/meta-data/',
  'https://2852039166/latest/meta-data/',
  'https://0xa9fea9fe/',
  'https://0251.0376.0251.0376/',
  'https://[::ffff:169.254.169.254]/',
  'https://[0:0:0:0:0:ffff:a9fe:a9fe]/',
  'https://[64:ff9b::a9fe:a9fe]/',
  'https://[fd00:ec2::254]/',
  'https://169.254.10.10/',
  'https://[fe80::1]/',
  'https://10.0.0.5/events',
  'https://172.16.3.4/events',
  'https://172.31.255.255/events',
  'https://192.168.1.1/events',
  'https://100.64.0.1/events',
  'https://0.0.0.0/events',
  'https://[::]/events',
  'https://[fd12:3456::1]/events',
  'https://[::ffff:10.0.0.1]/events',
  'https://224.0.0.1/events',
  'ftp://leena.example.com/events',
  'file:///etc/passwd',
  'gopher://leena.example.com:70/',
  'javascript:alert(1)',
  'https://user:password@leena.example.com/events',
  'leena.example.com/events',
  '',
];
const ACCEPTED_BY_DEFAULT = [
  'https://leena.example.com/events',
  'https://93.184.216.34/events',
  'https://[2606:4700::1111]/events',
  'https://leena.example.com:8443/v1/events?tenant=a',
];

function body(name: string, url: string) {
  return {
    name,
    tenantId: '11111111-1111-1111-1111-111111111111',
    clientId: '22222222-2222-2222-2222-222222222222',
    clientSecret: 'outbound-client-secret',
    leena: { url, apiKey: 'k', signingSecret: SINK_SIGNING_SECRET },
  };
}

async function verdicts(f: FuzzApp, urls: readonly string[]): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  let n = 0;
  for (const url of urls) {
    const created = await adminFetch(f.app.url, '/admin/connections', {
      method: 'POST',
      body: body(`c${n++}`, url),
    });
    result.set(url, created.status);
    if (created.status === 400) assert.match(created.body.message, /leena\.url/, url);
    if (created.status === 201)
      await adminFetch(f.app.url, `/admin/connections/${created.body.id}`, { method: 'DELETE' });
    // A PATCH to the same URL gets the same verdict and leaves the stored URL alone.
    const patched = await adminFetch(f.app.url, `/admin/connections/${f.connectionId}`, {
      method: 'PATCH',
      body: { leena: { url } },
    });
    assert.equal(patched.status === 200 ? 201 : patched.status, created.status, `PATCH ${url}`);
    if (patched.status === 200) await f.restore();
  }
  return result;
}

describe('outbound safety: what a Leena URL may be', () => {
  for (const [label, env, accepted, refused] of [
    ['default policy', { ALLOW_INSECURE_LEENA_URL: 'false' }, ACCEPTED_BY_DEFAULT, REFUSED_BY_DEFAULT],
    [
      'ALLOW_INSECURE_LEENA_URL=true',
      { ALLOW_INSECURE_LEENA_URL: 'true' },
      [
        'http://127.0.0.1:9/events',
        'http://localhost:9/events',
        'http://[::1]:9/events',
        'https://127.0.0.1/events',
        ...ACCEPTED_BY_DEFAULT,
      ],
      [
        'http://leena.example.com/events',
        'http://10.0.0.5/events',
        'https://10.0.0.5/events',
        'https://169.254.169.254/',
        'https://[::ffff:a9fe:a9fe]/',
        'http://169.254.169.254/',
      ],
    ],
    [
      'ALLOW_PRIVATE_LEENA_URL=true',
      { ALLOW_INSECURE_LEENA_URL: 'false', ALLOW_PRIVATE_LEENA_URL: 'true' },
      [
        'https://10.0.0.5/events',
        'https://192.168.1.1/events',
        'https://[fd12:3456::1]/events',
        ...ACCEPTED_BY_DEFAULT,
      ],
      ['http://10.0.0.5/events', 'http://192.168.1.1/events', 'ftp://10.0.0.5/', 'https://user:pw@10.0.0.5/'],
    ],
  ] as const) {
    it(`${label}: refuses and accepts exactly as documented, on create and on update`, async () => {
      const f = await startFuzzApp({ env: { ...env } });
      try {
        const result = await verdicts(f, [...accepted, ...refused]);
        const wrong = [
          ...accepted
            .filter((u) => result.get(u) !== 201)
            .map((u) => `accepted expected, got ${result.get(u)}: ${u}`),
          ...refused
            .filter((u) => result.get(u) !== 400)
            .map((u) => `refusal expected, got ${result.get(u)}: ${u}`),
        ];
        assert.deepEqual(wrong, []);
        console.log(
          `[hardening] outbound, ${label}: ${refused.length} hostile URLs refused, ${accepted.length} accepted`,
        );
      } finally {
        destroyAgent();
        await f.close();
      }
    });
  }
});

describe('outbound safety: checks after DNS resolution', () => {
  const resolver =
    (addresses: string[]) =>
    (
      _host: string,
      _options: unknown,
      callback: (e: null, a: Array<{ address: string; family: number }>) => void,
    ) =>
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
  const resolveWith = (addresses: string[], policy = { allowInsecureUrl: false, allowPrivateUrl: false }) =>
    new Promise<{ error: unknown; address?: string }>((resolve) => {
      const look = guardedLookup(policy, resolver(addresses) as never);
      look('leena.example.com', { family: 0 }, (error, address) =>
        resolve({ error, address: address as string }),
      );
    });

  it('refuses a name whose answers include a private, loopback, link-local or metadata address (injected resolver)', async () => {
    for (const answers of [
      ['10.1.2.3'],
      ['169.254.169.254'],
      ['93.184.216.34', '10.0.0.1'],
      ['::ffff:a9fe:a9fe'],
      ['fd00:ec2::254'],
      ['127.0.0.1'],
      ['fe80::1'],
      ['0.0.0.0'],
    ]) {
      const { error } = await resolveWith(answers);
      assert.ok(error instanceof OutboundAddressError, `${answers.join(', ')}: ${String(error)}`);
      assert.match(String((error as Error).message), /^Leena AI host leena\.example\.com resolves to/);
    }
    assert.equal((await resolveWith(['93.184.216.34'])).address, '93.184.216.34');
    assert.equal(
      (await resolveWith(['10.1.2.3'], { allowInsecureUrl: false, allowPrivateUrl: true })).address,
      '10.1.2.3',
    );
  });

  describe('a real name that resolves to this machine, at send time', () => {
    let world: World;
    let server: ReturnType<typeof createTcpServer>;
    let connections = 0;
    const name = hostname();
    before(async () => {
      server = createTcpServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
      const port = (server.address() as AddressInfo).port;
      world = await startWorld({
        users: 5,
        env: { ALLOW_INSECURE_LEENA_URL: 'false' },
        leenaUrl: () => `https://${name}:${port}/events`,
      });
    });
    after(async () => {
      await world?.close();
      await new Promise((resolve) => server.close(resolve));
    });

    it(`"${name}" passes the URL check (a name), resolves to loopback here, and is refused before any connection`, async () => {
      const resolved = await lookup(name, { all: true });
      assert.ok(
        resolved.length > 0 && resolved.every((a) => addressKind(a.address) !== 'public'),
        `${name} resolves to ${JSON.stringify(resolved)}: the test needs a non-public answer`,
      );
      let lastError = '';
      await waitUntil('a refused delivery attempt', async () => {
        const status = await adminFetch(
          world.service.url,
          `/admin/connections/${world.connectionId}/delivery`,
        );
        lastError = status.body?.lastError?.message ?? '';
        return /resolves to/.test(lastError);
      });
      assert.match(lastError, new RegExp(`Leena AI host ${name} resolves to this machine \\(127\\.`));
      assert.equal(connections, 0, 'no connection was ever opened to the address');
      assert.equal(world.sink.events.length, 0);
      console.log(
        `[hardening] outbound: ${name} (resolving to ${resolved.map((a) => a.address).join(', ')}) refused at send time: "${lastError.slice(0, 120)}"`,
      );
    });
  });
});

describe('outbound safety: redirects are not followed', () => {
  let world: World;
  let redirector: Server;
  const seen: Array<{ authorization: string | undefined }> = [];
  let redirectorUrl = '';
  before(async () => {
    world = await startWorld({ users: 8 });
    await world.sink.waitFor((s) => s.events.length >= 8, 20_000, 'initial sync');
    redirector = createServer((req, res) => {
      seen.push({ authorization: req.headers.authorization });
      req.resume();
      const statuses = [307, 308, 301, 302, 303];
      // The sink on another host name (localhost instead of 127.0.0.1), as an attacker's Location would be.
      res.writeHead(statuses[seen.length % statuses.length]!, {
        location: world.sink.url.replace('127.0.0.1', 'localhost'),
      });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/events`;
  });
  after(async () => {
    destroyAgent();
    await world?.close();
    await new Promise((resolve) => redirector.close(resolve));
  });

  it('a Leena URL answering 3xx to another host: nothing reaches that host, the events wait, and arrive once the URL is fixed', async () => {
    const delivered = world.sink.events.length;
    const moved = await adminFetch(world.service.url, `/admin/connections/${world.connectionId}`, {
      method: 'PATCH',
      body: { leena: { url: redirectorUrl } },
    });
    assert.equal(moved.status, 200);
    for (let round = 0; round < 3; round++) mixedChanges(world.sim, world.tenant.tenantId, round, 3);
    await waitUntil('several redirect answers', () => seen.length >= 5, 20_000);
    const status = await adminFetch(world.service.url, `/admin/connections/${world.connectionId}/delivery`);
    assert.match(
      status.body.lastError.message,
      /redirecting to http:\/\/localhost:\d+\/events; redirects are not followed/,
    );
    assert.equal(world.sink.events.length, delivered, 'the redirect target received nothing');
    assert.equal(world.sink.rejected.length, 0, 'not even a refused request');
    assert.ok(status.body.backlog > 0);
    const back = await adminFetch(world.service.url, `/admin/connections/${world.connectionId}`, {
      method: 'PATCH',
      body: { leena: { url: world.sink.url } },
    });
    assert.equal(back.status, 200);
    await waitUntil(
      'converged after the fix',
      () => isConverged(world.sink, world.sim, world.connectionId, world.tenant.tenantId),
      30_000,
    );
    assertConverged(world.sink, world.sim, world.connectionId, world.tenant.tenantId);
    assert.deepEqual(await lostEvents(world.db, world.sink, world.connectionId), []);
    assert.ok(
      seen.every((s) => s.authorization === `Bearer ${SINK_API_KEY}`),
      'only the configured URL ever saw the API key',
    );
    console.log(
      `[hardening] outbound: ${seen.length} redirects (301/302/303/307/308) answered, 0 followed, 0 events lost`,
    );
  });
});
