/**
 * The schema after all migrations, as text, compared with the committed snapshot
 * (migrations/schema.snapshot.txt): every migration shows up in review as a readable diff.
 * After changing a migration: UPDATE_SCHEMA_SNAPSHOT=1 npm test -- schema-snapshot
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createTestDatabase } from '../helpers/database.js';

const SNAPSHOT = 'migrations/schema.snapshot.txt';

describe('schema snapshot', () => {
  it('matches the committed snapshot', async () => {
    const t = await createTestDatabase();
    try {
      const q = (text: string) => t.database.pool.query(text).then((r) => r.rows);
      const columns = await q(`SELECT table_name, column_name, data_type, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`);
      const indexes = await q(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname`);
      const constraints = await q(`SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS def
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`);
      const lines = [
        ...columns.map((c) => `column ${c.table_name}.${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' not null' : ''}${c.column_default ? ` default ${c.column_default}` : ''}`),
        ...indexes.map((i) => `index ${i.indexdef}`),
        ...constraints.map((c) => `constraint ${c.table_name}.${c.conname} ${c.def}`),
      ];
      const text = `${lines.join('\n')}\n`;
      if (process.env.UPDATE_SCHEMA_SNAPSHOT === '1' || !existsSync(SNAPSHOT)) writeFileSync(SNAPSHOT, text);
      assert.equal(text, readFileSync(SNAPSHOT, 'utf8'), `schema differs from ${SNAPSHOT}; if intended, rerun with UPDATE_SCHEMA_SNAPSHOT=1`);
    } finally {
      await t.drop();
    }
  });
});
