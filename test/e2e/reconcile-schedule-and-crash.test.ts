import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminFetch } from '../helpers/context.js';
import { startProcessWorld, type ProcessWorld } from '../helpers/process-harness.js';
import { freePort } from '../helpers/service-process.js';
import { eventually } from '../helpers/sync-harness.js';
import { outbox } from '../sync/outbox-reader.js';

describe('reconcile across replicas and crashes', () => {
  let world: ProcessWorld;
  before(async () => {
    world = await startProcessWorld();
  });
  after(async () => {
    await world?.close();
  });

  it('a schedule fires once per slot with two replicas running', async () => {
    const every3s = { RECONCILE_CRON: '*/3 * * * * *' };
    const a = await world.start(undefined, every3s);
    const b = await world.start(await freePort(), every3s);
    const tenant = world.addTenant(20);
    const id = await world.connect(a, 'scheduled', tenant);
    await eventually('initial', async () => (await outbox(world.db.database, id)).length === 20, 30_000);
    await new Promise((r) => setTimeout(r, 10_000));
    await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);
    const fires = await world.db.database.db.selectFrom('schedule_fires').selectAll().execute();
    const runs = await world.db.database.db.selectFrom('reconcile_runs').selectAll().where('trigger', '=', 'schedule').execute();
    const firedBy = new Set(fires.map((f) => f.fired_by));
    console.log(`schedule: ${fires.length} slots fired (by ${firedBy.size} replicas), ${runs.length} scheduled runs`);
    assert.ok(fires.length >= 3, `${fires.length} slots fired`);
    // Runs queued after the connection existed: one per slot, never two for the same slot.
    const slotsWithConnection = fires.filter((f) => f.fired_at.getTime() > runs[0]!.requested_at.getTime() - 1000).length;
    assert.ok(runs.length >= slotsWithConnection - 1 && runs.length <= slotsWithConnection, `${runs.length} runs for ${slotsWithConnection} slots`);
    // The replicas were stopped right after a slot: its run may not have finished; all others did.
    const unfinished = runs.filter((r) => r.status !== 'succeeded');
    assert.ok(unfinished.length <= 1, `unfinished runs: ${unfinished.map((r) => r.status).join(', ')}`);
    const updates = (await outbox(world.db.database, id)).length;
    assert.equal(updates, 20, 'nothing drifted, so scheduled runs sent nothing');
  });

  it('a run interrupted by kill -9 is picked up again and finishes', async () => {
    const tenant = world.addTenant(10_000);
    let service = await world.start();
    const id = await world.connect(service, 'big', tenant);
    await eventually('initial', async () => (await outbox(world.db.database, id)).length === 10_000, 90_000);
    world.sim.faults.latencyMs = 700; // 11 list pages: a scan of several seconds
    const started = await adminFetch(service.url, '/admin/connections/big/reconcile', { method: 'POST', body: {} });
    const runId = started.body.runId as string;
    await eventually('scanning', async () => (await adminFetch(service.url, `/admin/reconcile-runs/${runId}`)).body.pagesRead >= 2, 30_000);
    assert.equal(await service.stop('SIGKILL'), 'SIGKILL');
    world.sim.faults.latencyMs = 0;
    service = await world.start();
    let run: Record<string, unknown> = {};
    await eventually('finished after restart', async () => {
      run = (await adminFetch(service.url, `/admin/reconcile-runs/${runId}`)).body;
      return run.status === 'succeeded';
    }, 60_000);
    assert.equal(run.attempts, 2, 'restarted once');
    assert.equal(run.usersSeen, 10_000);
    assert.deepEqual([run.created, run.updated, run.deleted, run.unchanged], [0, 0, 0, 10_000]);
    await service.stop('SIGTERM');
  });
});
