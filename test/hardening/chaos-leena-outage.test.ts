/**
 * Leena AI down for a sustained outage while the directory keeps changing. The backoff is
 * shortened by configuration (DELIVERY_BACKOFF_BASE_MS / DELIVERY_BACKOFF_MAX_MS) so the test
 * stays short; the retry window (72 h) is untouched. Every event is delivered afterwards, in
 * order, none lost, none dead-lettered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminFetch } from '../helpers/context.js';
import {
  assertConverged,
  isConverged,
  lostEvents,
  mixedChanges,
  outboxCount,
  sleep,
  startWorld,
  waitUntil,
  type World,
} from './support/world.js';

const OUTAGE_MS = 15_000;

describe('chaos: Leena AI down for a sustained outage', () => {
  let world: World;
  before(async () => {
    world = await startWorld({
      users: 30,
      env: { DELIVERY_BACKOFF_BASE_MS: '200', DELIVERY_BACKOFF_MAX_MS: '2000' },
    });
    await waitUntil(
      'initial sync',
      () => isConverged(world.sink, world.sim, world.connectionId, world.tenant.tenantId),
      30_000,
    );
  });
  after(async () => {
    await world?.close();
  });

  it(`absorbs ${OUTAGE_MS / 1000} s of 503s with changes flowing, then delivers every event`, async () => {
    const eventsBefore = await outboxCount(world.db, world.connectionId);
    world.sink.setDown(true, 503);
    const downAt = Date.now();
    for (let round = 0; Date.now() - downAt < OUTAGE_MS; round++) {
      mixedChanges(world.sim, world.tenant.tenantId, round, 3);
      await sleep(500);
    }
    const during = await adminFetch(world.service.url, `/admin/connections/${world.connectionId}/delivery`);
    assert.ok(during.body.backlog > 0, 'a backlog built up');
    assert.match(during.body.lastError.message, /Leena AI answered 503/);
    assert.equal(during.body.deadLetters, 0);
    const queued = (await outboxCount(world.db, world.connectionId)) - eventsBefore;
    const refused = world.sink.faulted.length;
    assert.ok(refused > 5, `delivery kept trying during the outage (${refused} attempts refused)`);
    world.sink.setDown(false);
    const upAt = Date.now();

    await waitUntil(
      'every event delivered after the outage',
      () => isConverged(world.sink, world.sim, world.connectionId, world.tenant.tenantId),
      30_000,
    );
    const drainedMs = Date.now() - upAt;
    assertConverged(world.sink, world.sim, world.connectionId, world.tenant.tenantId);
    // Converged can come before the last superseded events arrive: drain, then count losses.
    await waitUntil(
      'backlog empty',
      async () =>
        (await adminFetch(world.service.url, `/admin/connections/${world.connectionId}/delivery`)).body
          .backlog === 0,
      10_000,
    );
    assert.deepEqual(await lostEvents(world.db, world.sink, world.connectionId), []);
    const status = await adminFetch(world.service.url, `/admin/connections/${world.connectionId}/delivery`);
    assert.equal(status.body.deadLetters, 0);
    console.log(
      `[hardening] chaos, Leena AI down ${((upAt - downAt) / 1000).toFixed(1)} s: ${queued} events queued meanwhile, ${refused} delivery attempts refused, ` +
        `all delivered ${(drainedMs / 1000).toFixed(1)} s after it came back (backoff 200 ms–2 s), 0 lost, 0 dead letters, ${world.sink.state().orderViolations.length} order violations`,
    );
  });
});
