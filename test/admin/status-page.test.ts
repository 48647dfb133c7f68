/**
 * GET /admin/status on the real service (HTTP + workers) with three connections — healthy, secret
 * expired (Entra answers AADSTS7000222), secret expiring in 10 days — read in headless Chromium
 * through the real login form, plus the session cookie's security, the expiry metric and log.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checkSecretExpiry } from '../../src/admin/secret-expiry.worker.js';
import { adminFetch, TEST_ADMIN_TOKEN } from '../helpers/context.js';
import {
  eventually,
  type Harness,
  SINK_API_KEY,
  SINK_SIGNING_SECRET,
  startHarness,
} from '../helpers/sync-harness.js';
import { type Browser, launchChromium } from './chromium.js';

const DAY = 86_400_000;
const expiredApp = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: `sim~${randomUUID()}` };
const expiringApp = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: `sim~${randomUUID()}` };

interface Row {
  name: string;
  health: string;
  problems: string[];
  secret: string;
  subscriptions: string;
  backlog: string;
  deadLetters: string;
}

describe('status page', () => {
  let h: Harness;
  let browser: Browser;

  before(async () => {
    // Chromium first: when it is missing the hook fails at once, with no harness left running.
    browser = await launchChromium();
    h = await startHarness({
      users: 12,
      prepare: (sim) => {
        for (const app of [expiredApp, expiringApp]) sim.addTenant({ tenantId: app.tenantId });
        sim.addApp({ ...expiredApp, secretExpiresAt: new Date(Date.now() - DAY) });
        sim.addApp(expiringApp);
        sim.seedUsers(expiringApp.tenantId, 5, { seed: 2 });
      },
    });
    const leena = { url: h.sink.url, apiKey: SINK_API_KEY, signingSecret: SINK_SIGNING_SECRET };
    for (const [name, app, expiresAt] of [
      ['fabrikam', expiredApp, new Date(Date.now() - DAY)],
      ['initech', expiringApp, new Date(Date.now() + 10.5 * DAY)],
    ] as const) {
      const res = await adminFetch(h.service.url, '/admin/connections', {
        method: 'POST',
        body: { name, ...app, clientSecretExpiresAt: expiresAt.toISOString(), leena },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    const health = async (name: string) =>
      (await adminFetch(h.service.url, `/admin/connections/${name}/status`)).body;
    await eventually('contoso healthy', async () => (await health('contoso')).health === 'ok', 30_000);
    await eventually(
      'initech subscribed',
      async () => (await health('initech')).subscriptions.some((s: { active: boolean }) => s.active),
      30_000,
    );
    await eventually(
      'fabrikam refused by Entra',
      async () => /AADSTS7000222/.test((await health('fabrikam')).credentials.error ?? ''),
      30_000,
    );
  });

  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('in Chromium: the login form, then every connection with its health, problems and secret', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.service.url}/admin/status`);
    assert.equal(await page.evaluate('document.title'), 'entra-sync status: log in');
    await page.evaluateAndWait(
      `document.querySelector('#token').value = ${JSON.stringify(TEST_ADMIN_TOKEN)}; document.querySelector('form.login').submit()`,
    );
    assert.equal(await page.evaluate('location.pathname'), '/admin/status');
    const rows = await page.evaluate<
      Row[]
    >(`[...document.querySelectorAll('tr[data-connection]')].map((tr) => ({
      name: tr.dataset.connection, health: tr.dataset.health,
      problems: [...tr.querySelectorAll('.problems li')].map((li) => li.textContent),
      secret: tr.querySelector('[data-field=secret]').innerText,
      subscriptions: tr.querySelector('[data-field=subscriptions]').innerText,
      backlog: tr.querySelector('[data-field=backlog]').innerText,
      deadLetters: tr.querySelector('[data-field=deadLetters]').innerText,
    }))`);
    assert.deepEqual(
      rows.map((r) => [r.name, r.health]),
      [
        ['contoso', 'ok'],
        ['fabrikam', 'error'],
        ['initech', 'warning'],
      ],
    );
    const [contoso, fabrikam, initech] = rows as [Row, Row, Row];
    assert.deepEqual(contoso.problems, []);
    assert.match(contoso.subscriptions, /users: active, expires in \d+ d/);
    assert.equal(contoso.backlog.split('\n')[0], '0');
    assert.equal(contoso.deadLetters, '0');
    assert.match(
      fabrikam.secret,
      /refused by Entra\s+the client secret has expired \(AADSTS7000222\): the customer must create a new secret/,
    );
    assert.ok(
      fabrikam.problems.some((p) => p.includes('AADSTS7000222')),
      fabrikam.problems.join('\n'),
    );
    assert.match(initech.secret, /expires in 10 d/);
    assert.ok(
      initech.problems.some((p) =>
        /the client secret expires in 10 days .*: ask the customer for a new one now/.test(p),
      ),
      initech.problems.join('\n'),
    );
    // The session cookie is HttpOnly: no script on the page can read it. A reload stays logged in.
    assert.equal(await page.evaluate('document.cookie'), '');
    await page.goto(`${h.service.url}/admin/status`);
    assert.equal(await page.evaluate('document.querySelectorAll("tr[data-connection]").length'), 3);
  });

  it('without a token: 401 with the login form; with the bearer token: the page; wrong login: refused', async () => {
    const anonymous = await fetch(`${h.service.url}/admin/status`);
    assert.equal(anonymous.status, 401);
    assert.match(
      await anonymous.text(),
      /<form class="login" method="post" action="\/admin\/status\/login">/,
    );
    assert.match(anonymous.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const bearer = await fetch(`${h.service.url}/admin/status`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(bearer.status, 200);
    assert.match(await bearer.text(), /data-connection="fabrikam" data-health="error"/);
    const wrong = await fetch(`${h.service.url}/admin/status/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'not-the-token' }),
      redirect: 'manual',
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
  });

  it('the session cookie carries no token, is HttpOnly, Secure, SameSite=Strict, and opens only the page', async () => {
    const login = await fetch(`${h.service.url}/admin/status/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: TEST_ADMIN_TOKEN }),
      redirect: 'manual',
    });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/admin/status');
    const cookie = login.headers.get('set-cookie') ?? '';
    assert.match(
      cookie,
      /^entra_sync_status=\d+\.[\w-]+; Path=\/admin\/status; Max-Age=28800; HttpOnly; Secure; SameSite=Strict$/,
    );
    assert.ok(!cookie.includes(TEST_ADMIN_TOKEN));
    const session = cookie.split(';')[0]!;
    assert.equal(
      (await fetch(`${h.service.url}/admin/status`, { headers: { cookie: session } })).status,
      200,
    );
    // The JSON admin API does not take the cookie: it cannot be used to change anything.
    assert.equal(
      (await fetch(`${h.service.url}/admin/connections`, { headers: { cookie: session } })).status,
      401,
    );
    const forged = session.replace(/\.[\w-]+$/, '.AAAA');
    assert.equal((await fetch(`${h.service.url}/admin/status`, { headers: { cookie: forged } })).status, 401);
  });

  it('secret expiry: the gauge per connection, a warning from 30 days ahead, an error once expired', async () => {
    const from = h.logs.length;
    const warned = new Map<string, number>();
    await checkSecretExpiry(h.service.ctx, warned);
    await checkSecretExpiry(h.service.ctx, warned); // the same day: no second warning
    const metrics = await (await fetch(`${h.service.url}/metrics`)).text();
    assert.match(metrics, /entra_sync_client_secret_expires_in_days\{connection="initech"\} 10\n/);
    assert.match(metrics, /entra_sync_client_secret_expires_in_days\{connection="fabrikam"\} -[12]\n/);
    const lines = h.logs
      .slice(from)
      .map(
        (l) => JSON.parse(l) as { level: number; msg: string; connection?: string; connectionId?: string },
      );
    const initech = lines.filter((l) => l.connection === 'initech');
    assert.equal(initech.length, 1);
    assert.equal(initech[0]!.level, 40);
    assert.match(initech[0]!.msg, /^connection "initech": the client secret expires in 10 days/);
    assert.ok(initech[0]!.connectionId);
    const fabrikam = lines.filter((l) => l.connection === 'fabrikam');
    assert.equal(fabrikam.length, 1);
    assert.equal(fabrikam[0]!.level, 50);
    assert.equal(lines.filter((l) => l.connection === 'contoso').length, 0);
  });
});
