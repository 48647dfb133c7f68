import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminFetch } from '../helpers/context.js';
import { type DeliveryHarness, eventually, receivedIds, startDeliveryHarness } from './delivery-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dead letters', () => {
  let h: DeliveryHarness;
  const api = (path: string, init?: Parameters<typeof adminFetch>[2]) =>
    adminFetch(h.app.url, `/admin/connections/acme${path}`, init);
  /** The next request Leena AI receives is refused with 400. */
  const refuseNext = () => {
    h.sink.faults.rejectStatus = 400;
    h.sink.failNext(1);
  };
  before(async () => {
    h = await startDeliveryHarness();
  });
  after(async () => {
    await h.close();
  });

  it('a 400 dead-letters the batch at once, holds back the user, and a replay delivers everything in order', async () => {
    refuseNext();
    const [first] = await h.outbox.add(['ann']);
    await eventually(
      async () => (await api('/dead-letters')).body.deadLetters.length === 1,
      10_000,
      'the dead letter',
    );
    assert.equal(h.sink.faulted.length, 1, 'refused once, not retried');
    const later = await h.outbox.add(['ann', 'bob', 'ann']);
    await h.sink.waitFor((s) => receivedIds(s).has(later[1]!), 10_000, "bob's event");
    await sleep(300);
    assert.ok(
      !receivedIds(h.sink).has(later[0]!) && !receivedIds(h.sink).has(later[2]!),
      "ann's later events wait",
    );

    const list = await api('/dead-letters');
    assert.equal(list.status, 200);
    const [dead] = list.body.deadLetters;
    assert.equal(dead.eventId, first);
    assert.equal(dead.userId, 'ann');
    assert.equal(dead.sequence, 1);
    assert.equal(dead.httpStatus, 400);
    assert.match(dead.reason, /refused the batch with 400/);
    assert.match(dead.responseExcerpt, /simulated_failure/);
    assert.equal(dead.resolution, null);
    const status = await api('/delivery');
    assert.equal(status.body.deadLetters, 1);
    assert.equal(status.body.backlog, 2);

    const replay = await api('/dead-letters/replay', { method: 'POST', body: { eventId: first } });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.deepEqual(replay.body, { replayed: 1, events: [{ eventId: first, userId: 'ann', sequence: 1 }] });
    await h.sink.waitFor(
      (s) => [first!, ...later].every((id) => receivedIds(s).has(id)),
      10_000,
      "ann's events",
    );
    assert.deepEqual(h.sink.state().orderViolations, []);
    assert.equal(h.sink.state().lastSequence.get(`${h.connection.id}:ann`), 3);
    assert.equal((await api('/dead-letters')).body.deadLetters.length, 0);
    const all = await api('/dead-letters?status=all');
    assert.equal(all.body.deadLetters[0].resolution, 'replayed');
  });

  it('skip gives up on one event: the later events of its user go on without it', async () => {
    refuseNext();
    const [skipped] = await h.outbox.add(['carl']);
    await eventually(
      async () => (await api('/dead-letters')).body.deadLetters.length === 1,
      10_000,
      'the dead letter',
    );
    const [next] = await h.outbox.add(['carl']);
    await sleep(200);
    assert.ok(!receivedIds(h.sink).has(next!));
    const skip = await api('/dead-letters/skip', { method: 'POST', body: { eventId: skipped } });
    assert.equal(skip.status, 200, JSON.stringify(skip.body));
    assert.deepEqual(skip.body.skipped, { eventId: skipped, userId: 'carl', sequence: 1 });
    await h.sink.waitFor((s) => receivedIds(s).has(next!), 10_000, "carl's next event");
    assert.ok(!receivedIds(h.sink).has(skipped!), 'the skipped event is never sent');
    // The oracle sees the gap the skip made, and only that.
    assert.deepEqual(
      h.sink.state().orderViolations.map((v) => [v.userId, v.expected, v.got]),
      [['carl', 1, 2]],
    );
    const again = await api('/dead-letters/skip', { method: 'POST', body: { eventId: skipped } });
    assert.equal(again.status, 404);
  });

  it('replays every dead letter since a time, pages the list, and explains bad requests', async () => {
    refuseNext();
    const since = new Date(Date.now() - 1000).toISOString();
    const ids = await h.outbox.add(['dora', 'ed', 'fay']);
    await eventually(
      async () => (await api('/dead-letters')).body.deadLetters.length === 3,
      10_000,
      'three dead letters',
    );
    const page1 = await api('/dead-letters?limit=2');
    assert.equal(page1.body.deadLetters.length, 2);
    const page2 = await api(`/dead-letters?limit=2&cursor=${page1.body.nextCursor}`);
    assert.equal(page2.body.deadLetters.length, 1);
    assert.equal(page2.body.nextCursor, null);
    const paged = [...page1.body.deadLetters, ...page2.body.deadLetters].map(
      (d: { eventId: string }) => d.eventId,
    );
    assert.deepEqual(paged.sort(), [...ids].sort());

    assert.equal((await api('/dead-letters/replay', { method: 'POST', body: {} })).status, 400);
    assert.equal(
      (await api('/dead-letters/replay', { method: 'POST', body: { since: 'yesterday' } })).status,
      400,
    );
    assert.equal(
      (await api('/dead-letters/replay', { method: 'POST', body: { eventId: 'evt_nope' } })).status,
      404,
    );
    assert.equal((await api('/dead-letters?cursor=garbage')).status, 400);
    assert.equal((await adminFetch(h.app.url, '/admin/connections/nope/dead-letters')).status, 404);
    assert.equal(
      (await adminFetch(h.app.url, '/admin/connections/acme/dead-letters', { token: null })).status,
      401,
    );

    const replay = await api('/dead-letters/replay', { method: 'POST', body: { since } });
    assert.equal(replay.body.replayed, 3);
    await h.sink.waitFor((s) => ids.every((id) => receivedIds(s).has(id)), 10_000, 'the replayed events');
  });
});

describe('dead letters after the retry window', () => {
  let h: DeliveryHarness;
  before(async () => {
    h = await startDeliveryHarness({ env: { DELIVERY_MAX_RETRY_HOURS: '0' } });
  });
  after(async () => {
    await h.close();
  });

  it('a batch still failing when DELIVERY_MAX_RETRY_HOURS have passed is dead-lettered, and later events wait', async () => {
    h.sink.setDown(true, 503);
    const [id] = await h.outbox.add(['gil']);
    const path = `/admin/connections/${h.connection.id}/dead-letters`;
    await eventually(
      async () => (await adminFetch(h.app.url, path)).body.deadLetters.length === 1,
      10_000,
      'the dead letter',
    );
    const [dead] = (await adminFetch(h.app.url, path)).body.deadLetters;
    assert.equal(dead.eventId, id);
    assert.equal(dead.httpStatus, 503);
    assert.match(dead.reason, /retries exhausted: 1 attempts over 0 h .*Leena AI answered 503/);
    h.sink.setDown(false);
    const [next] = await h.outbox.add(['gil']);
    await sleep(300);
    assert.ok(!receivedIds(h.sink).has(next!), 'held back behind the dead letter');
    await adminFetch(h.app.url, `${path}/replay`, { method: 'POST', body: { eventId: id } });
    await h.sink.waitFor((s) => receivedIds(s).has(next!), 10_000, 'both events after the replay');
    assert.deepEqual(h.sink.state().orderViolations, []);
  });
});
