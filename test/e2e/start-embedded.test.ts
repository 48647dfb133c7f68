import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { startServiceProcess } from '../helpers/service-process.js';

// "npm install && npm start with only ADMIN_TOKEN set" — no DATABASE_URL: the embedded Postgres.
describe('start with only ADMIN_TOKEN (embedded Postgres)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'entra-sync-embedded-'));
  chmodSync(dataDir, 0o755);
  const env = { ADMIN_TOKEN: 'only-the-admin-token-is-set', DATA_DIR: dataDir, LOG_LEVEL: 'info' };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves /readyz, stops cleanly, reuses its data on the next start, and survives kill -9', async () => {
    const first = await startServiceProcess(env);
    assert.ok(
      first.output.some((l) => l.includes('"migrations applied"')),
      'first start migrates',
    );
    assert.equal(await first.stop('SIGTERM'), 0);
    assert.equal(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), false, 'embedded postgres stopped');

    const second = await startServiceProcess(env);
    assert.ok(existsSync(join(dataDir, 'postgres', 'PG_VERSION')));
    assert.equal(
      second.output.some((l) => l.includes('"migrations applied"')),
      false,
      'second start reuses the data',
    );
    const ready = await fetch(`${second.url}/readyz`);
    assert.deepEqual(await ready.json(), { status: 'ready' });

    // A crash leaves the embedded postgres child orphaned; the next start must take over.
    assert.equal(await second.stop('SIGKILL'), 'SIGKILL');
    const third = await startServiceProcess(env);
    assert.equal((await fetch(`${third.url}/readyz`)).status, 200);
    assert.equal(await third.stop('SIGINT'), 0);
  });

  it('as root, a DATA_DIR the postgres system user cannot enter stops start-up with the fix, not EACCES', (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('only root runs the embedded Postgres as the system user "postgres"');
      return;
    }
    const private0700 = mkdtempSync(join(tmpdir(), 'entra-sync-private-')); // mkdtemp: mode 0700
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { PATH: process.env.PATH, ADMIN_TOKEN: env.ADMIN_TOKEN, DATA_DIR: join(private0700, 'data') },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /cannot enter .*entra-sync-private-.* \(mode 700\); run "chmod o\+x /);
      assert.doesNotMatch(run.stderr, /EACCES|\n\s+at /, 'no raw error or stack trace');
    } finally {
      rmSync(private0700, { recursive: true, force: true });
    }
  });
});
