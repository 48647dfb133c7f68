import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminFetch } from '../helpers/context.js';
import { eventually, startHarness, type Harness } from '../helpers/sync-harness.js';

/** The contract's correctness test: apply every event in sequence order per user, ignoring ids
 * already seen — the result is exactly the tenant's users with their current fields. */
function assertSinkMatchesGraph(h: Harness) {
  const state = h.sink.state();
  assert.deepEqual(state.orderViolations, [], 'per-user order');
  assert.deepEqual(state.changeMismatches, [], 'changes agree with profiles');
  const profiles = h.sink.profiles(h.connectionId);
  const graph = h.sim.listUsers(h.tenantId);
  assert.equal(Object.keys(profiles).length, graph.length);
  for (const u of graph) assert.deepEqual(profiles[u.id], { ...u }, `user ${u.id}`);
}

describe('end to end: Graph changes reach Leena AI, signed, in order, exactly as Graph has them', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ users: 120 });
  });
  after(async () => {
    await h?.close();
  });

  it('initial sync arrives at the sink, signed as Standard Webhooks', async () => {
    await h.sink.waitFor((s) => s.events.length >= 120, 30_000);
    assertSinkMatchesGraph(h);
    // The sink checks the bearer key and the Standard Webhooks signature before recording.
    assert.deepEqual(h.sink.rejected, []);
    const batch = h.sink.batches[0]!;
    assert.ok(batch.events.length <= 100);
    assert.ok(batch.webhookId);
  });

  it('a mix of changes converges exactly, per-user order kept', async () => {
    const users = h.sim.listUsers(h.tenantId);
    for (const u of users.slice(0, 30)) h.sim.updateUser(h.tenantId, u.id, { jobTitle: `Mixed ${u.id.slice(0, 4)}` });
    for (const u of users.slice(30, 35)) h.sim.softDeleteUser(h.tenantId, u.id);
    for (const u of users.slice(35, 38)) h.sim.hardDeleteUser(h.tenantId, u.id);
    h.sim.restoreUser(h.tenantId, users[30]!.id);
    for (let i = 0; i < 5; i++) h.sim.createUser(h.tenantId, { displayName: `Hire ${i}`, givenName: 'Hire', surname: String(i) });
    h.sim.setManager(h.tenantId, users[40]!.id, users[41]!.id);
    for (const u of users.slice(0, 10)) h.sim.updateUser(h.tenantId, u.id, { department: 'Second wave' });
    await eventually('converged', () => {
      try {
        assertSinkMatchesGraph(h);
        return true;
      } catch {
        return false;
      }
    }, 30_000);
    assertSinkMatchesGraph(h);
  });

  it('status reports a healthy connection with its subscription, notification and delivery times', async () => {
    const res = await adminFetch(h.service.url, '/admin/connections/contoso/status');
    assert.equal(res.status, 200);
    const s = res.body;
    assert.equal(s.health, 'ok', JSON.stringify(s.problems));
    assert.equal(s.subscriptions.find((x: { kind: string }) => x.kind === 'users').active, true);
    assert.ok(s.sync.lastNotificationAt);
    assert.ok(s.sync.lastDeltaAt);
    assert.equal(s.delivery.backlog, 0);
    assert.equal(s.delivery.deadLetters, 0);
    assert.ok(s.delivery.lastDeliveredAt);
    assert.equal(s.sync.usersInLeena, h.sim.listUsers(h.tenantId).length);
  });
});
