// Directory reads on users: pages of $top (default 100, max 999) linked by absolute nextLinks
// with the query options baked in, $select, Graph's default property set, 404s, manager.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimUser } from '../../src/simulator/graph-simulator.js';
import { TENANT, json, startTestSim } from './helpers.js';
import type { TestSim } from './helpers.js';

type Page = { '@odata.context': string; '@odata.nextLink'?: string; value: Array<Record<string, unknown>> };

describe('users reads and paging', () => {
  let t: TestSim;
  let users: SimUser[];

  before(async () => {
    t = await startTestSim();
    users = t.sim.seedUsers(TENANT, 250, { seed: 7 });
  });
  after(() => t.sim.close());

  async function collect(first: string): Promise<{ pages: Page[]; ids: string[] }> {
    const pages: Page[] = [];
    let next: string | undefined = first;
    while (next) {
      const res = await t.get(next);
      assert.equal(res.status, 200);
      const page = await json<Page>(res);
      pages.push(page);
      next = page['@odata.nextLink'];
    }
    return { pages, ids: pages.flatMap((p) => p.value.map((u) => u.id as string)) };
  }

  it('pages 100 at a time by default with absolute nextLinks, every user once', async () => {
    const { pages, ids } = await collect('/v1.0/users');
    assert.deepEqual(
      pages.map((p) => p.value.length),
      [100, 100, 50],
    );
    assert.ok(pages[0]?.['@odata.nextLink']?.startsWith(`${t.sim.url}/v1.0/users?`));
    assert.match(pages[0]?.['@odata.nextLink'] ?? '', /\$skiptoken=/);
    assert.deepEqual(
      ids,
      users.map((u) => u.id),
    );
  });

  it('keeps $top and $select in the nextLink', async () => {
    const { pages } = await collect('/v1.0/users?$top=120&$select=displayName,department');
    assert.deepEqual(
      pages.map((p) => p.value.length),
      [120, 120, 10],
    );
    assert.match(
      pages[0]?.['@odata.nextLink'] ?? '',
      /\$top=120&\$select=displayName,department&\$skiptoken=/,
    );
    assert.deepEqual(Object.keys(pages[2]?.value[0] ?? {}), ['displayName', 'department', 'id']);
  });

  it('allows $top=999 and refuses $top=1000', async () => {
    assert.equal((await json<Page>(await t.get('/v1.0/users?$top=999'))).value.length, 250);
    const res = await t.get('/v1.0/users?$top=1000');
    assert.equal(res.status, 400);
  });

  it("returns Graph's default property set without $select (no department, no employeeId)", async () => {
    const page = await json<Page>(await t.get('/v1.0/users?$top=1'));
    assert.deepEqual(Object.keys(page.value[0] ?? {}).sort(), [
      'businessPhones',
      'displayName',
      'givenName',
      'id',
      'jobTitle',
      'mail',
      'mobilePhone',
      'officeLocation',
      'preferredLanguage',
      'surname',
      'userPrincipalName',
    ]);
  });

  it('refuses unknown properties in $select like Graph', async () => {
    const res = await t.get('/v1.0/users?$select=displayName,jobTitel');
    assert.equal(res.status, 400);
    assert.match((await json<{ error: { message: string } }>(res)).error.message, /jobTitel/);
  });

  it("treats $select names case-insensitively and answers with Graph's casing", async () => {
    const page = await json<Page>(await t.get('/v1.0/users?$top=1&$select=DISPLAYNAME,employeeid'));
    assert.deepEqual(Object.keys(page.value[0] ?? {}), ['displayName', 'employeeId', 'id']);
  });

  it('gets one user by id, case-insensitive path, with @odata.context', async () => {
    const user = users[3] as SimUser;
    const res = await t.get(`/v1.0/Users/${user.id}?$select=displayName,accountEnabled,businessPhones`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      '@odata.context': `${t.sim.url}/v1.0/$metadata#users/$entity`,
      displayName: user.displayName,
      accountEnabled: user.accountEnabled,
      businessPhones: user.businessPhones,
      id: user.id,
    });
  });

  it('answers 404 Request_ResourceNotFound for unknown and soft-deleted users, and skips them in lists', async () => {
    const gone = t.sim.createUser(TENANT, { displayName: 'Temp' });
    t.sim.softDeleteUser(TENANT, gone.id);
    for (const id of [gone.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await t.get(`/v1.0/users/${id}`);
      assert.equal(res.status, 404);
      assert.equal((await json<{ error: { code: string } }>(res)).error.code, 'Request_ResourceNotFound');
    }
    const { ids } = await collect('/v1.0/users?$top=999');
    assert.equal(ids.includes(gone.id), false);
    assert.equal(ids.length, 250);
  });

  it('serves /users/{id}/manager, 404 when there is none', async () => {
    const report = users[1] as SimUser;
    const res = await t.get(`/v1.0/users/${report.id}/manager?$select=id,displayName`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      '@odata.context': `${t.sim.url}/v1.0/$metadata#directoryObjects/$entity`,
      '@odata.type': '#microsoft.graph.user',
      id: report.managerId,
      displayName: users[0]?.displayName,
    });
    const top = await t.get(`/v1.0/users/${users[0]?.id}/manager`);
    assert.equal(top.status, 404);
  });

  it('expands manager on lists', async () => {
    const page = await json<Page>(await t.get('/v1.0/users?$top=2&$select=id&$expand=manager($select=id)'));
    assert.deepEqual(page.value, [
      { id: users[0]?.id },
      { id: users[1]?.id, manager: { '@odata.type': '#microsoft.graph.user', id: users[0]?.id } },
    ]);
  });

  it('answers 400 for unknown Graph segments', async () => {
    const res = await t.get('/v1.0/userz');
    assert.equal(res.status, 400);
    assert.equal((await json<{ error: { code: string } }>(res)).error.code, 'BadRequest');
  });
});
