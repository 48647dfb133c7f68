import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../src/db/database.js';
import { statementName } from '../../src/db/named-statements.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('named statements', () => {
  let target: TestDatabase;
  let database: Database;
  before(async () => {
    target = await createTestDatabase({ migrated: false });
    database = createDatabase(target.url, { max: 1 }); // one connection: the session is observable
  });
  after(async () => {
    await database.close();
    await target.drop();
  });

  const prepared = async () =>
    (await sql<{ name: string }>`SELECT name FROM pg_prepared_statements ORDER BY name`.execute(database.db)).rows.map((r) => r.name);

  it('a marked statement is prepared once per connection and reused, in and out of transactions', async () => {
    const text = (n: number) => sql<{ n: number }>`/* named:add_one */ SELECT ${n}::int + 1 AS n`;
    assert.equal((await text(1).execute(database.db)).rows[0]!.n, 2);
    assert.equal((await text(41).execute(database.db)).rows[0]!.n, 42);
    await database.db.transaction().execute(async (tx) => {
      assert.equal((await text(9).execute(tx)).rows[0]!.n, 10);
    });
    const names = await prepared();
    assert.equal(names.filter((n) => n.startsWith('add_one_')).length, 1, names.join(', '));
  });

  it('unmarked statements stay unnamed', async () => {
    const before = await prepared();
    await sql`SELECT ${1}::int AS plain`.execute(database.db);
    await database.db.selectNoFrom(sql<number>`1`.as('one')).execute();
    assert.deepEqual(await prepared(), before);
  });

  it('two texts with the same label get different names', () => {
    const a = statementName('/* named:same */ SELECT 1');
    const b = statementName('/* named:same */ SELECT 2');
    assert.ok(a?.startsWith('same_') && b?.startsWith('same_'));
    assert.notEqual(a, b);
    assert.equal(statementName(' /* named:same */ SELECT 1'), null, 'the marker must open the text');
    assert.equal(statementName('SELECT 1'), null);
  });

  it('the hot statements carry the marker', async () => {
    const { readFileSync } = await import('node:fs');
    for (const [file, label] of [
      ['src/notifications/notification-writer.ts', 'store_notifications'],
      ['src/delivery/batch-forming.repository.ts', 'form_batches'],
      ['src/delivery/batch-claim.repository.ts', 'claim_due_batch'],
      ['src/delivery/batch-outcome.repository.ts', 'mark_batch_delivered'],
    ] as const) {
      assert.match(readFileSync(file, 'utf8'), new RegExp(`\`/\\* named:${label} \\*/`), file);
    }
  });
});
