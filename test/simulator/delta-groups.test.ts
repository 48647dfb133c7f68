// groups/delta with $filter on ids: members@delta with @odata.type, big member lists split over
// pages, later rounds only membership changes with @removed for members that left.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { SimUser } from '../../src/simulator/graph-simulator.js';
import { TENANT, json, startTestSim } from './helpers.js';
import type { TestSim } from './helpers.js';

type Item = Record<string, unknown>;
type Page = { '@odata.nextLink'?: string; '@odata.deltaLink'?: string; value: Item[] };
const user = (id: string) => ({ '@odata.type': '#microsoft.graph.user', id });

describe('groups delta', () => {
  let t: TestSim;
  let users: SimUser[];
  let pilot: string;
  let nested: string;
  let other: string;

  before(async () => {
    t = await startTestSim();
    users = t.sim.seedUsers(TENANT, 12, { seed: 5 });
    pilot = t.sim.createGroup(TENANT, { displayName: 'Pilot' }).id;
    nested = t.sim.createGroup(TENANT, { displayName: 'Nested' }).id;
    other = t.sim.createGroup(TENANT, { displayName: 'Other' }).id;
    for (const u of users.slice(0, 7)) t.sim.addMember(TENANT, pilot, u.id);
    t.sim.addMember(TENANT, pilot, nested);
    t.sim.addMember(TENANT, nested, users[8]?.id as string);
    t.sim.addMember(TENANT, other, users[9]?.id as string);
  });
  after(() => t.sim.close());
  beforeEach(() => {
    t.sim.faults.deltaPageSize = 200;
  });

  const filtered = (...ids: string[]) =>
    `/v1.0/groups/delta?$select=displayName,members&$filter=${encodeURIComponent(ids.map((id) => `id eq '${id}'`).join(' or '))}`;

  async function round(first: string): Promise<{ pages: Page[]; items: Item[]; deltaLink: string }> {
    const pages: Page[] = [];
    let next: string | undefined = first;
    while (next) {
      const res = await t.get(next);
      assert.equal(res.status, 200, await res.clone().text());
      const page = await json<Page>(res);
      pages.push(page);
      next = page['@odata.nextLink'];
    }
    return {
      pages,
      items: pages.flatMap((p) => p.value),
      deltaLink: pages.at(-1)?.['@odata.deltaLink'] as string,
    };
  }

  it('lists the filtered groups with all direct members in the initial round', async () => {
    const { items } = await round(filtered(pilot, nested));
    assert.deepEqual(items, [
      {
        id: pilot,
        displayName: 'Pilot',
        'members@delta': [
          ...users.slice(0, 7).map((u) => user(u.id)),
          { '@odata.type': '#microsoft.graph.group', id: nested },
        ],
      },
      { id: nested, displayName: 'Nested', 'members@delta': [user(users[8]?.id as string)] },
    ]);
  });

  it('splits a big member list over pages; continuation items carry only id and members', async () => {
    t.sim.faults.deltaPageSize = 3;
    const { pages } = await round(filtered(pilot));
    assert.deepEqual(
      pages.map((p) => p.value.map((i) => (i['members@delta'] as Item[]).length)),
      [[3], [3], [2]],
    );
    assert.equal(pages[0]?.value[0]?.displayName, 'Pilot');
    assert.deepEqual(Object.keys(pages[1]?.value[0] ?? {}), ['id', 'members@delta']);
  });

  it('sends only membership changes later, removed members with @removed', async () => {
    const { deltaLink } = await round(filtered(pilot, other));
    t.sim.addMember(TENANT, pilot, users[10]?.id as string);
    t.sim.removeMember(TENANT, pilot, users[0]?.id as string);
    t.sim.addMember(TENANT, nested, users[11]?.id as string); // not in the filter
    const { items, deltaLink: next } = await round(deltaLink);
    assert.deepEqual(items, [
      {
        id: pilot,
        'members@delta': [
          user(users[10]?.id as string),
          { ...user(users[0]?.id as string), '@removed': { reason: 'deleted' } },
        ],
      },
    ]);
    assert.deepEqual((await round(next)).items, []);
  });

  it('shows a soft-deleted member leaving and coming back on restore', async () => {
    const { deltaLink } = await round(filtered(pilot));
    const member = users[1] as SimUser;
    t.sim.softDeleteUser(TENANT, member.id);
    const left = await round(deltaLink);
    assert.deepEqual(left.items, [
      { id: pilot, 'members@delta': [{ ...user(member.id), '@removed': { reason: 'deleted' } }] },
    ]);
    t.sim.restoreUser(TENANT, member.id);
    assert.deepEqual((await round(left.deltaLink)).items, [
      { id: pilot, 'members@delta': [user(member.id)] },
    ]);
  });

  it('lists every group without a filter, and new groups whole in later rounds', async () => {
    const { items, deltaLink } = await round('/v1.0/groups/delta?$select=displayName,members');
    assert.deepEqual(
      items.map((i) => i.displayName),
      ['Pilot', 'Nested', 'Other'],
    );
    const fresh = t.sim.createGroup(TENANT, { displayName: 'Fresh' });
    t.sim.addMember(TENANT, fresh.id, users[5]?.id as string);
    assert.deepEqual((await round(deltaLink)).items, [
      { id: fresh.id, displayName: 'Fresh', 'members@delta': [user(users[5]?.id as string)] },
    ]);
  });

  it('refuses more than 50 ids in the filter and other filters', async () => {
    const ids = Array.from(
      { length: 51 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    assert.equal((await t.get(filtered(...ids))).status, 400);
    assert.equal((await t.get(filtered(...ids.slice(0, 50)))).status, 200);
    assert.equal(
      (await t.get(`/v1.0/groups/delta?$filter=${encodeURIComponent("displayName eq 'x'")}`)).status,
      400,
    );
  });

  it('omits members@delta when members is not selected', async () => {
    const { items } = await round(
      `/v1.0/groups/delta?$select=displayName&$filter=${encodeURIComponent(`id eq '${other}'`)}`,
    );
    assert.deepEqual(items, [{ id: other, displayName: 'Other' }]);
  });
});
