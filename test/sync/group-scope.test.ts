import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { GraphSimulator } from '../../src/simulator/graph-simulator.js';
import { eventually, startHarness, type Harness } from '../helpers/sync-harness.js';
import { eventsFor, outbox } from './outbox-reader.js';

const ROOT = randomUUID();
const NESTED = randomUUID();

function buildGroups(sim: GraphSimulator, tenantId: string) {
  const users = sim.listUsers(tenantId);
  sim.createGroup(tenantId, { id: ROOT, displayName: 'Trial group' });
  sim.createGroup(tenantId, { id: NESTED, displayName: 'Trial subgroup' });
  sim.addMember(tenantId, ROOT, users[0]!.id);
  sim.addMember(tenantId, ROOT, users[1]!.id);
  sim.addMember(tenantId, ROOT, NESTED);
  sim.addMember(tenantId, NESTED, users[2]!.id);
}

for (const mode of ['polling', 'subscription'] as const) {
  describe(`group-scoped sync (${mode} mode)`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({
        users: 10,
        groupId: ROOT,
        roles: mode === 'subscription' ? ['User.Read.All', 'GroupMember.Read.All', 'Group.Read.All'] : undefined,
        env: { GROUP_POLL_SECONDS: mode === 'polling' ? '1' : '300' },
        prepare: buildGroups,
      });
    });
    after(async () => {
      await h?.close();
    });

    it('sends only the transitive members on the initial sync', async () => {
      const users = h.sim.listUsers(h.tenantId);
      await eventually('3 members', async () => (await outbox(h.db.database, h.connectionId)).length === 3);
      await new Promise((r) => setTimeout(r, 300));
      const events = await outbox(h.db.database, h.connectionId);
      assert.deepEqual(events.map((e) => e.userId).sort(), [users[0]!.id, users[1]!.id, users[2]!.id].sort());
      assert.ok(events.every((e) => e.type === 'user.created'));
    });

    it(`${mode === 'polling' ? 'polls groups/delta after the 403 on the groups subscription' : 'subscribes to groups'}`, async () => {
      await eventually('groups subscription row settled', async () => {
        const row = await h.db.database.db.selectFrom('subscriptions').selectAll().where('kind', '=', 'groups').executeTakeFirstOrThrow();
        return mode === 'polling' ? row.mode === 'polling' : row.graph_subscription_id !== null;
      });
      const resources = h.sim.listSubscriptions(h.tenantId).map((s) => s.resource.toLowerCase()).sort();
      assert.deepEqual(resources, mode === 'polling' ? ['users'] : ['groups', 'users']);
      if (mode === 'polling') {
        const warnings = h.logs.filter((l) => l.includes('lacks Group.Read.All'));
        assert.equal(warnings.length, 1, 'said once, in plain words');
        assert.match(warnings[0]!, /polled via groups\/delta every 1 s/);
      }
    });

    it('joining through a nested group -> created; leaving -> deleted out_of_scope; outsiders -> nothing', async () => {
      const users = h.sim.listUsers(h.tenantId);
      const [left, stays, , joiner, outsider] = users;
      h.sim.addMember(h.tenantId, NESTED, joiner!.id);
      h.sim.removeMember(h.tenantId, ROOT, left!.id);
      h.sim.updateUser(h.tenantId, outsider!.id, { jobTitle: 'Not in scope' });
      h.sim.updateUser(h.tenantId, stays!.id, { jobTitle: 'In scope' });
      await eventually('joiner created', async () => (await eventsFor(h.db.database, h.connectionId, joiner!.id)).length === 1);
      await eventually('leaver deleted', async () => (await eventsFor(h.db.database, h.connectionId, left!.id)).length === 2);
      await eventually('member updated', async () => (await eventsFor(h.db.database, h.connectionId, stays!.id)).length === 2);
      const [joined] = await eventsFor(h.db.database, h.connectionId, joiner!.id);
      assert.equal(joined!.type, 'user.created');
      assert.equal(joined!.user!.id, joiner!.id);
      const [, gone] = await eventsFor(h.db.database, h.connectionId, left!.id);
      assert.equal(gone!.type, 'user.deleted');
      assert.equal(gone!.reason, 'out_of_scope');
      assert.deepEqual(await eventsFor(h.db.database, h.connectionId, outsider!.id), []);
    });

    it('a whole nested group leaving takes its members out of scope', async () => {
      const third = h.sim.listUsers(h.tenantId)[2]!;
      h.sim.removeMember(h.tenantId, ROOT, NESTED);
      await eventually('nested members out', async () => (await eventsFor(h.db.database, h.connectionId, third.id)).length === 2);
      const [, gone] = await eventsFor(h.db.database, h.connectionId, third.id);
      assert.equal(gone!.reason, 'out_of_scope');
    });
  });
}
