/**
 * Scenario 3 — initial sync: N users in the simulator, a new connection, until every event is
 * accepted by the sink. Reports the time to have the outbox written, the time until the sink has
 * all, users/s and the service's peak RSS.
 */
import { type Figure, peakRssMb, waitUntil } from '../lib/measure.js';
import { adminFetch } from '../../test/helpers/context.js';
import { countRows, startBenchWorld, type Tenant } from '../lib/world.js';

interface InitialSyncOptions {
  users: number;
  graphLatencyMs: number;
  label: string;
  targets: boolean;
  /** Then drift 1 % of the users behind the service's back and time a forced reconcile. */
  reconcileAfter?: boolean;
}

export async function initialSyncScenario(options: InitialSyncOptions): Promise<Figure[]> {
  const world = await startBenchWorld({ CHANGE_DEBOUNCE_MS: '1000' });
  try {
    const tenant = world.addTenant(options.users, 11);
    world.sim.faults.latencyMs = options.graphLatencyMs;
    const started = performance.now();
    const connectionId = await world.connect('initial', tenant);
    // The initial run succeeds once its last page is committed: the outbox is written. Polling
    // count(*) instead scanned the whole outbox four times a second (1.3 GB at 1M users), slowing
    // the run it measured.
    const outboxMs = await waitUntil('outbox written', () => initialRunSucceeded(world, connectionId), 1_800_000, 250);
    const written = await countRows(world.db, 'outbox_events');
    if (written !== options.users) throw new Error(`the initial run succeeded with ${written} of ${options.users} events written`);
    await waitUntil('sink has every user', () => world.sink.events.length >= options.users, 1_800_000, 250);
    const total = (performance.now() - started) / 1000;
    const rss = peakRssMb(world.service.proc.pid!);
    const s = `initial sync ${options.users.toLocaleString('en-US')}${options.label}`;
    const t = options.targets && options.users <= 100_000;
    const drift = options.reconcileAfter ? await reconcileAfterDrift(world, tenant, connectionId, options) : [];
    return [
      ...drift,
      { scenario: s, name: 'outbox written', value: outboxMs / 1000, unit: 's', ...(t ? { target: 10, goal: 'max' as const } : {}) },
      { scenario: s, name: 'sink has every event', value: total, unit: 's', ...(t ? { target: 20, goal: 'max' as const } : {}) },
      { scenario: s, name: 'throughput (to outbox)', value: options.users / (outboxMs / 1000), unit: 'users/s' },
      { scenario: s, name: 'service peak RSS', value: rss, unit: 'MB', ...(options.targets ? { target: 250, goal: 'max' as const } : {}) },
      { scenario: s, name: 'sink duplicates', value: world.sink.state().duplicates, unit: 'events' },
    ];
  } finally {
    await world.close();
  }
}

async function initialRunSucceeded(world: Awaited<ReturnType<typeof startBenchWorld>>, connectionId: string): Promise<boolean> {
  const r = await world.db.database.pool.query(
    `SELECT status, error FROM reconcile_runs WHERE connection_id = $1 AND trigger = 'initial' ORDER BY requested_at DESC LIMIT 1`,
    [connectionId],
  );
  const run = r.rows[0] as { status: string; error: string | null } | undefined;
  if (run && run.status !== 'queued' && run.status !== 'running' && run.status !== 'succeeded')
    throw new Error(`the initial run ended ${run.status}: ${run.error ?? ''}`);
  return run?.status === 'succeeded';
}

/**
 * Issue 5's measurement: a reconcile of a tenant Leena AI already holds (staged, differences only).
 * 1 % of the users change with notifications suppressed; a forced reconcile must find exactly them.
 */
async function reconcileAfterDrift(
  world: Awaited<ReturnType<typeof startBenchWorld>>,
  tenant: Tenant,
  connectionId: string,
  options: InitialSyncOptions,
): Promise<Figure[]> {
  world.sim.faults.suppressNotifications = true;
  const users = world.sim.listUsers(tenant.tenantId);
  const drifted = Math.floor(users.length / 100);
  for (let i = 0; i < drifted; i++) world.sim.updateUser(tenant.tenantId, users[i * 100]!.id, { jobTitle: `Drifted ${i}` });
  const started = performance.now();
  const queued = await adminFetch(world.service.url, `/admin/connections/${connectionId}/reconcile`, { method: 'POST', body: {} });
  if (queued.status !== 202) throw new Error(`reconcile not queued: ${JSON.stringify(queued.body)}`);
  const runId = queued.body.runId as string;
  let run: Record<string, unknown> = {};
  await waitUntil('reconcile finished', async () => {
    run = (await adminFetch(world.service.url, `/admin/reconcile-runs/${runId}`)).body as Record<string, unknown>;
    return run.status !== 'queued' && run.status !== 'running';
  }, 1_800_000, 100);
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 'succeeded' || run.updated !== drifted) throw new Error(`reconcile ${String(run.status)}: ${JSON.stringify(run)}`);
  const s = `reconcile ${options.users.toLocaleString('en-US')} (1 % drifted)${options.label}`;
  return [
    { scenario: s, name: 'run time (queued → succeeded)', value: seconds, unit: 's' },
    { scenario: s, name: 'throughput', value: options.users / seconds, unit: 'users/s' },
    { scenario: s, name: 'differences found (updated)', value: Number(run.updated), unit: `users (of ${drifted} drifted)` },
    { scenario: s, name: 'Graph requests', value: Number(run.graphRequests), unit: 'req' },
    { scenario: s, name: 'service peak RSS (whole run)', value: peakRssMb(world.service.proc.pid!), unit: 'MB' },
  ];
}
