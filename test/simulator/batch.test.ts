// $batch: at most 20 requests, each run through the full pipeline on its own (permissions,
// throttling: a 429 inside a 200), answered by id in no particular order; dependsOn honoured.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDefaultFaults } from '../../src/simulator/core/faults.js';
import type { SimUser } from '../../src/simulator/graph-simulator.js';
import { TENANT, json, startTestSim } from './helpers.js';
import type { TestSim } from './helpers.js';

type BatchResponse = {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
};

describe('$batch', () => {
  let t: TestSim;
  let users: SimUser[];

  before(async () => {
    t = await startTestSim();
    users = t.sim.seedUsers(TENANT, 5, { seed: 8 });
  });
  after(() => t.sim.close());
  beforeEach(() => Object.assign(t.sim.faults, createDefaultFaults()));

  async function batch(
    requests: unknown[],
    token?: string,
  ): Promise<{ status: number; byId: Map<string, BatchResponse>; order: string[] }> {
    const res = await t.send('POST', '/v1.0/$batch', { requests }, token);
    if (res.status !== 200) return { status: res.status, byId: new Map(), order: [] };
    const body = await json<{ responses: BatchResponse[] }>(res);
    return {
      status: res.status,
      byId: new Map(body.responses.map((r) => [r.id, r])),
      order: body.responses.map((r) => r.id),
    };
  }

  it('runs each request and answers by id with status, headers and body', async () => {
    const user = users[2] as SimUser;
    const { status, byId } = await batch([
      { id: '1', method: 'GET', url: `/users/${user.id}?$select=displayName` },
      { id: '2', method: 'GET', url: 'users/00000000-0000-4000-8000-000000000000' },
      { id: '3', method: 'GET', url: '/users?$top=2&$select=id' },
    ]);
    assert.equal(status, 200);
    assert.equal(byId.size, 3);
    assert.equal(byId.get('1')?.status, 200);
    assert.equal(byId.get('1')?.body?.displayName, user.displayName);
    assert.match(byId.get('1')?.headers['Content-Type'] ?? '', /application\/json/);
    assert.equal(byId.get('2')?.status, 404);
    assert.equal((byId.get('2')?.body?.error as { code: string }).code, 'Request_ResourceNotFound');
    assert.equal((byId.get('3')?.body?.value as unknown[]).length, 2);
    assert.ok(String(byId.get('3')?.body?.['@odata.nextLink']).startsWith(`${t.sim.url}/v1.0/users?`));
  });

  it('refuses more than 20 requests with 400', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({
      id: String(i),
      method: 'GET',
      url: '/users?$top=1',
    }));
    assert.equal((await batch(requests)).status, 400);
    assert.equal((await batch(requests.slice(0, 20))).status, 200);
  });

  it('throttles each request on its own: 429 with Retry-After inside a 200 batch', async () => {
    t.sim.faults.budgetMultiplier = 0.001; // 3.5 units: one GET users (2) fits, the second does not
    t.sim.addApp({ tenantId: TENANT, clientId: 'batcher', clientSecret: 's' });
    const token = await t.token('batcher', 's');
    const { status, byId } = await batch(
      [
        { id: 'a', method: 'GET', url: '/users' },
        { id: 'b', method: 'GET', url: '/users' },
      ],
      token,
    );
    assert.equal(status, 200);
    assert.equal(byId.get('a')?.status, 200);
    assert.equal(byId.get('b')?.status, 429);
    assert.match(byId.get('b')?.headers['Retry-After'] ?? '', /^\d+$/);
  });

  it("applies the outer token's permissions to every request", async () => {
    t.sim.addApp({
      tenantId: TENANT,
      clientId: 'groups-only',
      clientSecret: 's',
      roles: ['GroupMember.Read.All'],
    });
    const { byId } = await batch(
      [{ id: 'x', method: 'GET', url: '/users' }],
      await t.token('groups-only', 's'),
    );
    assert.equal(byId.get('x')?.status, 403);
  });

  it('answers 424 for requests whose dependency failed', async () => {
    const { byId } = await batch([
      { id: '1', method: 'GET', url: '/users/00000000-0000-4000-8000-000000000000' },
      { id: '2', method: 'GET', url: `/users/${users[0]?.id}`, dependsOn: ['1'] },
    ]);
    assert.equal(byId.get('2')?.status, 424);
  });

  it('does not promise the request order', async () => {
    const requests = Array.from({ length: 20 }, (_, i) => ({
      id: String(i),
      method: 'GET',
      url: `/users/${users[i % 5]?.id}?$select=id`,
    }));
    const { order } = await batch(requests);
    assert.deepEqual(
      [...order].sort((a, b) => Number(a) - Number(b)),
      requests.map((r) => r.id),
    );
    assert.notDeepEqual(
      order,
      requests.map((r) => r.id),
    );
  });

  it('needs a valid token for the batch itself', async () => {
    const res = await t.send('POST', '/v1.0/$batch', { requests: [] }, 'bad.token.here');
    assert.equal(res.status, 401);
  });
});
