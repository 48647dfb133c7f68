/**
 * The CLI's service commands (connections, status, reconcile) against the real running service,
 * migrate and doctor <connection> against Postgres, and bin/entra-sync.js as a process.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY } from '../helpers/context.js';
import { createTestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/service-process.js';
import {
  type Harness,
  settled,
  SINK_API_KEY,
  SINK_SIGNING_SECRET,
  startHarness,
} from '../helpers/sync-harness.js';
import { cli, line } from './run-cli.js';

describe('entra-sync CLI commands', () => {
  let h: Harness;
  const second = { tenantId: randomUUID(), clientId: randomUUID(), clientSecret: `sim~${randomUUID()}` };
  const env = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ENTRA_SYNC_URL: h.service.url,
    ...extra,
  });

  before(async () => {
    h = await startHarness({
      users: 20,
      prepare: (sim) => {
        sim.addTenant({ tenantId: second.tenantId });
        sim.addApp(second);
      },
    });
    await settled(h);
    await h.sink.waitFor((s) => s.events.length >= 20, 20_000);
  });

  after(async () => {
    await h?.close();
  });

  it('connections add takes ENTRA_* / LEENA_* (secrets only from the environment), list shows it, update changes it, remove needs --yes', async () => {
    const values = {
      ENTRA_TENANT_ID: second.tenantId,
      ENTRA_CLIENT_ID: second.clientId,
      LEENA_URL: h.sink.url,
      LEENA_API_KEY: SINK_API_KEY,
      LEENA_SIGNING_SECRET: SINK_SIGNING_SECRET,
    };
    const missing = await cli(['connections', 'add', 'acme'], env(values));
    assert.equal(missing.code, 2);
    assert.match(missing.err[0]!, /^missing ENTRA_CLIENT_SECRET$/m);
    const added = await cli(
      ['connections', 'add', 'acme', '--secret-expires-at', '2028-11-26'],
      env({ ...values, ENTRA_CLIENT_SECRET: second.clientSecret }),
    );
    assert.equal(added.code, 0, added.text);
    assert.match(
      added.out[0]!,
      /^✓ connection "acme" added \(id [0-9a-f-]{36}\); the initial full sync has been requested$/,
    );
    const refused = await cli(
      ['connections', 'add', 'bad name', '--url', h.service.url],
      env({ ...values, ENTRA_CLIENT_SECRET: second.clientSecret }),
    );
    assert.equal(refused.code, 1);
    assert.match(refused.err[0]!, /^✗ name: 1-63 letters/);

    const list = await cli(['connections', 'list'], env());
    assert.equal(list.code, 0, list.text);
    assert.match(list.out[0]!, /^NAME\s+TENANT\s+SCOPE\s+LEENA AI URL\s+SECRET EXPIRES\s+NOTE$/);
    assert.ok(
      list.out.some(
        (l) =>
          l.startsWith('acme ') &&
          l.includes(second.tenantId) &&
          l.includes('whole tenant') &&
          l.includes('2028-11-26'),
      ),
      list.text,
    );
    assert.ok(
      list.out.some((l) => l.startsWith('contoso ')),
      list.text,
    );

    const noSecret = await cli(['connections', 'update', 'acme', '--client-secret'], env());
    assert.equal(noSecret.code, 2);
    assert.match(
      noSecret.err[0]!,
      /^--client-secret takes the new value from ENTRA_CLIENT_SECRET, which is not set/,
    );
    const updated = await cli(
      ['connections', 'update', 'acme', '--client-secret', '--secret-expires-at', '2029-01-31'],
      env({ ENTRA_CLIENT_SECRET: second.clientSecret }),
    );
    assert.equal(updated.code, 0, updated.text);
    assert.equal(updated.out[0], '✓ connection "acme" updated: clientSecret, clientSecretExpiresAt');
    assert.ok(!updated.text.includes(second.clientSecret));
    const relisted = await cli(['connections', 'list'], env());
    assert.ok(
      relisted.out.some((l) => l.startsWith('acme ') && l.includes('2029-01-31')),
      relisted.text,
    );

    const unconfirmed = await cli(['connections', 'remove', 'acme'], env());
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.err[0]!, /^not removed: add --yes to confirm/);
    const removed = await cli(['connections', 'remove', 'acme', '--yes'], env());
    assert.equal(removed.code, 0, removed.text);
    assert.deepEqual(removed.out, ['✓ connection "acme" removed']);
  });

  it('status prints the verdict, subscriptions, sync, delivery, reconcile and credentials', async () => {
    const run = await cli(['status', 'contoso'], env());
    assert.equal(run.code, 0, run.text);
    assert.match(run.out[0]!, new RegExp(`^contoso: ✓ ok  \\(tenant ${h.tenantId}, whole tenant\\)$`));
    assert.ok(
      run.out.some((l) => /^ {2}users {2}active, expires \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in \d+ d\)/.test(l)),
      run.text,
    );
    assert.ok(
      run.out.some((l) => /^sync {8}last notification (never|\d+ s ago)/.test(l)),
      run.text,
    );
    assert.ok(
      run.out.some((l) => l.includes('20 users in scope, 20 in Leena AI')),
      run.text,
    );
    assert.ok(
      run.out.some((l) => /^delivery {4}backlog 0, dead letters 0, last delivered \d+ s ago$/.test(l)),
      run.text,
    );
    assert.ok(
      run.out.includes('credentials client secret expiry unknown (record it to be warned 30 days ahead)'),
      run.text,
    );
    const missing = await cli(['status', 'nosuch'], env());
    assert.equal(missing.code, 1);
    assert.equal(missing.err[0], '✗ no connection with id or name "nosuch"');
  });

  it('reconcile --dry-run --wait prints progress lines, then the counts', async () => {
    const run = await cli(['reconcile', 'contoso', '--dry-run', '--wait'], env());
    assert.equal(run.code, 0, run.text);
    assert.match(run.out[0]!, /^dry-run reconcile of "contoso" queued: run [0-9a-f-]{36}$/);
    assert.ok(
      run.out.some((l) => /^reconcile [0-9a-f]{8}: /.test(l)),
      run.text,
    );
    assert.match(
      run.out.at(-2)!,
      /^✓ reconcile succeeded in [\d.]+ s: 0 created, 0 updated, 0 deleted, 20 unchanged \(20 users read from Graph\)$/,
    );
    assert.equal(run.out.at(-1), '  dry run: nothing was sent');
  });

  it('reconcile --wait on a terminal draws a progress bar in place', async () => {
    const writes: string[] = [];
    const run = await cli(['reconcile', 'contoso', '--wait'], env(), {
      write: (t) => writes.push(t),
      columns: 100,
    });
    assert.equal(run.code, 0, run.text);
    assert.ok(writes.length >= 1);
    assert.ok(
      writes.slice(0, -1).every((w) => w.startsWith('\r\x1b[2K[')),
      JSON.stringify(writes),
    );
    assert.match(writes.at(-2)!, /\[█{24}\] 100% {2}succeeded \(done\)$/);
    assert.equal(writes.at(-1), '\n');
  });

  it('a reconcile stopped by the mass-deletion guard exits 1 and says how to approve or cancel', async () => {
    h.sim.faults.notificationsEnabled = false;
    for (const u of h.sim.listUsers(h.tenantId).slice(0, 15)) h.sim.hardDeleteUser(h.tenantId, u.id);
    const run = await cli(['reconcile', 'contoso', '--wait'], env());
    h.sim.faults.notificationsEnabled = true;
    assert.equal(run.code, 1, run.text);
    assert.match(
      run.out.at(-1)!,
      /^✗ reconcile blocked: this run would delete 15 of the 20 users .*approve: POST \/admin\/reconcile-runs\/[0-9a-f-]+\/approve/,
    );
  });

  it('doctor <connection> reads the stored connection from Postgres and checks it', async () => {
    const doctorEnv = {
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      SECRET_KEY: TEST_SECRET_KEY,
      DATABASE_URL: h.db.url,
      PUBLIC_URL: h.service.url,
      GRAPH_BASE_URL: h.sim.url,
      ENTRA_AUTHORITY_URL: h.sim.url,
      ALLOW_INSECURE_LEENA_URL: 'true',
    };
    const run = await cli(['doctor', 'contoso'], doctorEnv);
    assert.equal(run.out[0], 'entra-sync doctor: checking connection "contoso"');
    assert.equal(run.code, 0, run.text);
    assert.ok(line(run, '✓', `signed in to Entra: tenant ${h.tenantId}, app ${h.clientId}`), run.text);
    assert.ok(line(run, '!', "the client secret's expiry date is not recorded"), run.text);
    assert.ok(line(run, '✓', 'Leena AI accepted the API key and signature'), run.text);
    const unknown = await cli(['doctor', 'nosuch'], doctorEnv);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err[0]!, /^no connection with id or name "nosuch" in postgres:\/\//);
  });

  it('says what is wrong when the service cannot be reached, the token is missing, or the command is unknown', async () => {
    const port = await freePort();
    const down = await cli(['connections', 'list', '--url', `http://127.0.0.1:${port}`], env());
    assert.equal(down.code, 1);
    assert.equal(
      down.err[0],
      `✗ cannot reach entra-sync at http://127.0.0.1:${port} (ECONNREFUSED): is the service running? Pass --url or set ENTRA_SYNC_URL`,
    );
    const noToken = await cli(['status', 'contoso'], { ENTRA_SYNC_URL: h.service.url });
    assert.equal(noToken.code, 2);
    assert.match(noToken.err[0]!, /^ADMIN_TOKEN is not set/);
    const wrongToken = await cli(['status', 'contoso'], env({ ADMIN_TOKEN: 'wrong-token-0123456789' }));
    assert.equal(
      wrongToken.err[0],
      '✗ the service refused ADMIN_TOKEN (401): use the token it was started with',
    );
    const typo = await cli(['reconcile', 'contoso', '--dryrun'], env());
    assert.equal(typo.code, 2);
    assert.match(typo.err[0]!, /Unknown option '--dryrun'.*; did you mean --dry-run\?/);
    assert.equal((await cli(['frobnicate'], env())).code, 2);
  });

  it('migrate applies the migrations once, then finds nothing to do', async () => {
    const db = await createTestDatabase({ migrated: false });
    try {
      const first = await cli(['migrate'], { DATABASE_URL: db.url });
      assert.equal(first.code, 0, first.text);
      assert.match(first.out[0]!, /^✓ applied \d+ migrations to postgres:\/\/.*: 0001_initial, /);
      const again = await cli(['migrate'], { DATABASE_URL: db.url });
      assert.match(again.out[0]!, /^✓ postgres:\/\/.* is up to date \(\d+ migrations\)$/);
    } finally {
      await db.drop();
    }
  });

  it('bin/entra-sync.js runs the TypeScript CLI straight after npm install (no build) and exits with its code', async () => {
    // Asynchronously: the service under test runs in this process and must keep answering.
    const run = await promisify(execFile)(process.execPath, ['bin/entra-sync.js', 'connections', 'list'], {
      env: { PATH: process.env.PATH, ADMIN_TOKEN: TEST_ADMIN_TOKEN, ENTRA_SYNC_URL: h.service.url },
      timeout: 30_000,
    });
    assert.match(run.stdout, /^NAME .*\ncontoso /);
    const failed = await promisify(execFile)(process.execPath, ['bin/entra-sync.js', 'status', 'nosuch'], {
      env: { PATH: process.env.PATH, ADMIN_TOKEN: TEST_ADMIN_TOKEN, ENTRA_SYNC_URL: h.service.url },
    }).catch((error: { code: number; stderr: string }) => error);
    assert.equal((failed as { code: number }).code, 1);
    assert.equal((failed as { stderr: string }).stderr, '✗ no connection with id or name "nosuch"\n');
  });
});
