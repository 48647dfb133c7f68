import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDatabase } from '../../src/db/database.js';
import { loadMigrations, migrate, migrationStatus } from '../../src/db/migrate.js';
import { createTestDatabase } from '../helpers/database.js';

describe('migrations', () => {
  it('are applied exactly once when five replicas start together', async () => {
    const target = await createTestDatabase({ migrated: false });
    const replicas = Array.from({ length: 5 }, () => createDatabase(target.url, { max: 2 }));
    try {
      assert.deepEqual(await migrationStatus(replicas[0]!.pool), {
        ok: false,
        reason: 'migrations_pending',
        pending: loadMigrations().map((m) => m.name),
      });
      const results = await Promise.all(replicas.map((r) => migrate(r.pool)));
      const appliedBy = results.filter((r) => r.applied.length > 0);
      assert.equal(appliedBy.length, 1, 'one replica applies, the others find nothing to do');
      assert.deepEqual(appliedBy[0]!.applied, loadMigrations().map((m) => m.name));
      const rows = await target.database.pool.query('SELECT version, checksum FROM schema_migrations ORDER BY version');
      assert.deepEqual(
        rows.rows.map((r) => r.version),
        loadMigrations().map((m) => m.version),
      );
      assert.deepEqual(await migrationStatus(replicas[0]!.pool), { ok: true });
      // Idempotent on the next start.
      assert.deepEqual((await migrate(replicas[1]!.pool)).applied, []);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      await target.drop();
    }
  });

  it('roll back a failing migration completely', async () => {
    const target = await createTestDatabase({ migrated: false });
    try {
      const broken = [
        ...loadMigrations(),
        { version: '9999', name: '9999_broken', sql: 'CREATE TABLE half_done (id int); SELECT 1/0;', checksum: 'x' },
      ];
      await assert.rejects(migrate(target.database.pool, broken), /migration 9999_broken failed: division by zero/);
      const table = await target.database.pool.query("SELECT to_regclass('half_done') AS t");
      assert.equal(table.rows[0].t, null);
      const status = await migrationStatus(target.database.pool, broken);
      assert.deepEqual(status, { ok: false, reason: 'migrations_pending', pending: ['9999_broken'] });
    } finally {
      await target.drop();
    }
  });

  it('0005 moves undelivered events into the delivery queue and keeps the dead ones dead', async () => {
    const target = await createTestDatabase({ migrated: false });
    const all = loadMigrations();
    const upTo = all.findIndex((m) => m.name === '0005_delivery_queue');
    try {
      await migrate(target.database.pool, all.slice(0, upTo));
      const q = (text: string, values: unknown[] = []) => target.database.pool.query(text, values);
      const conn = '00000000-0000-4000-8000-000000000005';
      await q(
        `INSERT INTO connections (id, name, tenant_id, client_id, client_secret_enc, leena_url, leena_api_key_enc, leena_signing_secret_enc)
               VALUES ($1, 'm', 't', 'c', '\\x00', 'https://x', '\\x00', '\\x00')`,
        [conn],
      );
      for (const [n, status] of [
        [1, 'delivered'],
        [2, 'dead'],
        [3, 'pending'],
        [4, 'skipped'],
      ] as const)
        await q(
          `INSERT INTO outbox_events (event_id, connection_id, user_id, sequence, type, source, payload, status)
                 VALUES ($1, $2, 'u', $3, 'user.updated', 'reconcile', '{}', $4)`,
          [`evt_${n}`, conn, n, status],
        );
      await migrate(target.database.pool, all);
      const queued = await q(`SELECT o.event_id, d.sequence, d.dead FROM delivery_queue d
                                JOIN outbox_events o ON o.id = d.outbox_id ORDER BY d.outbox_id`);
      assert.deepEqual(queued.rows, [
        { event_id: 'evt_2', sequence: 2, dead: true },
        { event_id: 'evt_3', sequence: 3, dead: false },
      ]);
    } finally {
      await target.drop();
    }
  });
});
