import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { pruneOnce } from '../../src/retention/retention.worker.js';
import { startTestApp, type TestApp } from '../helpers/context.js';

describe('retention', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('prunes old notifications and delivered events, never pending or dead ones', async () => {
    const db = t.ctx.database.db;
    const conn = randomUUID();
    await sql`INSERT INTO connections (id, name, tenant_id, client_id, client_secret_enc, leena_url, leena_api_key_enc, leena_signing_secret_enc)
      VALUES (${conn}, 'r', 't', 'c', '\\x00', 'https://x', '\\x00', '\\x00')`.execute(db);
    const sub = randomUUID();
    await sql`INSERT INTO notifications (connection_id, subscription_id, change_type, resource, received_at) VALUES
      (${conn}, ${sub}, 'updated', 'users/a', now() - interval '8 days'),
      (${conn}, ${sub}, 'updated', 'users/b', now() - interval '1 day')`.execute(db);
    const old = "now() - interval '8 days'";
    for (const [n, status] of [[1, 'delivered'], [2, 'pending'], [3, 'dead'], [4, 'delivered']] as const) {
      // Delivered events have left the delivery queue; pending and dead ones are still in it.
      await sql`WITH o AS (
          INSERT INTO outbox_events (event_id, connection_id, user_id, sequence, type, source, payload, created_at)
          VALUES (${`evt_${n}`}, ${conn}, 'u', ${n}, 'user.created', 'reconcile', '{}', ${n === 4 ? sql`now()` : sql.raw(old)})
          RETURNING id)
        INSERT INTO delivery_queue (connection_id, outbox_id, user_id, sequence, dead)
        SELECT ${conn}, id, 'u', ${n}, ${status === 'dead'} FROM o WHERE ${status !== 'delivered'}`.execute(db);
    }
    const deleted = await pruneOnce(t.ctx);
    assert.equal(deleted.notifications, 1);
    assert.equal(deleted.outbox_events, 1);
    const left = await db.selectFrom('outbox_events').select(['event_id']).orderBy('event_id').execute();
    assert.deepEqual(left.map((r) => r.event_id), ['evt_2', 'evt_3', 'evt_4']);
    assert.equal((await db.selectFrom('notifications').select('resource').execute()).map((r) => r.resource).join(), 'users/b');
  });
});
