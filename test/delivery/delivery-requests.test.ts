import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { deliveryStatus } from '../../src/delivery/delivery-status.js';
import { adminFetch } from '../helpers/context.js';
import { startCaptureServer, type CaptureServer } from './capture-server.js';
import {
  type DeliveryHarness,
  eventually,
  receivedIds,
  SINK_API_KEY,
  startDeliveryHarness,
} from './delivery-harness.js';

describe('delivery requests', () => {
  let h: DeliveryHarness;
  let capture: CaptureServer;
  before(async () => {
    capture = await startCaptureServer();
    h = await startDeliveryHarness({ leenaUrl: capture.url });
  });
  after(async () => {
    await h.close();
    await capture.close();
  });

  it('are signed so that the official standardwebhooks verifier accepts them, with the bearer key', async () => {
    const ids = await h.outbox.add(['alice', 'bob', 'alice']);
    await eventually(() => capture.requests.length >= 1, 10_000, 'a request');
    const request = capture.requests[0]!;
    const headers = request.headers as Record<string, string>;
    const verified = new Webhook(h.signingSecret).verify(request.body, headers) as {
      events: Array<{ id: string }>;
    };
    // A user's events stay together, in sequence order: alice 1, alice 2, then bob.
    assert.deepEqual(
      verified.events.map((e) => e.id),
      [ids[0], ids[2], ids[1]],
    );
    assert.equal(headers.authorization, `Bearer ${SINK_API_KEY}`);
    assert.equal(headers['content-type'], 'application/json');
    assert.match(headers['webhook-id']!, /^msg_/);
    assert.ok(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000) < 10);
    // A tampered body or another secret is refused by the same verifier.
    assert.throws(() =>
      new Webhook(h.signingSecret).verify(request.body.replace('alice', 'mallory'), headers),
    );
  });

  it('a retry resends the identical body under the same webhook-id, freshly signed', async () => {
    capture.requests.length = 0;
    capture.answer = (_request, index) => (index === 0 ? { status: 503 } : { status: 204 });
    await h.outbox.add(['carol', 'dave']);
    await eventually(() => capture.requests.length >= 2, 10_000, 'a retry');
    const [first, retry] = capture.requests as [(typeof capture.requests)[0], (typeof capture.requests)[0]];
    assert.equal(retry.headers['webhook-id'], first.headers['webhook-id']);
    assert.equal(retry.body, first.body);
    const headers = retry.headers as Record<string, string>;
    assert.doesNotThrow(() => new Webhook(h.signingSecret).verify(retry.body, headers));
    await eventually(
      async () =>
        (
          await h.app.ctx.database.db
            .selectFrom('delivery_queue')
            .select('outbox_id')
            .where('dead', '=', false)
            .execute()
        ).length === 0,
      5_000,
      'events marked delivered',
    );
  });

  it('does not follow a redirect: a 3xx is a failure, retried at the same URL', async () => {
    capture.requests.length = 0;
    let redirected = 0;
    capture.answer = (_request, index) => {
      if (index > 0) return { status: 200 };
      redirected += 1;
      return { status: 307, headers: { location: 'http://169.254.169.254/latest/meta-data' } };
    };
    await h.outbox.add(['erin']);
    await eventually(() => capture.requests.length >= 2, 10_000, 'the retry after a redirect');
    assert.equal(redirected, 1);
    assert.equal(capture.requests[1]!.headers['webhook-id'], capture.requests[0]!.headers['webhook-id']);
    assert.equal(capture.requests.length, 2, 'nothing else was requested');
  });

  it('uses a rotated API key from the next batch on (cached secrets follow connections.updated_at)', async () => {
    capture.requests.length = 0;
    capture.answer = () => ({ status: 200 });
    await h.outbox.add(['key-before']);
    await eventually(() => capture.requests.length >= 1, 10_000, 'a request with the old key');
    const patched = await adminFetch(h.app.url, '/admin/connections/acme', {
      method: 'PATCH',
      body: { leena: { apiKey: 'rotated-api-key-0123456789' } },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    await h.outbox.add(['key-after']);
    await eventually(() => capture.requests.length >= 2, 10_000, 'a request with the new key');
    assert.equal(capture.requests[0]!.headers.authorization, `Bearer ${SINK_API_KEY}`);
    assert.equal(capture.requests[1]!.headers.authorization, 'Bearer rotated-api-key-0123456789');
  });

  it('re-checks the URL before every attempt: a private address is refused, retried, and said why', async () => {
    capture.requests.length = 0;
    const db = h.app.ctx.database.db;
    const { leena_url: url } = await db
      .selectFrom('connections')
      .select('leena_url')
      .where('id', '=', h.connection.id)
      .executeTakeFirstOrThrow();
    // Written behind the API's back (an old row, a changed policy): the dispatcher still refuses it.
    await db
      .updateTable('connections')
      .set({ leena_url: 'https://10.1.2.3/events', updated_at: new Date() })
      .where('id', '=', h.connection.id)
      .execute();
    await h.outbox.add(['private']);
    await eventually(
      async () => (await deliveryStatus(db, h.connection.id)).lastError !== null,
      10_000,
      'the refusal',
    );
    const status = await deliveryStatus(db, h.connection.id);
    assert.match(status.lastError!.message, /private network address \(10\.1\.2\.3\)/);
    assert.equal(capture.requests.length, 0);
    await db
      .updateTable('connections')
      .set({ leena_url: url, updated_at: new Date() })
      .where('id', '=', h.connection.id)
      .execute();
    await eventually(() => capture.requests.length >= 1, 10_000, 'delivery once the URL is fixed');
  });

  it('keeps at most DELIVERY_CONCURRENCY batches in flight', async () => {
    capture.requests.length = 0;
    capture.answer = () => ({ status: 200 });
    capture.latencyMs = 150;
    const ids = await h.outbox.addSpread(1200, 1200, 'parallel');
    await eventually(
      () =>
        new Set(capture.requests.flatMap((r) => JSON.parse(r.body).events.map((e: { id: string }) => e.id)))
          .size === ids.length,
      20_000,
      'all events',
    );
    assert.ok(capture.maxInFlight <= 4, `max in flight ${capture.maxInFlight}`);
    assert.ok(capture.maxInFlight >= 2, `batches were pipelined (max in flight ${capture.maxInFlight})`);
    capture.latencyMs = 0;
  });
});

describe('delivery to the Leena AI sink', () => {
  let h: DeliveryHarness;
  before(async () => {
    h = await startDeliveryHarness();
  });
  after(async () => {
    await h.close();
  });

  it('delivers every event once, per-user order kept, at most 100 per batch, consecutive events of a user together', async () => {
    const ids = await h.outbox.addSpread(1000, 37);
    await h.sink.waitFor((s) => receivedIds(s).size === ids.length, 15_000, 'all events');
    const state = h.sink.state();
    assert.deepEqual(state.orderViolations, []);
    assert.deepEqual(state.webhookIdConflicts, []);
    assert.deepEqual(state.changeMismatches, []);
    assert.equal(state.duplicates, 0);
    assert.equal(h.sink.rejected.length, 0, JSON.stringify(h.sink.rejected[0]));
    assert.ok(h.sink.batches.every((b) => b.events.length <= 100));
    // Full batches, give or take a few formed while the outbox was still being filled.
    assert.ok(h.sink.batches.length <= 20, `${h.sink.batches.length} batches for 1000 events`);
  });
});
