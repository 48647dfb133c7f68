import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { copyRows, copyValue } from '../../src/db/copy-rows.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('COPY through kysely', () => {
  let target: TestDatabase;
  before(async () => {
    target = await createTestDatabase({ migrated: false, poolSize: 1 }); // one connection: a broken session would show
    await sql`CREATE TABLE copied (k text PRIMARY KEY, n int, b boolean, doc json, note text)`.execute(
      target.database.db,
    );
  });
  after(async () => target.drop());

  const db = () => target.database.db;
  const read = async () =>
    (
      await sql<{
        k: string;
        n: number | null;
        b: boolean | null;
        doc: unknown;
        note: string | null;
      }>`SELECT * FROM copied ORDER BY k`.execute(db())
    ).rows;

  it('round-trips every character COPY treats specially, NULLs, numbers, booleans and JSON', async () => {
    const awkward = 'back\\slash, tab\there, new\nline, cr\rreturn, \\N, \\., "quotes", ünïcödé, 😀';
    const doc = { text: awkward, nested: { list: [1, 'two\\', null] } };
    await db()
      .transaction()
      .execute(async (tx) => {
        await tx.executeQuery(
          copyRows(
            'copied',
            ['k', 'n', 'b', 'doc', 'note'],
            [
              ['a', 1, true, JSON.stringify(doc), awkward],
              ['b', null, false, null, null],
              ['c', -7, null, '[]', ''],
            ],
          ),
        );
      });
    assert.deepEqual(await read(), [
      { k: 'a', n: 1, b: true, doc, note: awkward },
      { k: 'b', n: null, b: false, doc: null, note: null },
      { k: 'c', n: -7, b: null, doc: [], note: '' },
    ]);
    assert.equal(copyValue(null), '\\N');
    assert.equal(copyValue('plain'), 'plain');
  });

  it('takes part in the transaction: rolled back with it, and a duplicate fails it without breaking the connection', async () => {
    await sql`TRUNCATE copied`.execute(db());
    await assert.rejects(
      db()
        .transaction()
        .execute(async (tx) => {
          await tx.executeQuery(copyRows('copied', ['k'], [['x'], ['y']]));
          throw new Error('roll back');
        }),
      /roll back/,
    );
    assert.deepEqual(await read(), []);
    await assert.rejects(
      db()
        .transaction()
        .execute(async (tx) => {
          await tx.executeQuery(copyRows('copied', ['k'], [['dup'], ['dup']]));
        }),
      (e: { code?: string }) => e.code === '23505',
    );
    assert.deepEqual(await read(), []);
    await db()
      .transaction()
      .execute(async (tx) => tx.executeQuery(copyRows('copied', ['k'], [['after']])));
    assert.deepEqual(
      (await read()).map((r) => r.k),
      ['after'],
    );
  });

  it('grows its buffer for pages larger than the first allocation (8 MB here)', async () => {
    await sql`TRUNCATE copied`.execute(db());
    const big = 'é'.repeat(4_000); // 2-byte UTF-8: the size estimate must hold for multi-byte text
    const rows = Array.from({ length: 1_000 }, (_, i) => [
      `k${String(i).padStart(4, '0')}`,
      i,
      null,
      null,
      big,
    ]);
    await db()
      .transaction()
      .execute(async (tx) => tx.executeQuery(copyRows('copied', ['k', 'n', 'b', 'doc', 'note'], rows)));
    const stats = (
      await sql<{
        n: number;
        ok: number;
      }>`SELECT count(*)::int AS n, count(*) FILTER (WHERE note = ${big})::int AS ok FROM copied`.execute(
        db(),
      )
    ).rows[0];
    assert.deepEqual(stats, { n: 1_000, ok: 1_000 });
  });

  it('refuses data that is not one Buffer', async () => {
    const { CompiledQuery } = await import('kysely');
    await assert.rejects(
      db().executeQuery(CompiledQuery.raw('/* copy */ COPY copied (k) FROM STDIN', ['x\n'])),
      /one Buffer parameter/,
    );
  });
});
