import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminFetch } from '../helpers/context.js';
import { eventually, settled, startHarness, type Harness } from '../helpers/sync-harness.js';
import { outbox, sentProfiles } from '../sync/outbox-reader.js';

/** The exact differences between Graph and what Leena AI has: the oracle for a run's counts. */
async function expectedDiff(h: Harness) {
  const sent = await sentProfiles(h.db.database);
  const graph = h.sim.listUsers(h.tenantId);
  let created = 0;
  let updated = 0;
  for (const u of graph) {
    const s = sent.get(u.id);
    if (!s) created += 1;
    else if (Object.entries(u).some(([k, v]) => JSON.stringify(s[k]) !== JSON.stringify(v))) updated += 1;
  }
  const ids = new Set(graph.map((u) => u.id));
  const deleted = [...sent.keys()].filter((id) => !ids.has(id)).length;
  return { created, updated, deleted, unchanged: graph.length - created - updated };
}

async function runToEnd(h: Harness, body: Record<string, unknown> = {}) {
  const started = await adminFetch(h.service.url, `/admin/connections/contoso/reconcile`, { method: 'POST', body });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const runId = started.body.runId as string;
  let run: Record<string, unknown> = {};
  await eventually('run ends', async () => {
    run = (await adminFetch(h.service.url, `/admin/reconcile-runs/${runId}`)).body;
    return ['succeeded', 'failed', 'blocked', 'cancelled'].includes(run.status as string);
  }, 30_000);
  return run;
}

/** Sent state (what Leena AI has) equals Graph's in-scope users, field for field. */
async function assertConverged(h: Harness) {
  const sent = await sentProfiles(h.db.database);
  const graph = h.sim.listUsers(h.tenantId);
  assert.equal(sent.size, graph.length, 'same set of users');
  for (const u of graph) {
    const s = sent.get(u.id);
    assert.ok(s, `user ${u.id} missing`);
    for (const f of ['displayName', 'jobTitle', 'department', 'officeLocation', 'mail', 'accountEnabled', 'managerId'] as const) {
      assert.deepEqual(s[f], u[f], `${u.id}.${f}`);
    }
  }
}

describe('reconcile', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ users: 300, env: { RECONCILE_MAX_DELETE_PERCENT: '10', RECONCILE_MAX_DELETE_FLOOR: '5' } });
    await eventually('initial sync', async () => (await outbox(h.db.database, h.connectionId)).length === 300, 30_000);
    await settled(h);
  });
  after(async () => {
    await h?.close();
  });

  it('a dry run computes the drift and sends nothing', async () => {
    h.sim.faults.suppressNotifications = true;
    const users = h.sim.listUsers(h.tenantId);
    for (const u of users.slice(0, 7)) h.sim.updateUser(h.tenantId, u.id, { jobTitle: `Drifted ${u.id.slice(0, 5)}` });
    for (const u of users.slice(10, 13)) h.sim.hardDeleteUser(h.tenantId, u.id);
    for (let i = 0; i < 4; i++) h.sim.createUser(h.tenantId, { displayName: `Quiet hire ${i}`, givenName: 'Quiet', surname: `Hire${i}` });
    const before = (await outbox(h.db.database, h.connectionId)).length;
    const expected = await expectedDiff(h);
    assert.equal(expected.created, 4);
    assert.equal(expected.deleted, 3);
    assert.ok(expected.updated >= 7, 'the 7 drifted users, plus reports of deleted managers');
    const run = await runToEnd(h, { dryRun: true });
    assert.equal(run.status, 'succeeded');
    assert.deepEqual([run.created, run.updated, run.deleted, run.unchanged], [expected.created, expected.updated, expected.deleted, expected.unchanged]);
    assert.match(String(run.message), /dry run: nothing was sent/);
    assert.equal((await outbox(h.db.database, h.connectionId)).length, before);
  });

  it('a forced reconcile repairs the drift with exact counts, source reconcile', async () => {
    const before = (await outbox(h.db.database, h.connectionId)).length;
    const expected = await expectedDiff(h);
    const run = await runToEnd(h);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.deepEqual([run.created, run.updated, run.deleted, run.unchanged], [expected.created, expected.updated, expected.deleted, expected.unchanged]);
    assert.equal(run.usersSeen, 301);
    assert.ok((run.graphRequests as number) >= 2);
    const added = (await outbox(h.db.database, h.connectionId)).slice(before);
    assert.equal(added.length, expected.created + expected.updated + expected.deleted);
    assert.ok(added.every((e) => e.source === 'reconcile'));
    const drifted = new Set(h.sim.listUsers(h.tenantId).filter((u) => u.jobTitle?.startsWith('Drifted')).map((u) => u.id));
    assert.equal(drifted.size, 7);
    for (const e of added.filter((x) => drifted.has(x.userId))) assert.ok(e.changes?.jobTitle, 'jobTitle change sent');
    await assertConverged(h);
    h.sim.faults.suppressNotifications = false;
    const again = await runToEnd(h);
    assert.deepEqual([again.created, again.updated, again.deleted], [0, 0, 0], 'nothing left to repair');
  });

  it('blocks a run that would delete 50%, sends nothing, and goes ahead once approved', async () => {
    await settled(h); // the previous run's catch-up round is done: only the reconcile sees what follows
    h.sim.faults.suppressNotifications = true;
    const users = h.sim.listUsers(h.tenantId);
    const half = users.slice(0, Math.floor(users.length / 2));
    for (const u of half) h.sim.hardDeleteUser(h.tenantId, u.id);
    const before = (await outbox(h.db.database, h.connectionId)).length;
    const run = await runToEnd(h);
    assert.equal(run.status, 'blocked', JSON.stringify(run));
    assert.equal(run.deleted, half.length, JSON.stringify(run));
    assert.match(String(run.message), new RegExp(`would delete ${half.length} of the 301 users`));
    assert.match(String(run.message), /approve: POST \/admin\/reconcile-runs\//);
    assert.equal((await outbox(h.db.database, h.connectionId)).length, before, 'nothing sent while blocked');

    const approved = await adminFetch(h.service.url, `/admin/reconcile-runs/${run.runId}/approve`, { method: 'POST' });
    assert.equal(approved.status, 202);
    await eventually('approved run finishes', async () => (await adminFetch(h.service.url, `/admin/reconcile-runs/${run.runId}`)).body.status === 'succeeded', 30_000);
    const done = (await adminFetch(h.service.url, `/admin/reconcile-runs/${run.runId}`)).body;
    assert.equal(done.deleted, half.length);
    const added = (await outbox(h.db.database, h.connectionId)).slice(before);
    const deletions = added.filter((e) => e.type === 'user.deleted');
    assert.equal(deletions.length, half.length);
    assert.ok(deletions.every((e) => e.reason === 'deleted'));
    // Everyone else who changed lost a deleted manager: that is the only change they may carry.
    assert.ok(added.filter((e) => e.type !== 'user.deleted').every((e) => Object.keys(e.changes!).join() === 'managerId'));
    h.sim.faults.suppressNotifications = false;
    await assertConverged(h);
  });

  it('cancel ends a blocked run; approve of a finished run is refused', async () => {
    await settled(h);
    h.sim.faults.suppressNotifications = true;
    for (const u of h.sim.listUsers(h.tenantId).slice(0, 60)) h.sim.hardDeleteUser(h.tenantId, u.id);
    const run = await runToEnd(h);
    assert.equal(run.status, 'blocked');
    const cancelled = await adminFetch(h.service.url, `/admin/reconcile-runs/${run.runId}/cancel`, { method: 'POST' });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal((await adminFetch(h.service.url, `/admin/reconcile-runs/${run.runId}/approve`, { method: 'POST' })).status, 409);
    assert.equal((await adminFetch(h.service.url, `/admin/reconcile-runs/00000000-0000-0000-0000-000000000000`)).status, 404);
    h.sim.faults.suppressNotifications = false;
    // The deletions are real: the next run blocks again until someone approves it.
    const next = await runToEnd(h);
    assert.equal(next.status, 'blocked');
    await adminFetch(h.service.url, `/admin/reconcile-runs/${next.runId}/approve`, { method: 'POST' });
    await eventually('approved', async () => (await adminFetch(h.service.url, `/admin/reconcile-runs/${next.runId}`)).body.status === 'succeeded', 30_000);
    await assertConverged(h);
  });

  it('one-user sync re-reads a user and reports what it did', async () => {
    await settled(h);
    h.sim.faults.suppressNotifications = true;
    const u = h.sim.listUsers(h.tenantId)[0]!;
    h.sim.updateUser(h.tenantId, u.id, { department: 'Manual Dept' });
    const res = await adminFetch(h.service.url, `/admin/connections/contoso/users/${u.id}/sync`, { method: 'POST' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.action, 'updated');
    assert.equal(res.body.event.source, 'manual');
    assert.deepEqual(res.body.event.changes, { department: { old: u.department, new: 'Manual Dept' } });
    const again = await adminFetch(h.service.url, `/admin/connections/contoso/users/${u.id}/sync`, { method: 'POST' });
    assert.equal(again.body.action, 'unchanged');
    h.sim.faults.suppressNotifications = false;
  });

  it('a reconcile racing a burst of notifications ends converged', async () => {
    const users = h.sim.listUsers(h.tenantId);
    const started = await adminFetch(h.service.url, `/admin/connections/contoso/reconcile`, { method: 'POST', body: {} });
    for (const u of users.slice(0, 100)) h.sim.updateUser(h.tenantId, u.id, { officeLocation: `Race ${u.id.slice(0, 3)}` });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    let last: unknown;
    await eventually('run done', async () => {
      last = (await adminFetch(h.service.url, `/admin/reconcile-runs/${started.body.runId}`)).body;
      return (last as { status: string }).status === 'succeeded';
    }, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(last)}`);
    });
    await eventually('converged', async () => {
      await assertConverged(h);
      return true;
    }, 20_000);
  });
});
