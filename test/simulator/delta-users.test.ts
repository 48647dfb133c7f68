// users/delta: a full paged initial round, then only changes merged per object: created and
// restored users whole, updated users as id + changed selected properties, removals with their
// reason, manager@delta; token expiry as 400 syncStateNotFound or 410 with Location.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { SimUser } from '../../src/simulator/graph-simulator.js';
import { TENANT, json, startTestSim } from './helpers.js';
import type { TestSim } from './helpers.js';

type Item = Record<string, unknown>;
type Page = { '@odata.nextLink'?: string; '@odata.deltaLink'?: string; value: Item[] };
const SELECT = '$select=displayName,jobTitle,department,accountEnabled,manager';

describe('users delta', () => {
  let t: TestSim;
  let users: SimUser[];

  before(async () => {
    t = await startTestSim();
  });
  after(() => t.sim.close());
  beforeEach(() => {
    Object.assign(t.sim.faults, {
      deltaPageSize: 200,
      deltaFullObjects: false,
      deltaReplayRate: 0,
      deltaResetStyle: 'syncStateNotFound',
    });
  });

  /** Follows nextLinks to the deltaLink; returns every page. */
  async function round(first: string): Promise<{ pages: Page[]; items: Item[]; deltaLink: string }> {
    const pages: Page[] = [];
    let next: string | undefined = first;
    while (next) {
      const res = await t.get(next);
      assert.equal(res.status, 200, await res.clone().text());
      const page = await json<Page>(res);
      pages.push(page);
      next = page['@odata.nextLink'];
      if (!next) assert.ok(page['@odata.deltaLink'], 'the last page carries a deltaLink');
    }
    return {
      pages,
      items: pages.flatMap((p) => p.value),
      deltaLink: pages.at(-1)?.['@odata.deltaLink'] as string,
    };
  }

  it('serves the whole directory in the initial round, paged by deltaPageSize', async () => {
    users = t.sim.seedUsers(TENANT, 5, { seed: 3 });
    t.sim.faults.deltaPageSize = 2;
    const { pages, items, deltaLink } = await round(`/v1.0/users/delta?${SELECT}`);
    assert.deepEqual(
      pages.map((p) => p.value.length),
      [2, 2, 1],
    );
    assert.ok(pages[0]?.['@odata.nextLink']?.startsWith(`${t.sim.url}/v1.0/users/delta?$skiptoken=`));
    assert.ok(deltaLink.startsWith(`${t.sim.url}/v1.0/users/delta?$deltatoken=`));
    assert.deepEqual(
      items.map((i) => i.id),
      users.map((u) => u.id),
    );
    const second = users[1] as SimUser;
    assert.deepEqual(items[1], {
      displayName: second.displayName,
      jobTitle: second.jobTitle,
      department: second.department,
      accountEnabled: second.accountEnabled,
      id: second.id,
      'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: users[0]?.id }],
    });
    assert.equal('manager@delta' in (items[0] ?? {}), false);
  });

  it('sends an updated user as id plus only the changed selected properties', async () => {
    const { deltaLink } = await round(`/v1.0/users/delta?${SELECT}`);
    const user = users[2] as SimUser;
    t.sim.updateUser(TENANT, user.id, { jobTitle: 'Chief of Staff', mobilePhone: '+1 555 0000' });
    const { items, deltaLink: next } = await round(deltaLink);
    assert.deepEqual(items, [{ id: user.id, jobTitle: 'Chief of Staff' }]);
    // Nothing changed since: an empty round.
    assert.deepEqual((await round(next)).items, []);
  });

  it('sends nothing for changes to unselected properties only', async () => {
    const { deltaLink } = await round(`/v1.0/users/delta?${SELECT}`);
    t.sim.updateUser(TENANT, users[3]?.id as string, { mobilePhone: '+1 555 1234', officeLocation: 'Moon' });
    assert.deepEqual((await round(deltaLink)).items, []);
  });

  it('merges several changes of one object into one item, in the order objects first changed', async () => {
    const { deltaLink } = await round(`/v1.0/users/delta?${SELECT}`);
    const [a, b] = [users[4] as SimUser, users[3] as SimUser];
    t.sim.updateUser(TENANT, a.id, { jobTitle: 'One' });
    t.sim.updateUser(TENANT, b.id, { department: 'Legal' });
    t.sim.updateUser(TENANT, a.id, { displayName: 'Renamed', jobTitle: 'Two' });
    const { items } = await round(deltaLink);
    assert.deepEqual(items, [
      { id: a.id, displayName: 'Renamed', jobTitle: 'Two' },
      { id: b.id, department: 'Legal' },
    ]);
  });

  it('sends created and restored users whole, soft and hard deletions with their reason', async () => {
    const { deltaLink } = await round(`/v1.0/users/delta?${SELECT}`);
    const created = t.sim.createUser(TENANT, {
      displayName: 'New Hire',
      jobTitle: 'Intern',
      department: 'IT',
      managerId: users[0]?.id as string,
    });
    const soft = users[3] as SimUser;
    const hard = users[4] as SimUser;
    t.sim.softDeleteUser(TENANT, soft.id);
    t.sim.hardDeleteUser(TENANT, hard.id);
    const { items, deltaLink: next } = await round(deltaLink);
    assert.deepEqual(items, [
      {
        displayName: 'New Hire',
        jobTitle: 'Intern',
        department: 'IT',
        accountEnabled: true,
        id: created.id,
        'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: users[0]?.id }],
      },
      { id: soft.id, '@removed': { reason: 'changed' } },
      { id: hard.id, '@removed': { reason: 'deleted' } },
    ]);
    t.sim.restoreUser(TENANT, soft.id);
    const restored = await round(next);
    assert.equal(restored.items.length, 1);
    assert.equal(restored.items[0]?.id, soft.id);
    assert.equal(restored.items[0]?.displayName, t.sim.getUser(TENANT, soft.id)?.displayName);
    assert.equal('@removed' in (restored.items[0] ?? {}), false);
  });

  it('reports a manager change as manager@delta and a removed manager with @removed', async () => {
    const { deltaLink } = await round(`/v1.0/users/delta?${SELECT}`);
    const [boss, report] = [users[0] as SimUser, users[2] as SimUser];
    t.sim.setManager(TENANT, report.id, null);
    const { items, deltaLink: next } = await round(deltaLink);
    assert.deepEqual(items, [
      {
        id: report.id,
        'manager@delta': [
          { '@odata.type': '#microsoft.graph.user', id: report.managerId, '@removed': { reason: 'deleted' } },
        ],
      },
    ]);
    t.sim.setManager(TENANT, report.id, boss.id);
    assert.deepEqual((await round(next)).items, [
      { id: report.id, 'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: boss.id }] },
    ]);
  });

  it('clears the manager of reports when their manager is permanently deleted', async () => {
    const boss = t.sim.createUser(TENANT, { displayName: 'Boss' });
    const report = t.sim.createUser(TENANT, { displayName: 'Report', managerId: boss.id });
    const { deltaLink } = await round(`/v1.0/users/delta?${SELECT}`);
    t.sim.hardDeleteUser(TENANT, boss.id);
    assert.equal(t.sim.getUser(TENANT, report.id)?.managerId, null);
    assert.deepEqual((await round(deltaLink)).items, [
      { id: boss.id, '@removed': { reason: 'deleted' } },
      {
        id: report.id,
        'manager@delta': [
          { '@odata.type': '#microsoft.graph.user', id: boss.id, '@removed': { reason: 'deleted' } },
        ],
      },
    ]);
  });

  it('limits a round to the ids of an id filter', async () => {
    const [a, b] = [users[0] as SimUser, users[1] as SimUser];
    const filter = encodeURIComponent(`id eq '${a.id}' or id eq '${b.id}'`);
    const initial = await round(`/v1.0/users/delta?$select=jobTitle&$filter=${filter}`);
    assert.deepEqual(
      initial.items.map((i) => i.id),
      [a.id, b.id],
    );
    t.sim.updateUser(TENANT, a.id, { jobTitle: 'Filtered in' });
    t.sim.updateUser(TENANT, users[2]?.id as string, { jobTitle: 'Filtered out' });
    assert.deepEqual((await round(initial.deltaLink)).items, [{ id: a.id, jobTitle: 'Filtered in' }]);
  });

  it('sends full objects for updates when deltaFullObjects is set', async () => {
    const { deltaLink } = await round('/v1.0/users/delta?$select=displayName,jobTitle');
    const user = users[1] as SimUser;
    t.sim.updateUser(TENANT, user.id, { jobTitle: 'Full' });
    t.sim.faults.deltaFullObjects = true;
    assert.deepEqual((await round(deltaLink)).items, [
      { displayName: user.displayName, jobTitle: 'Full', id: user.id },
    ]);
  });

  it('pages a long change round and bakes the window into its nextLinks', async () => {
    const { deltaLink } = await round('/v1.0/users/delta?$select=jobTitle');
    const extra = t.sim.seedUsers(TENANT, 7, { seed: 99 });
    t.sim.faults.deltaPageSize = 3;
    const first = await json<Page>(await t.get(deltaLink));
    // Changes after the first page belong to the next round, not this one.
    const late = t.sim.createUser(TENANT, { jobTitle: 'Late' });
    const rest = await round(first['@odata.nextLink'] as string);
    const ids = [...first.value, ...rest.items].map((i) => i.id);
    assert.deepEqual(
      ids,
      extra.map((u) => u.id),
    );
    assert.deepEqual(
      rest.pages.map((p) => p.value.length),
      [3, 1],
    );
    assert.deepEqual((await round(rest.deltaLink)).items, [{ jobTitle: 'Late', id: late.id }]);
  });

  it('gives a deltaLink "from now" for $deltatoken=latest', async () => {
    const res = await t.get('/v1.0/users/delta?$deltatoken=latest&$select=jobTitle');
    const page = await json<Page>(res);
    assert.deepEqual(page.value, []);
    assert.ok(page['@odata.deltaLink']);
    const user = t.sim.createUser(TENANT, { jobTitle: 'After latest' });
    assert.deepEqual((await round(page['@odata.deltaLink'] as string)).items, [
      { jobTitle: 'After latest', id: user.id },
    ]);
  });

  it('refuses $top, $expand and $orderby on delta', async () => {
    for (const option of ['$top=5', '$expand=manager', '$orderby=displayName']) {
      const res = await t.get(`/v1.0/users/delta?${option}`);
      assert.equal(res.status, 400, option);
    }
  });

  it('repeats earlier items on later pages when deltaReplayRate is 1', async () => {
    t.sim.faults.deltaPageSize = 2;
    t.sim.faults.deltaReplayRate = 1;
    const { pages, items } = await round('/v1.0/users/delta?$select=id');
    const ids = items.map((i) => i.id as string);
    assert.ok(ids.length > new Set(ids).size, 'some ids appear twice');
    assert.equal(pages[0]?.value.length, 2, 'the first page has nothing to replay');
    assert.equal(new Set(ids).size, t.sim.listUsers(TENANT).length);
  });

  it('fails every earlier token after expireDeltaTokens with 400 syncStateNotFound', async () => {
    const { deltaLink } = await round('/v1.0/users/delta?$select=jobTitle');
    t.sim.expireDeltaTokens(TENANT);
    const res = await t.get(deltaLink);
    assert.equal(res.status, 400);
    assert.equal((await json<{ error: { code: string } }>(res)).error.code, 'syncStateNotFound');
    // A new round works again.
    assert.equal((await t.get('/v1.0/users/delta?$select=jobTitle')).status, 200);
  });

  it('answers 410 with a fresh delta URL in Location when deltaResetStyle is gone', async () => {
    const { deltaLink } = await round('/v1.0/users/delta?$select=jobTitle,displayName');
    t.sim.faults.deltaResetStyle = 'gone';
    t.sim.expireDeltaTokens();
    const res = await t.get(deltaLink);
    assert.equal(res.status, 410);
    assert.equal(
      res.headers.get('location'),
      `${t.sim.url}/v1.0/users/delta?$select=jobTitle,displayName,id`,
    );
  });

  it('expires tokens older than 7 days of simulated time', async () => {
    const { deltaLink } = await round('/v1.0/users/delta?$select=jobTitle');
    t.sim.clock.advance(6 * 24 * 3600_000);
    const fresh = await round(deltaLink);
    t.sim.clock.advance(6 * 24 * 3600_000);
    assert.equal((await t.get(fresh.deltaLink)).status, 200, 'a link renewed 6 days ago is alive');
    t.sim.clock.advance(8 * 24 * 3600_000);
    const res = await t.get(fresh.deltaLink);
    assert.equal(res.status, 400);
    assert.equal((await json<{ error: { code: string } }>(res)).error.code, 'syncStateNotFound');
  });

  it('refuses a tampered token', async () => {
    const { deltaLink } = await round('/v1.0/users/delta?$select=jobTitle');
    const res = await t.get(`${deltaLink.slice(0, -3)}xyz`);
    assert.equal(res.status, 400);
  });
});
