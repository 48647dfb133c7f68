import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  applyUserObservations,
  lockUsersQuery,
  type UserObservation,
} from '../../src/sync/apply-user-changes.js';
import { withAllFields } from '../../src/sync/user-profile.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

// The locking read of every sync write must stay one primary-key probe per user, whatever the
// statistics: planned as a join it read every user of the connection, O(tenant) per page.
describe('locking the users a page touches', () => {
  let target: TestDatabase;
  const connectionId = randomUUID();
  before(async () => {
    target = await createTestDatabase();
    const db = target.database.db;
    await sql`INSERT INTO connections (id, name, tenant_id, client_id, client_secret_enc, leena_url, leena_api_key_enc, leena_signing_secret_enc)
              VALUES (${connectionId}, 'lock-plan', ${randomUUID()}, ${randomUUID()}, '\\x00', 'http://127.0.0.1:1', '\\x00', '\\x00')`.execute(
      db,
    );
    // 20,000 users written since the last ANALYZE (there is none): the statistics are stale, as
    // they are during an initial sync.
    await sql`INSERT INTO users (connection_id, user_id, graph_profile, sent_profile)
              SELECT ${connectionId}, 'u' || lpad(i::text, 6, '0'), json_build_object('pad', repeat('x', 400)), NULL
              FROM generate_series(1, 20000) i`.execute(db);
  });
  after(async () => target.drop());

  it('is planned as primary-key probes, never a hash or a scan of the connection', async () => {
    const wanted = Array.from({ length: 999 }, (_, i) => `u${String(20_500 - i * 7).padStart(6, '0')}`);
    const compiled = lockUsersQuery(connectionId, wanted).compile(target.database.db);
    const plan = JSON.stringify(
      (await target.database.pool.query(`EXPLAIN (FORMAT JSON) ${compiled.sql}`, [...compiled.parameters]))
        .rows,
    );
    assert.doesNotMatch(plan, /Hash Join|Merge Join|"Seq Scan"/, plan);
    assert.match(plan, /users_pkey/, plan);
  });

  it('returns the users that exist, locked, and ignores the rest', async () => {
    const db = target.database.db;
    await db.transaction().execute(async (tx) => {
      const found = await lockUsersQuery(connectionId, ['u000003', 'nobody', 'u000001']).execute(tx);
      assert.deepEqual(
        found.rows.map((r) => r.user_id),
        ['u000001', 'u000003'],
      );
      const locks = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'transactionid' AND pid = pg_backend_pid()`.execute(
        tx,
      );
      assert.equal(locks.rows[0]!.n, 1, 'FOR UPDATE gave the transaction an id');
    });
  });
});

describe('what a page writes', () => {
  let target: TestDatabase;
  const connectionId = randomUUID();
  before(async () => {
    target = await createTestDatabase();
    await sql`INSERT INTO connections (id, name, tenant_id, client_id, client_secret_enc, leena_url, leena_api_key_enc, leena_signing_secret_enc)
              VALUES (${connectionId}, 'writes', ${randomUUID()}, ${randomUUID()}, '\\x00', 'http://127.0.0.1:1', '\\x00', '\\x00')`.execute(
      target.database.db,
    );
  });
  after(async () => target.drop());

  const options = () => ({
    connectionId,
    tenantId: 't',
    source: 'reconcile' as const,
    occurredAt: new Date(),
  });
  const profile = (id: string, jobTitle: string) =>
    withAllFields({ id, displayName: `User ${id}`, jobTitle });
  const apply = (observations: UserObservation[]) =>
    target.database.db.transaction().execute((tx) => applyUserObservations(tx, observations, options()));
  const versions = async () =>
    (
      await sql<{
        user_id: string;
        xmin: string;
      }>`SELECT user_id, xmin::text FROM users WHERE connection_id = ${connectionId} ORDER BY user_id`.execute(
        target.database.db,
      )
    ).rows;

  it('inserts new users and their events, then rewrites only the users that changed', async () => {
    const ids = ['a', 'b', 'c'];
    const first = await apply(
      ids.map((id) => ({ userId: id, profile: profile(id, 'Engineer'), full: true, state: 'present' })),
    );
    assert.equal(first.created, 3);
    const before = await versions();
    const second = await apply(
      ids.map((id) => ({
        userId: id,
        profile: profile(id, id === 'b' ? 'Manager' : 'Engineer'),
        full: true,
        state: 'present',
      })),
    );
    assert.deepEqual({ updated: second.updated, unchanged: second.unchanged }, { updated: 1, unchanged: 2 });
    const after = await versions();
    assert.deepEqual(
      after.map((r, i) => r.xmin === before[i]!.xmin),
      [true, false, true],
      'only b was rewritten',
    );
    const events = await sql<{ user_id: string; sequence: number; type: string }>`
      SELECT user_id, sequence, type FROM outbox_events WHERE connection_id = ${connectionId} ORDER BY user_id, sequence`.execute(
      target.database.db,
    );
    assert.deepEqual(
      events.rows.map((e) => `${e.user_id}${e.sequence}:${e.type}`),
      ['a1:user.created', 'b1:user.created', 'b2:user.updated', 'c1:user.created'],
    );
  });

  it("stores what Leena AI was sent once when it is Graph's profile, and diffs against it", async () => {
    const stored = async (id: string) =>
      (
        await sql<{ sent_profile: unknown; sent_is_graph: boolean; in_leena: boolean }>`
          SELECT sent_profile, sent_is_graph, in_leena FROM users WHERE connection_id = ${connectionId} AND user_id = ${id}`.execute(
          target.database.db,
        )
      ).rows[0];
    await apply([{ userId: 'd', profile: profile('d', 'Engineer'), full: true, state: 'present' }]);
    assert.deepEqual(await stored('d'), { sent_profile: null, sent_is_graph: true, in_leena: true });
    // A row in the layout before 0006 (sent_profile written out) is read the same way.
    await sql`INSERT INTO users (connection_id, user_id, graph_profile, sent_profile, last_sequence)
              VALUES (${connectionId}, 'e', ${JSON.stringify(profile('e', 'Engineer'))}, ${JSON.stringify(profile('e', 'Engineer'))}, 1)`.execute(
      target.database.db,
    );
    const changed = await apply(
      ['d', 'e'].map((id) => ({
        userId: id,
        profile: { id, jobTitle: 'Manager' },
        state: 'present' as const,
      })),
    );
    assert.deepEqual(
      changed.events.map((e) => [e.userId, e.type, e.changes]),
      [
        ['d', 'user.updated', { jobTitle: { old: 'Engineer', new: 'Manager' } }],
        ['e', 'user.updated', { jobTitle: { old: 'Engineer', new: 'Manager' } }],
      ],
    );
    assert.deepEqual(await stored('e'), { sent_profile: null, sent_is_graph: true, in_leena: true });
    const gone = await apply([{ userId: 'd', state: 'deleted' }]);
    assert.equal(gone.deleted, 1);
    assert.deepEqual(await stored('d'), { sent_profile: null, sent_is_graph: false, in_leena: false });
  });
});
