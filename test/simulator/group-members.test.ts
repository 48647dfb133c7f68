// groups/{id}, /members and /transitiveMembers (optionally cast to users): @odata.type on every
// member, nested groups walked once even in cycles, paging, 404 for unknown groups.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimUser } from '../../src/simulator/graph-simulator.js';
import { TENANT, json, startTestSim } from './helpers.js';
import type { TestSim } from './helpers.js';

type Page = { '@odata.context': string; '@odata.nextLink'?: string; value: Array<Record<string, unknown>> };

describe('group members', () => {
  let t: TestSim;
  let users: SimUser[];
  let a: string;
  let b: string;
  let c: string;

  before(async () => {
    t = await startTestSim();
    users = t.sim.seedUsers(TENANT, 10, { seed: 11 });
    a = t.sim.createGroup(TENANT, { displayName: 'A' }).id;
    b = t.sim.createGroup(TENANT, { displayName: 'B' }).id;
    c = t.sim.createGroup(TENANT, { displayName: 'C' }).id;
    // A: u0 u1 B; B: u2 u3 C u0; C: u4 A (a cycle back to A)
    for (const id of [users[0]?.id, users[1]?.id, b]) t.sim.addMember(TENANT, a, id as string);
    for (const id of [users[2]?.id, users[3]?.id, c, users[0]?.id]) t.sim.addMember(TENANT, b, id as string);
    for (const id of [users[4]?.id, a]) t.sim.addMember(TENANT, c, id as string);
  });
  after(() => t.sim.close());

  const ids = (page: Page) => page.value.map((m) => m.id);

  it('gets the group', async () => {
    const res = await t.get(`/v1.0/groups/${a}?$select=id,displayName`);
    assert.deepEqual(await res.json(), {
      '@odata.context': `${t.sim.url}/v1.0/$metadata#groups/$entity`,
      id: a,
      displayName: 'A',
    });
  });

  it('lists direct members, users and groups, with @odata.type', async () => {
    const page = await json<Page>(await t.get(`/v1.0/groups/${a}/members?$select=id,displayName`));
    assert.deepEqual(page.value, [
      { '@odata.type': '#microsoft.graph.user', id: users[0]?.id, displayName: users[0]?.displayName },
      { '@odata.type': '#microsoft.graph.user', id: users[1]?.id, displayName: users[1]?.displayName },
      { '@odata.type': '#microsoft.graph.group', id: b, displayName: 'B' },
    ]);
  });

  it('walks nested groups for transitiveMembers, each object once, cycles included', async () => {
    const page = await json<Page>(await t.get(`/v1.0/groups/${a}/transitiveMembers?$select=id`));
    assert.deepEqual(ids(page), [users[0]?.id, users[1]?.id, b, users[2]?.id, users[3]?.id, c, users[4]?.id]);
  });

  it('returns only users with the microsoft.graph.user cast', async () => {
    const page = await json<Page>(
      await t.get(`/v1.0/groups/${a}/transitiveMembers/microsoft.graph.user?$select=id`),
    );
    assert.deepEqual(ids(page), [users[0]?.id, users[1]?.id, users[2]?.id, users[3]?.id, users[4]?.id]);
    assert.ok(page.value.every((m) => m['@odata.type'] === '#microsoft.graph.user'));
    const direct = await json<Page>(await t.get(`/v1.0/groups/${a}/members/microsoft.graph.user?$select=id`));
    assert.deepEqual(ids(direct), [users[0]?.id, users[1]?.id]);
  });

  it('pages members with $top and absolute nextLinks', async () => {
    const first = await json<Page>(
      await t.get(`/v1.0/groups/${a}/transitiveMembers/microsoft.graph.user?$select=id&$top=2`),
    );
    assert.equal(first.value.length, 2);
    assert.ok(
      first['@odata.nextLink']?.startsWith(
        `${t.sim.url}/v1.0/groups/${a}/transitiveMembers/microsoft.graph.user?`,
      ),
    );
    const second = await json<Page>(await t.get(first['@odata.nextLink'] as string));
    const third = await json<Page>(await t.get(second['@odata.nextLink'] as string));
    assert.equal(third['@odata.nextLink'], undefined);
    assert.deepEqual(
      [...ids(first), ...ids(second), ...ids(third)],
      users.slice(0, 5).map((u) => u.id),
    );
  });

  it('answers 404 for an unknown group', async () => {
    for (const path of ['', '/members', '/transitiveMembers']) {
      const res = await t.get(`/v1.0/groups/00000000-0000-4000-8000-000000000000${path}`);
      assert.equal(res.status, 404, path);
      assert.equal((await json<{ error: { code: string } }>(res)).error.code, 'Request_ResourceNotFound');
    }
  });
});
