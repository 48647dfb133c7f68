import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';
import { type ClaimArgs, claimBatches } from '../../src/delivery/batch-claim.repository.js';
import { deadLetterBatch, markBatchDelivered } from '../../src/delivery/batch-outcome.repository.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createOutboxFixture, type OutboxFixture } from './outbox-fixtures.js';

const CONNECTION = '00000000-0000-4000-8000-000000000001';

describe('batch forming (repository, real Postgres)', () => {
  let t: TestDatabase;
  let db: Db;
  let outbox: OutboxFixture;
  const args = (owner = 'replica-a', maxOpenBatches = 4): ClaimArgs => ({
    connectionId: CONNECTION,
    owner,
    leaseSeconds: 30,
    maxOpenBatches,
    maxEvents: 100,
  });
  const eventsOf = (body: string) =>
    (JSON.parse(body) as { events: Array<{ id: string; userId: string; sequence: number }> }).events;

  before(async () => {
    t = await createTestDatabase();
    db = t.database.db;
    await sql`INSERT INTO connections (id, name, tenant_id, client_id, client_secret_enc, leena_url, leena_api_key_enc, leena_signing_secret_enc)
              VALUES (${CONNECTION}, 'forming', 't', 'c', '\\x00', 'https://leena.example/events', '\\x00', '\\x00')`.execute(
      db,
    );
  });
  beforeEach(async () => {
    await sql`DELETE FROM delivery_queue`.execute(db);
    await sql`DELETE FROM outbox_events`.execute(db);
    await sql`DELETE FROM delivery_batches`.execute(db);
    outbox = createOutboxFixture(db, { id: CONNECTION, tenantId: 't' });
  });
  after(async () => {
    await t.drop();
  });

  it('keeps a user whole in one batch, in sequence order, at most 100 events per batch', async () => {
    await outbox.addSpread(30, 3, 'a'); // a-0, a-1, a-2, a-0, ... : 10 events each
    await outbox.add(Array.from({ length: 150 }, () => 'big'));
    const batches = await claimBatches(db, args(), 4);
    for (const b of batches) {
      const events = eventsOf(b.body);
      assert.ok(events.length <= 100 && events.length === b.eventCount);
      const users = [...new Set(events.map((e) => e.userId))];
      for (const u of users) {
        const mine = events.filter((e) => e.userId === u);
        assert.deepEqual(
          mine.map((e) => e.sequence),
          mine.map((_, i) => mine[0]!.sequence + i),
          `${u} in order`,
        );
        assert.ok(
          batches.every((other) => other === b || !eventsOf(other.body).some((e) => e.userId === u)),
          `${u} in one batch`,
        );
      }
    }
    const sent = batches.flatMap((b) => eventsOf(b.body));
    assert.equal(sent.filter((e) => e.userId.startsWith('a-')).length, 30);
    assert.deepEqual(
      sent.filter((e) => e.userId === 'big').map((e) => e.sequence),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  it('holds back a user with an open batch or an earlier dead event, but not an earlier replayed one', async () => {
    await outbox.add(['u1', 'u2']);
    const [first] = await claimBatches(db, args(), 1);
    await outbox.add(['u1', 'u2', 'u3']);
    const second = await claimBatches(db, args(), 4);
    assert.deepEqual(
      second.flatMap((b) => eventsOf(b.body).map((e) => e.userId)),
      ['u3'],
      'u1 and u2 wait for their open batch',
    );
    await deadLetterBatch(db, {
      batchId: first!.id,
      owner: 'replica-a',
      attempt: 1,
      reason: 'test',
      httpStatus: 400,
      responseExcerpt: null,
    });
    await markBatchDelivered(db, second[0]!.id, 200);
    assert.deepEqual(await claimBatches(db, args(), 4), [], 'u1 and u2 wait behind their dead events');
    // Replay u1's dead event: it goes first, then (once delivered) the next one.
    await sql`UPDATE delivery_queue SET dead = false WHERE user_id = 'u1' AND sequence = 1`.execute(db);
    const replayed = await claimBatches(db, args(), 4);
    assert.deepEqual(
      replayed.flatMap((b) => eventsOf(b.body).map((e) => [e.userId, e.sequence])),
      [
        ['u1', 1],
        ['u1', 2],
      ],
    );
  });

  it('never sends a later event first when ids and sequences disagree', async () => {
    // A writer bug: user "odd" has sequence 2 at a low id and sequence 1 far behind it.
    const insert = (id: number, userId: string, sequence: number) =>
      sql`
      WITH o AS (
        INSERT INTO outbox_events (id, event_id, connection_id, user_id, sequence, type, source, payload)
        OVERRIDING SYSTEM VALUE
        VALUES (${id}, ${`evt_${id}`}, ${CONNECTION}, ${userId}, ${sequence}, 'user.deleted', 'manual',
                ${JSON.stringify({ id: `evt_${id}`, userId, sequence })}::jsonb))
      INSERT INTO delivery_queue (connection_id, outbox_id, user_id, sequence)
      VALUES (${CONNECTION}, ${id}, ${userId}, ${sequence})`.execute(db);
    await insert(1_000, 'odd', 2);
    for (let i = 1; i <= 150; i++) await insert(1_000 + i, `filler-${i}`, 1);
    await insert(5_000, 'odd', 1);
    const [batch] = await claimBatches(db, args(), 1);
    const events = eventsOf(batch!.body);
    assert.equal(events.length, 99, 'the window holds odd#2 and 99 fillers');
    assert.ok(!events.some((e) => e.userId === 'odd'), 'odd#2 waits: odd#1 is not in this window');
  });

  it('caps open batches across replicas and never puts one event in two batches', async () => {
    await outbox.addSpread(2000, 500, 'r');
    const [a, b] = await Promise.all([
      claimBatches(db, args('replica-a', 3), 3),
      claimBatches(db, args('replica-b', 3), 3),
    ]);
    assert.equal(a.length + b.length, 3, 'three open batches at most, whoever claims');
    const ids = [...a, ...b].flatMap((x) => eventsOf(x.body).map((e) => e.id));
    assert.equal(new Set(ids).size, ids.length);
    const users = [...a, ...b].map((x) => new Set(eventsOf(x.body).map((e) => e.userId)));
    for (const [i, u] of users.entries())
      for (const v of users.slice(i + 1)) assert.ok([...u].every((x) => !v.has(x)));
  });
});
