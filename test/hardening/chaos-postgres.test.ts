/**
 * Postgres unavailable under load. The shared CI Postgres cannot be restarted (other test files
 * use it), so the replica under test reaches it through a TCP proxy this test controls: cutting
 * the proxy kills every connection and refuses new ones, exactly what the service sees while its
 * Postgres restarts. Readiness turns 503 and back to 200; a notification that cannot be stored is
 * answered 503 (Graph retries), never 202; every 202 was durably stored; the process never exits;
 * and everything changed during the outage reaches Leena AI afterwards.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ServiceProcess } from '../helpers/service-process.js';
import { startFleet, type Fleet } from './support/fleet.js';
import { send } from './support/http.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import {
  addTenant,
  assertConverged,
  connect,
  isConverged,
  lostEvents,
  mixedChanges,
  sleep,
  waitUntil,
} from './support/world.js';

const OUTAGE_MS = 6_000;

describe('chaos: Postgres unavailable during load', () => {
  let fleet: Fleet;
  let pg: TcpProxy;
  let replica: ServiceProcess;
  let tenant: ReturnType<typeof addTenant>;
  let connectionId = '';

  before(async () => {
    pg = await startTcpProxy([]);
    fleet = await startFleet({
      databaseUrl: (url) => {
        const u = new URL(url);
        pg.targets = [{ host: u.hostname, port: Number(u.port || 5432) }];
        u.hostname = '127.0.0.1';
        u.port = String(pg.port);
        return u.toString();
      },
    });
    tenant = addTenant(fleet.sim, 30, 11);
    replica = await fleet.start();
    connectionId = await connect(fleet.url, 'pg-chaos', tenant, fleet.sink.url);
    await waitUntil(
      'initial sync',
      () => isConverged(fleet.sink, fleet.sim, connectionId, tenant.tenantId),
      30_000,
    );
  });
  after(async () => {
    await fleet?.close();
    await pg?.close();
  });

  it('readyz 503 then 200, notifications 503 (never 202) while Postgres is away, nothing lost', async () => {
    const subscription = fleet.sim.listSubscriptions(tenant.tenantId)[0]!;
    const users = fleet.sim.listUsers(tenant.tenantId);
    let stop = false;
    let cutAt = 0;
    let restoredAt = 0;
    const ready: Array<{ at: number; status: number }> = [];
    const acks: Array<{
      at: number;
      status: number;
      resource: string;
      retryAfter: string | undefined;
      known: boolean;
    }> = [];

    const probe = (async () => {
      while (!stop) {
        const res = await send(replica.url, { method: 'GET', path: '/readyz' });
        ready.push({ at: Date.now(), status: res.status });
        await sleep(100);
      }
    })();
    // Graph's own notifications keep coming (the simulator retries what is not acknowledged) ...
    const changes = (async () => {
      for (let round = 0; !stop; round++) {
        mixedChanges(fleet.sim, tenant.tenantId, round, 2);
        await sleep(300);
      }
    })();
    // ... and so do notifications we send ourselves, each for a resource of its own; every fourth
    // from a subscription id the replica has not cached, so checking it needs Postgres too.
    const notify = (async () => {
      for (let i = 0; !stop; i++) {
        const known = i % 4 !== 0;
        const resource = `Users/${known ? randomUUID() : users[i % users.length]!.id}`;
        const item = {
          subscriptionId: known ? subscription.id : randomUUID(),
          clientState: subscription.clientState,
          tenantId: tenant.tenantId,
          changeType: 'updated',
          resource,
        };
        const res = await send(replica.url, {
          path: '/webhooks/graph',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ value: [item] }),
        });
        acks.push({
          at: Date.now(),
          status: res.status,
          resource: resource.toLowerCase(),
          retryAfter: res.headers['retry-after'] as string | undefined,
          known,
        });
        await sleep(40);
      }
    })();

    try {
      await sleep(2_000);
      cutAt = Date.now();
      pg.cut();
      await sleep(OUTAGE_MS);
      pg.restore();
      restoredAt = Date.now();
      await waitUntil('ready again', () => ready.some((r) => r.at > restoredAt && r.status === 200), 20_000);
      await sleep(1_500);
    } finally {
      stop = true;
      pg.restore();
      await Promise.all([probe, changes, notify]);
    }
    assert.equal(
      replica.proc.exitCode,
      null,
      `the replica is still running:\n${replica.output.slice(-20).join('\n')}`,
    );

    // Readiness followed Postgres.
    const firstNotReady = ready.find((r) => r.at > cutAt && r.status === 503);
    assert.ok(firstNotReady && firstNotReady.at < cutAt + 3_000, 'readyz turned 503 within 3 s of the cut');
    const readyAgain = ready.find((r) => r.at > restoredAt && r.status === 200)!;
    assert.ok(
      ready.filter((r) => r.at > cutAt + 3_000 && r.at < restoredAt).every((r) => r.status === 503),
      'readyz stayed 503 while Postgres was away',
    );

    // While Postgres was certainly away, every notification got 503 with Retry-After, none 202.
    const during = acks.filter((a) => a.at > cutAt + 500 && a.at < restoredAt);
    assert.ok(during.length > 20, `${during.length} notifications sent during the outage`);
    assert.deepEqual([...new Set(during.map((a) => a.status))], [503], 'only 503 while Postgres was away');
    assert.ok(
      during.every((a) => a.retryAfter !== undefined),
      'with Retry-After',
    );
    assert.ok(
      during.some((a) => !a.known) && during.some((a) => a.known),
      'cached and uncached subscriptions both',
    );
    // Every 202, before, during or after: durably stored.
    const stored = new Set(
      (
        await fleet.db.database.db
          .selectFrom('notifications')
          .select('resource')
          .where('connection_id', '=', connectionId)
          .execute()
      ).map((r) => r.resource),
    );
    const acked = acks.filter((a) => a.status === 202 && a.known);
    assert.deepEqual(
      acked.filter((a) => !stored.has(a.resource)).map((a) => a.resource),
      [],
      'a 202 that was not stored',
    );
    assert.ok(
      acks.filter((a) => a.at > readyAgain.at).some((a) => a.status === 202),
      'acknowledging again after the outage',
    );

    // Graph's retried notifications (and the polling safety net) bring every change to Leena AI.
    await waitUntil(
      'converged after the outage',
      () => isConverged(fleet.sink, fleet.sim, connectionId, tenant.tenantId),
      40_000,
    );
    const convergedAt = Date.now();
    assertConverged(fleet.sink, fleet.sim, connectionId, tenant.tenantId);
    assert.deepEqual(await lostEvents(fleet.db, fleet.sink, connectionId), []);
    assert.equal(replica.proc.exitCode, null, 'the replica never exited');
    assert.equal((await send(replica.url, { method: 'GET', path: '/healthz' })).status, 200);
    console.log(
      `[hardening] chaos, Postgres away ${(OUTAGE_MS / 1000).toFixed(0)} s under load: readyz 503 after ${firstNotReady.at - cutAt} ms, ` +
        `200 again ${readyAgain.at - restoredAt} ms after it came back; ${during.length} notifications during the outage all answered 503 ` +
        `(0 × 202); ${acked.length} acknowledged notifications all stored; converged ${((convergedAt - restoredAt) / 1000).toFixed(1)} s after Postgres came back, 0 events lost, no crash, no restart`,
    );
  });
});
