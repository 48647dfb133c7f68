import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startHarness, type Harness } from '../helpers/sync-harness.js';
import { outbox } from './outbox-reader.js';

describe('bursts and lost delta state', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ users: 1200 });
    await eventually('initial sync', async () => (await outbox(h.db.database, h.connectionId)).length === 1200, 30_000);
    await eventually('subscription', () => h.sim.listSubscriptions(h.tenantId).length === 1);
  });
  after(async () => {
    await h?.close();
  });

  it('resolves a burst of 1,000 changes with a handful of Graph requests', async () => {
    const users = h.sim.listUsers(h.tenantId).slice(0, 1000);
    h.sim.stats.resetStats();
    const started = Date.now();
    for (const u of users) h.sim.updateUser(h.tenantId, u.id, { jobTitle: `Burst ${u.id.slice(0, 6)}` });
    await eventually(
      '1,000 updates',
      async () => (await outbox(h.db.database, h.connectionId)).filter((e) => e.type === 'user.updated').length === 1000,
      30_000,
    );
    const ms = Date.now() - started;
    const graphReads = Object.entries(h.sim.stats.byRoute)
      .filter(([route]) => route.startsWith('GET') || route.startsWith('POST /v1.0/$batch'))
      .reduce((n, [, c]) => n + c, 0);
    console.log(`burst: 1,000 changes -> ${graphReads} Graph read requests, ${h.sim.stats.notificationsSent} notifications, outbox complete in ${ms} ms`);
    assert.ok(graphReads <= 20, `${graphReads} Graph requests for 1,000 changes`);
    const updates = (await outbox(h.db.database, h.connectionId)).filter((e) => e.type === 'user.updated');
    assert.equal(new Set(updates.map((e) => e.userId)).size, 1000, 'one event per changed user');
    assert.ok(updates.every((e) => Object.keys(e.changes ?? {}).join() === 'jobTitle'));
  });

  it('an expired delta token leads to a full resync that sends only the differences', async () => {
    const before = (await outbox(h.db.database, h.connectionId)).length;
    h.sim.faults.suppressNotifications = true;
    const [a, b] = h.sim.listUsers(h.tenantId).slice(1100, 1102);
    h.sim.updateUser(h.tenantId, a!.id, { department: 'Resync Dept' });
    h.sim.hardDeleteUser(h.tenantId, b!.id);
    h.sim.faults.suppressNotifications = false;
    h.sim.expireDeltaTokens(h.tenantId);
    // Any notification triggers a round; the dead token forces the resync.
    const c = h.sim.listUsers(h.tenantId)[1150]!;
    h.sim.updateUser(h.tenantId, c.id, { officeLocation: 'Trigger' });
    await eventually('resync differences', async () => (await outbox(h.db.database, h.connectionId)).length >= before + 3, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    const added = (await outbox(h.db.database, h.connectionId)).slice(before);
    assert.deepEqual(
      added.map((e) => `${e.type}:${e.userId}`).sort(),
      [`user.updated:${a!.id}`, `user.deleted:${b!.id}`, `user.updated:${c.id}`].sort(),
    );
    assert.equal(added.find((e) => e.userId === b!.id)!.reason, 'deleted');
  });
});
