/**
 * Graph on a bad day: answering 429 to half the requests (Retry-After 1 s) from the very first
 * call, and answering every request 2 s late. The first must still converge exactly; during the
 * second the webhook must keep acknowledging in milliseconds, because no Graph call happens on the
 * request path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminFetch } from '../helpers/context.js';
import { send } from './support/http.js';
import {
  assertConverged,
  isConverged,
  lostEvents,
  mixedChanges,
  percentile,
  sleep,
  startWorld,
  waitUntil,
  type World,
} from './support/world.js';

describe('chaos: Graph answers 429 to half the requests', () => {
  let world: World;
  before(async () => {
    world = await startWorld({
      users: 30,
      prepare: (sim) => {
        sim.faults.throttleRate = 0.5;
        sim.faults.retryAfterSeconds = 1;
      },
    });
  });
  after(async () => {
    await world?.close();
  });

  it('initial sync, changes and a reconcile still converge exactly', async () => {
    const started = Date.now();
    await waitUntil(
      'initial sync under throttling',
      () => isConverged(world.sink, world.sim, world.connectionId, world.tenant.tenantId),
      60_000,
    );
    for (let round = 0; round < 12; round++) {
      mixedChanges(world.sim, world.tenant.tenantId, round, 3);
      // Longer than a throttled round's 1 s Retry-After, so each change round makes delta requests
      // of its own: at 400 ms they merged into as few as 11 requests, and "at least 5 answered
      // 429" then failed on chance alone about one run in four.
      await sleep(1_200);
    }
    const run = await adminFetch(world.service.url, `/admin/connections/${world.connectionId}/reconcile`, {
      method: 'POST',
      body: {},
    });
    assert.equal(run.status, 202);
    await waitUntil(
      'reconcile finished',
      async () =>
        (await adminFetch(world.service.url, `/admin/reconcile-runs/${run.body.runId}`)).body.status ===
        'succeeded',
      60_000,
    );
    await waitUntil(
      'converged under throttling',
      () => isConverged(world.sink, world.sim, world.connectionId, world.tenant.tenantId),
      60_000,
    );
    assertConverged(world.sink, world.sim, world.connectionId, world.tenant.tenantId);
    assert.deepEqual(await lostEvents(world.db, world.sink, world.connectionId), []);
    const { requests, throttled } = world.sim.stats;
    assert.ok(throttled >= 5 && throttled >= requests * 0.25, `Graph throttled ${throttled} of ${requests}`);
    console.log(
      `[hardening] chaos, Graph 429 on half the requests: ${throttled} of ${requests} Graph requests answered 429 (${Math.round((100 * throttled) / requests)} %); ` +
        `initial sync, 12 change rounds and a reconcile converged in ${((Date.now() - started) / 1000).toFixed(1)} s, 0 events lost`,
    );
  });
});

describe('chaos: Graph answers every request 2 s late', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ users: 30 });
    await waitUntil(
      'initial sync',
      () => isConverged(world.sink, world.sim, world.connectionId, world.tenant.tenantId),
      30_000,
    );
  });
  after(async () => {
    await world?.close();
  });

  /** Sends `count` valid notifications, `parallel` at a time, and returns each acknowledgement time in ms. */
  async function acks(count: number, parallel: number): Promise<number[]> {
    const sub = world.sim.listSubscriptions(world.tenant.tenantId)[0]!;
    const users = world.sim.listUsers(world.tenant.tenantId);
    const times: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const item = {
          subscriptionId: sub.id,
          clientState: sub.clientState,
          tenantId: world.tenant.tenantId,
          changeType: 'updated',
          resource: `Users/${users[i % users.length]!.id}`,
        };
        const res = await send(world.service.url, {
          path: '/webhooks/graph',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ value: [item] }),
        });
        assert.equal(res.status, 202);
        times.push(res.ms);
        await sleep(10);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return times;
  }

  it('the webhook keeps acknowledging in milliseconds while every Graph call takes 2 s', async () => {
    const baseline = await acks(100, 4);
    world.sim.faults.latencyMs = 2_000;
    const slowFrom = Date.now();
    const requestsBefore = world.sim.stats.requests;
    for (let round = 0; round < 4; round++) mixedChanges(world.sim, world.tenant.tenantId, round, 3);
    await sleep(300);
    const slow = await acks(300, 4);
    // Each Graph call now takes 2 s, so a call started after the slowdown spans the measurement.
    assert.ok(
      world.sim.stats.requests > requestsBefore,
      'Graph was being called (slowly) while the acknowledgements were measured',
    );
    // Far below the 2 s of one Graph call: no Graph call is on the request path. (The figure is printed;
    // the bound leaves room for a loaded CI machine.)
    const p99 = percentile(slow, 99);
    assert.ok(p99 < 500, `webhook p99 ${p99.toFixed(1)} ms under slow Graph`);
    await waitUntil(
      'converged despite the slow Graph',
      () => isConverged(world.sink, world.sim, world.connectionId, world.tenant.tenantId),
      60_000,
    );
    assertConverged(world.sink, world.sim, world.connectionId, world.tenant.tenantId);
    assert.deepEqual(await lostEvents(world.db, world.sink, world.connectionId), []);
    const fmt = (xs: number[]) =>
      `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
    console.log(
      `[hardening] chaos, Graph 2 s slow: webhook acknowledgements ${fmt(slow)} over ${slow.length} notifications ` +
        `(with Graph at full speed: ${fmt(baseline)}); converged ${((Date.now() - slowFrom) / 1000).toFixed(1)} s after Graph slowed down, 0 events lost`,
    );
  });
});
