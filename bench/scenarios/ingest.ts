/**
 * Scenario 1 — webhook ingest: autocannon against POST /webhooks/graph with realistic Graph
 * notification bodies for 50 connections (1 item per request, then 50), next to two probes run
 * the same way: an empty Fastify route and a bare durable insert with group commit.
 * Every acknowledged item must be stored: counted afterwards.
 */
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { createTestDatabase } from '../../test/helpers/database.js';
import { type Figure, median } from '../lib/measure.js';
import { countRows, startBenchWorld } from '../lib/world.js';

const CONNECTIONS = 50;

interface Target {
  subscriptionId: string;
  clientState: string;
  tenantId: string;
  userIds: string[];
}

export async function ingestScenario(options: { seconds: number; runs: number }): Promise<Figure[]> {
  const world = await startBenchWorld({ CHANGE_DEBOUNCE_MS: '1000' });
  try {
    const targets = await subscribeAll(world);
    const pool1 = bodies(targets, 1);
    // The probes run alternately with the webhook runs, so that all three see the machine in the
    // same state: on this shared machine a probe's rate drifted by a third within 20 minutes.
    const empty = await startProbe('empty');
    const durable = await startProbe('durable');
    const single: LoadResult[] = [];
    const emptyRuns: LoadResult[] = [];
    const durableRuns: LoadResult[] = [];
    try {
      for (let i = 0; i < options.runs; i++) {
        single.push(await load(`${world.service.url}/webhooks/graph`, pool1, options.seconds));
        await settle(world);
        durableRuns.push(await load(durable.url, pool1, options.seconds));
        emptyRuns.push(await load(empty.url, pool1, options.seconds));
      }
    } finally {
      await empty.stop();
      await durable.stop();
    }
    const stored1 = await countRows(world.db, 'notifications');
    const batch = await repeat(options.runs, () => load(`${world.service.url}/webhooks/graph`, bodies(targets, 50), options.seconds));
    const storedAll = await countRows(world.db, 'notifications');
    const acked1 = single.reduce((n, r) => n + r.ok, 0);
    const acked50 = batch.reduce((n, r) => n + r.ok, 0) * 50;
    const rps = median(single.map((r) => r.rps));
    const durableRps = median(durableRuns.map((r) => r.rps));
    return [
      { scenario: 'ingest', name: 'probe: empty Fastify POST route', value: median(emptyRuns.map((r) => r.rps)), unit: 'req/s', runs: emptyRuns.map((r) => r.rps) },
      { scenario: 'ingest', name: 'probe: bare durable insert (group commit)', value: durableRps, unit: 'req/s', runs: durableRuns.map((r) => r.rps) },
      { scenario: 'ingest', name: 'webhook, 1 item/request', value: rps, unit: 'req/s', target: 0.75 * durableRps, goal: 'min', runs: single.map((r) => r.rps) },
      { scenario: 'ingest', name: 'webhook p99 ack, 1 item/request', value: median(single.map((r) => r.p99)), unit: 'ms', target: 25, goal: 'max' },
      { scenario: 'ingest', name: 'webhook, 50 items/request', value: median(batch.map((r) => r.rps)) * 50, unit: 'items/s' },
      { scenario: 'ingest', name: 'webhook p99 ack, 50 items/request', value: median(batch.map((r) => r.p99)), unit: 'ms' },
      // Requests still in flight when a run ends are stored but not counted as acknowledged: stored >= acked.
      { scenario: 'ingest', name: 'acknowledged items not stored', value: Math.max(0, acked1 + acked50 - storedAll), unit: 'items', target: 0, goal: 'max' },
      { scenario: 'ingest', name: 'acknowledged items', value: acked1 + acked50, unit: 'items' },
      { scenario: 'ingest', name: 'stored after 1-item runs', value: stored1, unit: 'items' },
    ];
  } finally {
    await world.close();
  }
}

async function subscribeAll(world: Awaited<ReturnType<typeof startBenchWorld>>): Promise<Target[]> {
  const tenants = Array.from({ length: CONNECTIONS }, (_, i) => world.addTenant(10, i + 1));
  for (const [i, t] of tenants.entries()) await world.connect(`tenant-${i}`, t);
  const deadline = Date.now() + 60_000;
  while (tenants.some((t) => world.sim.listSubscriptions(t.tenantId).length === 0)) {
    if (Date.now() > deadline) throw new Error('subscriptions were not created');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 2000)); // initial syncs settle
  return tenants.map((t) => {
    const sub = world.sim.listSubscriptions(t.tenantId)[0]!;
    return { subscriptionId: sub.id, clientState: sub.clientState!, tenantId: t.tenantId, userIds: world.sim.listUsers(t.tenantId).map((u) => u.id) };
  });
}

/** A pool of realistic request bodies (Graph's shape), cycled through by the load generator. */
function bodies(targets: Target[], items: number): string[] {
  const pool: string[] = [];
  for (let n = 0; n < 500; n++) {
    const value = Array.from({ length: items }, (_, k) => {
      const t = targets[(n + k) % targets.length]!;
      const userId = t.userIds[(n * 7 + k) % t.userIds.length]!;
      return {
        subscriptionId: t.subscriptionId,
        subscriptionExpirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
        changeType: 'updated',
        resource: `Users/${userId}`,
        resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${userId}`, id: userId, organizationId: t.tenantId, sequenceNumber: n },
        clientState: t.clientState,
        tenantId: t.tenantId,
      };
    });
    pool.push(JSON.stringify({ value }));
  }
  return pool;
}

interface LoadResult {
  rps: number;
  p99: number;
  ok: number;
}

async function load(url: string, pool: string[], seconds: number): Promise<LoadResult> {
  let i = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: 50,
    pipelining: 1,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: pool[i++ % pool.length] }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) console.log(`  (${result.non2xx} non-2xx, ${result.errors} errors)`);
  return { rps: result.requests.average, p99: result.latency.p99, ok: result['2xx'] };
}

async function repeat<T>(runs: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < runs; i++) out.push(await fn());
  return out;
}

/**
 * A probe server in its own process and database. The probes get the webhook's own request
 * bodies, so that parsing and storing them costs the same.
 */
async function startProbe(kind: 'empty' | 'durable'): Promise<{ url: string; stop(): Promise<void> }> {
  const db = await createTestDatabase();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/probes/probe-server.ts'], {
    env: { ...process.env, PROBE: kind, DATABASE_URL: db.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await db.drop();
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        const m = /listening (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`probe exited ${code}`)));
    });
    return { url: `http://127.0.0.1:${port}/probe`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Lets the sync rounds a webhook run caused finish before a probe runs on the same cores. */
async function settle(world: Awaited<ReturnType<typeof startBenchWorld>>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await world.db.database.pool.query(`SELECT count(*)::int AS n FROM sync_state WHERE pending_since IS NOT NULL`);
    if (r.rows[0].n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}
