// Seeding: realistic, deterministic by seed, and fast enough for the benchmark's million users,
// with pages and delta rounds served without walking the whole directory.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGraphSimulator } from '../../src/simulator/graph-simulator.js';
import type { GraphSimulator, SimUser } from '../../src/simulator/graph-simulator.js';
import { TENANT, json, startTestSim } from './helpers.js';
import type { TestSim } from './helpers.js';

describe('seeded directories', () => {
  it('are deterministic by seed and realistic', async () => {
    const sims: GraphSimulator[] = [await startGraphSimulator(), await startGraphSimulator()];
    try {
      const [a, b] = sims.map((sim) => {
        sim.addTenant({ tenantId: 'det', displayName: 'Contoso' });
        return sim.seedUsers('det', 300, { seed: 9 });
      }) as [SimUser[], SimUser[]];
      assert.deepEqual(a, b);
      sims[0]?.addTenant({ tenantId: 'other' });
      const other = sims[0]?.seedUsers('other', 300, { seed: 9 }) ?? [];
      assert.notEqual(other[0]?.id, a[0]?.id, 'another tenant gets other object ids');

      assert.equal(new Set(a.map((u) => u.id)).size, 300);
      assert.equal(new Set(a.map((u) => u.userPrincipalName)).size, 300);
      const byId = new Map(a.map((u, i) => [u.id, i]));
      assert.equal(a[0]?.managerId, null);
      a.slice(1).forEach((u, i) =>
        assert.ok((byId.get(u.managerId ?? '') ?? Infinity) <= i, 'managers come before their reports'),
      );
      for (const u of a) {
        assert.match(u.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.match(u.userPrincipalName, /^[a-z]+\.[a-z]+\d+@contoso\.onmicrosoft\.com$/);
        assert.equal(u.displayName, `${u.givenName} ${u.surname}`);
        assert.ok(u.jobTitle && u.department && u.officeLocation && u.employeeId);
      }
      assert.ok(new Set(a.map((u) => u.department)).size > 3);
    } finally {
      await Promise.all(sims.map((s) => s.close()));
    }
  });
});

// SIM_SCALE_USERS lowers the scale for quick local runs; CI keeps the benchmark's million.
const SCALE = Number(process.env.SIM_SCALE_USERS ?? 1_000_000);

describe(`${SCALE} users`, { timeout: 180_000 }, () => {
  let t: TestSim;
  let users: SimUser[];
  let seedCpuMs: number;

  before(async () => {
    t = await startTestSim();
    t.sim.faults.throttlingEnabled = false;
    const start = process.cpuUsage();
    users = t.sim.seedUsers(TENANT, SCALE, { seed: 1 });
    const used = process.cpuUsage(start);
    seedCpuMs = (used.user + used.system) / 1000;
  });
  after(() => t.sim.close());

  it('seeds in well under a minute of CPU', () => {
    assert.equal(users.length, SCALE);
    assert.equal(t.sim.listUsers(TENANT).length, SCALE);
    // CPU time, not wall time: a busy CI machine must not fail this.
    assert.ok(seedCpuMs < 30_000 * (SCALE / 1_000_000), `seeding took ${Math.round(seedCpuMs)} ms of CPU`);
  });

  /** Wall time; the bound only catches gross regressions (rendering or copying the directory). */
  async function timed(path: string): Promise<{ ms: number; body: Record<string, unknown> }> {
    const start = performance.now();
    const res = await t.get(path);
    assert.equal(res.status, 200);
    const body = await json(res);
    return { ms: performance.now() - start, body };
  }

  it('serves list pages and their follow-ups without copying the directory', async () => {
    const first = await timed('/v1.0/users?$top=999&$select=id,displayName');
    const second = await timed(first.body['@odata.nextLink'] as string);
    assert.equal((second.body.value as unknown[]).length, 999);
    assert.ok(second.ms < 3_000, `page took ${Math.round(second.ms)} ms`);
  });

  it('serves delta pages in page-sized work, initial and incremental', async () => {
    const initial = await timed('/v1.0/users/delta?$select=jobTitle,manager');
    assert.equal((initial.body.value as unknown[]).length, 200);
    const next = await timed(initial.body['@odata.nextLink'] as string);
    assert.ok(next.ms < 3_000, `initial page took ${Math.round(next.ms)} ms`);
    const latest = await timed('/v1.0/users/delta?$deltatoken=latest&$select=jobTitle');
    for (let i = 0; i < 500; i++)
      t.sim.updateUser(TENANT, users[i * 1000]?.id as string, { jobTitle: `Changed ${i}` });
    const changes = await timed(latest.body['@odata.deltaLink'] as string);
    assert.equal((changes.body.value as unknown[]).length, 200);
    assert.ok(changes.ms < 3_000, `change page took ${Math.round(changes.ms)} ms`);
  });
});
