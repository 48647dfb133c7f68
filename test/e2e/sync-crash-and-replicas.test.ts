import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../helpers/sync-harness.js';
import { startProcessWorld, type ProcessWorld } from '../helpers/process-harness.js';
import { freePort } from '../helpers/service-process.js';
import { outbox } from '../sync/outbox-reader.js';

async function sequencesAreContiguous(world: ProcessWorld): Promise<void> {
  const rows = await sql<{ connection_id: string; user_id: string; seqs: number[] }>`
    SELECT connection_id, user_id, array_agg(sequence ORDER BY id) AS seqs FROM outbox_events GROUP BY 1, 2`.execute(world.db.database.db);
  for (const r of rows.rows) {
    assert.deepEqual(r.seqs, r.seqs.map((_, i) => i + 1), `user ${r.user_id}: sequences ${r.seqs.join(',')}`);
  }
}

describe('sync under kill -9 and with two replicas', () => {
  let world: ProcessWorld;
  before(async () => {
    world = await startProcessWorld();
  });
  after(async () => {
    await world?.close();
  });

  it('a kill -9 during a burst loses and doubles nothing', async () => {
    const tenant = world.addTenant(400);
    let service = await world.start();
    const id = await world.connect(service, 'crashy', tenant);
    await eventually('initial sync', async () => (await outbox(world.db.database, id)).length === 400, 30_000);
    await eventually('subscribed', () => world.sim.listSubscriptions(tenant.tenantId).length === 1);
    const users = world.sim.listUsers(tenant.tenantId);
    for (const u of users) world.sim.updateUser(tenant.tenantId, u.id, { jobTitle: `After crash ${u.id.slice(0, 4)}` });
    await new Promise((r) => setTimeout(r, 250)); // mid-burst: some stored, some being processed
    assert.equal(await service.stop('SIGKILL'), 'SIGKILL');
    service = await world.start();
    await eventually(
      'every update exactly once',
      async () => (await outbox(world.db.database, id)).filter((e) => e.type === 'user.updated').length >= 400,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const updates = (await outbox(world.db.database, id)).filter((e) => e.type === 'user.updated');
    assert.equal(updates.length, 400, 'no doubled event');
    assert.equal(new Set(updates.map((e) => e.userId)).size, 400, 'no lost user');
    await sequencesAreContiguous(world);
    await service.stop('SIGTERM');
  });

  it('two replicas on one database never reuse a sequence number', async () => {
    const a = await world.start();
    const b = await world.start(await freePort());
    const tenants = [world.addTenant(150), world.addTenant(150)];
    const ids = [await world.connect(a, 'rep-a', tenants[0]!), await world.connect(b, 'rep-b', tenants[1]!)];
    for (const id of ids) await eventually('initial', async () => (await outbox(world.db.database, id)).length === 150, 30_000);
    for (let round = 0; round < 5; round++) {
      for (const t of tenants) {
        for (const u of world.sim.listUsers(t.tenantId).slice(0, 60)) {
          world.sim.updateUser(t.tenantId, u.id, { officeLocation: `Floor ${round}` });
        }
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    for (const id of ids) {
      await eventually(
        'last round applied',
        async () => (await outbox(world.db.database, id)).filter((e) => e.user?.officeLocation === 'Floor 4').length === 60,
        30_000,
      );
    }
    await sequencesAreContiguous(world);
    const rounds = [a, b].map((p) => p.output.filter((l) => l.includes('delta round done')).length);
    assert.ok(rounds[0]! > 0 && rounds[1]! > 0, `both replicas ran rounds: ${rounds.join(' / ')}`);
  });
});
