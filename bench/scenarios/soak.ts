/**
 * Soak (issue 8.6): SOAK_MINUTES (default 15) of mixed load on one replica — directory changes
 * arriving as notifications (~20/s, with hires and leavers), forged webhook items, admin status
 * reads, a reconcile every 5 minutes (RECONCILE_CRON) plus a forced one, delivery to a Leena AI
 * that is 20 ms slow and down for 20 s every 4 minutes. Every 15 s it samples the service's RSS,
 * heap, event-loop delay (p99 over the interval), open handles and Postgres connections. The
 * figures compare the curve's start (median of the 3 samples after two minutes of warm-up) with its end
 * (median of the last 3), and at the end Leena AI must hold exactly the tenant (0 events lost).
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminFetch } from '../../test/helpers/context.js';
import { isConverged, lostEvents, mixedChanges } from '../../test/hardening/support/world.js';
import { currentRssMb, type Figure, median, waitUntil } from '../lib/measure.js';
import { startBenchWorld } from '../lib/world.js';

const USERS = 5_000;
const SAMPLE_EVERY_MS = 15_000;
/** The first two minutes warm up (JIT, pools, caches, the first reconcile): the curve starts after. */
const WARMUP_SECONDS = 120;

interface Sample {
  atSeconds: number;
  rssMb: number;
  heapUsedMb: number;
  eventLoopP99Ms: number;
  activeHandles: number;
  postgresConnections: number;
  outboxPending: number;
  eventsAtSink: number;
}

export async function soakScenario(options: { minutes: number }): Promise<Figure[]> {
  const world = await startBenchWorld({ CHANGE_DEBOUNCE_MS: '1000', RECONCILE_CRON: '*/5 * * * *', LOG_LEVEL: 'warn' });
  const stopLoad = new AbortController();
  try {
    const tenant = world.addTenant(USERS, 5);
    world.sink.faults.latencyMs = 20;
    const connectionId = await world.connect('soak', tenant);
    await waitUntil('initial sync at the sink', () => world.sink.events.length >= USERS, 300_000, 200);
    await waitUntil('subscription', () => world.sim.listSubscriptions(tenant.tenantId).length > 0, 60_000);

    const started = Date.now();
    const until = started + options.minutes * 60_000;
    const load = runLoad(world, tenant.tenantId, connectionId, until, stopLoad.signal);
    const samples: Sample[] = [];
    while (Date.now() < until) {
      await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, until - Date.now())));
      const sample = await takeSample(world, started);
      samples.push(sample);
      console.log(`  soak ${fmtSample(sample)}`);
    }
    await load;
    world.sink.setDown(false);
    const convergeStarted = Date.now();
    await waitUntil('converged', () => isConverged(world.sink, world.sim, connectionId, tenant.tenantId), 300_000, 250);
    const convergedSeconds = (Date.now() - convergeStarted) / 1000;
    const lost = (await lostEvents(world.db, world.sink, connectionId)).length;
    writeFileSync('bench/soak-curve.json', `${JSON.stringify({ date: new Date().toISOString(), minutes: options.minutes, samples }, null, 2)}\n`);
    return soakFigures(samples, { minutes: options.minutes, convergedSeconds, lost, events: world.sink.events.length });
  } finally {
    stopLoad.abort();
    await world.close();
  }
}

type World = Awaited<ReturnType<typeof startBenchWorld>>;

/** The mixed workload, until `until`. Each strand is a loop of its own. */
async function runLoad(world: World, tenantId: string, connectionId: string, until: number, signal: AbortSignal): Promise<void> {
  const running = () => Date.now() < until && !signal.aborted;
  const every = async (ms: number, fn: (round: number) => Promise<void> | void) => {
    for (let round = 0; running(); round++) {
      await fn(round);
      await sleep(ms, undefined, { signal }).catch(() => {});
    }
  };
  await Promise.all([
    every(500, (round) => mixedChanges(world.sim, tenantId, round, 10)),
    every(200, () => forgedNotification(world.service.url)),
    every(2_000, async () => {
      await adminFetch(world.service.url, `/admin/connections/${connectionId}/status`);
    }),
    every(240_000, async (round) => {
      if (round === 0) return;
      world.sink.setDown(true);
      await sleep(20_000, undefined, { signal }).catch(() => {});
      world.sink.setDown(false);
    }),
    every(450_000, async (round) => {
      if (round === 1) await adminFetch(world.service.url, `/admin/connections/${connectionId}/reconcile`, { method: 'POST', body: {} });
    }),
  ]);
}

/** An item that fails the checks (unknown subscription): dropped, still 202. */
async function forgedNotification(serviceUrl: string): Promise<void> {
  const body = {
    value: [
      {
        subscriptionId: '00000000-0000-0000-0000-000000000000',
        changeType: 'updated',
        clientState: 'not-ours',
        resource: 'Users/forged',
        tenantId: '00000000-0000-0000-0000-000000000001',
        resourceData: { '@odata.type': '#Microsoft.Graph.User', id: 'forged' },
      },
    ],
  };
  await fetch(`${serviceUrl}/webhooks/graph`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.arrayBuffer());
}

async function takeSample(world: World, started: number): Promise<Sample> {
  const text = await (await fetch(`${world.service.url}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  const pool = world.db.database.pool;
  const conns = await pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const benchOwn = pool.totalCount; // this process's pool: the rest are the service's
  const pending = await pool.query(`SELECT count(*)::int AS n FROM delivery_queue WHERE NOT dead`);
  return {
    atSeconds: Math.round((Date.now() - started) / 1000),
    rssMb: currentRssMb(world.service.proc.pid!),
    heapUsedMb: Math.round(metric('entra_sync_nodejs_heap_size_used_bytes') / 2 ** 20),
    eventLoopP99Ms: Math.round(metric('entra_sync_nodejs_eventloop_lag_p99_seconds') * 10_000) / 10,
    activeHandles: metric('entra_sync_nodejs_active_handles_total'),
    postgresConnections: (conns.rows[0].n as number) - benchOwn,
    outboxPending: pending.rows[0].n as number,
    eventsAtSink: world.sink.events.length,
  };
}

export function soakFigures(samples: Sample[], f: { minutes: number; convergedSeconds: number; lost: number; events: number }): Figure[] {
  const afterWarmup = samples.filter((s) => s.atSeconds >= WARMUP_SECONDS);
  const start = afterWarmup.slice(0, 3);
  const end = samples.slice(-3);
  const at = (xs: Sample[], key: keyof Sample) => median(xs.map((s) => s[key]));
  const s = `soak ${f.minutes} min`;
  const rssStart = at(start, 'rssMb');
  const rssEnd = at(end, 'rssMb');
  const growth = ((rssEnd - rssStart) / rssStart) * 100;
  return [
    { scenario: s, name: 'service RSS, start → end', value: rssEnd, unit: `MB (start ${rssStart})` },
    { scenario: s, name: 'RSS growth start → end', value: Math.max(0, growth), unit: `% (measured ${growth.toFixed(1)} %)`, target: 10, goal: 'max' },
    { scenario: s, name: 'heap used, end', value: at(end, 'heapUsedMb'), unit: `MB (start ${at(start, 'heapUsedMb')})` },
    { scenario: s, name: 'event-loop delay p99, end', value: at(end, 'eventLoopP99Ms'), unit: `ms (start ${at(start, 'eventLoopP99Ms')})`, target: 50, goal: 'max' },
    { scenario: s, name: 'open handles growth', value: Math.max(0, at(end, 'activeHandles') - at(start, 'activeHandles')), unit: `handles (start ${at(start, 'activeHandles')}, end ${at(end, 'activeHandles')})`, target: 5, goal: 'max' },
    { scenario: s, name: 'Postgres connections growth', value: Math.max(0, at(end, 'postgresConnections') - at(start, 'postgresConnections')), unit: `conns (start ${at(start, 'postgresConnections')}, end ${at(end, 'postgresConnections')})`, target: 2, goal: 'max' },
    { scenario: s, name: 'events delivered', value: f.events, unit: 'events' },
    { scenario: s, name: 'converged after the load stopped', value: f.convergedSeconds, unit: 's' },
    { scenario: s, name: 'events lost', value: f.lost, unit: 'events', target: 0, goal: 'max' },
  ];
}

function fmtSample(x: Sample): string {
  return (
    `t=${x.atSeconds}s rss=${x.rssMb}MB heap=${x.heapUsedMb}MB eld.p99=${x.eventLoopP99Ms}ms handles=${x.activeHandles} ` +
    `pg=${x.postgresConnections} pending=${x.outboxPending} sink=${x.eventsAtSink}`
  );
}
