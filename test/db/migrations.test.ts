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
});
