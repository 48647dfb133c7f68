import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startHarness, type Harness } from '../helpers/sync-harness.js';
import { eventsFor, outbox } from './outbox-reader.js';

describe('initial sync, subscriptions and each kind of change', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ users: 40 });
  });
  after(async () => {
    await h?.close();
  });

  it('creates the users subscription with both URLs validated, and no groups subscription when unscoped', async () => {
    await eventually('users subscription', () => h.sim.listSubscriptions(h.tenantId).length === 1);
    const [sub] = h.sim.listSubscriptions(h.tenantId);
    assert.equal(sub!.resource.toLowerCase(), 'users');
    assert.equal(sub!.changeType, 'updated,deleted');
    assert.equal(sub!.notificationUrl, `${h.service.url}/webhooks/graph`);
    assert.equal(sub!.lifecycleNotificationUrl, `${h.service.url}/webhooks/graph/lifecycle`);
    assert.ok(sub!.clientState && sub!.clientState.length >= 32 && sub!.clientState.length <= 128);
    assert.ok(h.sim.stats.validationRequests >= 2, 'both URLs validated');
    const row = await h.db.database.db.selectFrom('subscriptions').selectAll().where('kind', '=', 'users').executeTakeFirstOrThrow();
    assert.equal(row.graph_subscription_id, sub!.id);
    assert.equal(row.client_state_hash?.includes(Buffer.from(sub!.clientState!)), false, 'clientState not stored in clear');
  });

  it('sends every user once as user.created (source reconcile) on the initial sync', async () => {
    await eventually('40 created events', async () => (await outbox(h.db.database, h.connectionId)).length >= 40);
    const events = await outbox(h.db.database, h.connectionId);
    assert.equal(events.length, 40);
    assert.ok(events.every((e) => e.type === 'user.created' && e.source === 'reconcile' && e.sequence === 1));
    const simUser = h.sim.listUsers(h.tenantId)[0]!;
    const sent = events.find((e) => e.userId === simUser.id)!;
    assert.deepEqual(sent.user, {
      id: simUser.id,
      userPrincipalName: simUser.userPrincipalName,
      mail: simUser.mail,
      displayName: simUser.displayName,
      givenName: simUser.givenName,
      surname: simUser.surname,
      jobTitle: simUser.jobTitle,
      department: simUser.department,
      officeLocation: simUser.officeLocation,
      employeeId: simUser.employeeId,
      mobilePhone: simUser.mobilePhone,
      businessPhones: simUser.businessPhones,
      accountEnabled: simUser.accountEnabled,
      managerId: simUser.managerId,
    });
  });

  it('update -> user.updated with exactly the changed fields', async () => {
    const u = h.sim.listUsers(h.tenantId)[1]!;
    h.sim.updateUser(h.tenantId, u.id, { jobTitle: 'Chief Tester', department: u.department });
    await eventually('update event', async () => (await eventsFor(h.db.database, h.connectionId, u.id)).length === 2);
    const [, updated] = await eventsFor(h.db.database, h.connectionId, u.id);
    assert.equal(updated!.type, 'user.updated');
    assert.equal(updated!.source, 'notification');
    assert.equal(updated!.sequence, 2);
    assert.deepEqual(updated!.changes, { jobTitle: { old: u.jobTitle, new: 'Chief Tester' } });
    assert.equal(updated!.user!.jobTitle, 'Chief Tester');
  });

  it('manager change and accountEnabled false are updates, not deletions', async () => {
    const [a, b] = h.sim.listUsers(h.tenantId).slice(2, 4);
    h.sim.setManager(h.tenantId, a!.id, b!.id);
    h.sim.updateUser(h.tenantId, a!.id, { accountEnabled: false });
    await eventually('manager+disabled', async () => {
      const evs = await eventsFor(h.db.database, h.connectionId, a!.id);
      const merged = Object.assign({}, ...evs.slice(1).map((e) => e.changes));
      return 'managerId' in merged && 'accountEnabled' in merged;
    });
    const evs = await eventsFor(h.db.database, h.connectionId, a!.id);
    assert.ok(evs.slice(1).every((e) => e.type === 'user.updated'));
    assert.equal(evs.at(-1)!.user!.managerId, b!.id);
    assert.equal(evs.at(-1)!.user!.accountEnabled, false);
  });

  it('soft delete -> deleted (soft_deleted); restore -> created; hard delete -> deleted (deleted)', async () => {
    const u = h.sim.listUsers(h.tenantId)[5]!;
    h.sim.softDeleteUser(h.tenantId, u.id);
    await eventually('soft delete', async () => (await eventsFor(h.db.database, h.connectionId, u.id)).length === 2);
    h.sim.restoreUser(h.tenantId, u.id);
    await eventually('restore', async () => (await eventsFor(h.db.database, h.connectionId, u.id)).length === 3);
    h.sim.hardDeleteUser(h.tenantId, u.id);
    await eventually('hard delete', async () => (await eventsFor(h.db.database, h.connectionId, u.id)).length === 4);
    const evs = await eventsFor(h.db.database, h.connectionId, u.id);
    assert.deepEqual(
      evs.map((e) => [e.type, e.sequence, e.reason ?? null, e.user === undefined]),
      [
        ['user.created', 1, null, false],
        ['user.deleted', 2, 'soft_deleted', true],
        ['user.created', 3, null, false],
        ['user.deleted', 4, 'deleted', true],
      ],
    );
  });

  it('a new hire -> user.created from a notification', async () => {
    const hire = h.sim.createUser(h.tenantId, { displayName: 'New Hire', givenName: 'New', surname: 'Hire', jobTitle: 'Engineer' });
    await eventually('hire', async () => (await eventsFor(h.db.database, h.connectionId, hire.id)).length === 1);
    const [created] = await eventsFor(h.db.database, h.connectionId, hire.id);
    assert.equal(created!.type, 'user.created');
    assert.equal(created!.source, 'notification');
    assert.equal(created!.user!.displayName, 'New Hire');
  });

  it('duplicated notifications (3x) produce one event per change', async () => {
    h.sim.faults.notificationDuplicates = 3;
    try {
      const u = h.sim.listUsers(h.tenantId)[8]!;
      h.sim.updateUser(h.tenantId, u.id, { officeLocation: 'Dup City' });
      await h.sim.flushNotifications();
      await eventually('dup update', async () => (await eventsFor(h.db.database, h.connectionId, u.id)).length >= 2);
      await new Promise((r) => setTimeout(r, 800));
      const evs = await eventsFor(h.db.database, h.connectionId, u.id);
      assert.equal(evs.length, 2, 'created + exactly one update');
    } finally {
      h.sim.faults.notificationDuplicates = 1;
    }
  });
});
