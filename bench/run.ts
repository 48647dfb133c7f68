/**
 * `npm run bench [-- scenario ...]`: runs the benchmark scenarios on this machine, prints a table
 * (measured, target, ratio) and writes bench/results.json. Scenarios: ingest, latency, initial,
 * million, delivery, slow-graph. `--quick` shortens every run (for a smoke test, not for numbers).
 * Needs Postgres: TEST_DATABASE_URL / DATABASE_URL, or an embedded one is started.
 */
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import { baseUrl } from '../test/helpers/database.js';
import { type Figure, medianOfRuns } from './lib/measure.js';
import { printTable, writeResults } from './lib/report.js';
import { changeLatencyScenario } from './scenarios/change-latency.js';
import { deliveryScenario } from './scenarios/delivery.js';
import { ingestScenario } from './scenarios/ingest.js';
import { initialSyncScenario } from './scenarios/initial-sync.js';
import { soakScenario } from './scenarios/soak.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const chosen = args.filter((a) => !a.startsWith('--'));
const all = ['ingest', 'latency', 'initial', 'million', 'delivery', 'slow-graph', 'soak'];
const scenarios = chosen.length > 0 ? chosen : all;

const runners: Record<string, () => Promise<Figure[]>> = {
  ingest: () => ingestScenario({ seconds: quick ? 3 : 20, runs: quick ? 1 : 3 }),
  latency: () => changeLatencyScenario({ seconds: quick ? 10 : 60, graphLatencyMs: 0, label: '' }),
  initial: () =>
    medianOfRuns(quick ? 1 : 3, () => initialSyncScenario({ users: quick ? 10_000 : 100_000, graphLatencyMs: 0, label: '', targets: true, reconcileAfter: true })),
  million: () => initialSyncScenario({ users: quick ? 50_000 : 1_000_000, graphLatencyMs: 0, label: '', targets: true }),
  delivery: () => medianOfRuns(quick ? 1 : 3, async () => deliveryScenario()),
  soak: () => soakScenario({ minutes: quick ? 2 : Number(process.env.SOAK_MINUTES ?? 15) }),
  'slow-graph': async () => [
    ...(await changeLatencyScenario({ seconds: quick ? 10 : 60, graphLatencyMs: 150, label: ' (Graph +150 ms)' })),
    ...(await initialSyncScenario({ users: quick ? 10_000 : 100_000, graphLatencyMs: 150, label: ' (Graph +150 ms)', targets: false })),
  ],
};

// Measure the service as it runs in production: compiled, not through tsx.
execSync('npm run build', { stdio: 'inherit' });
process.env.ENTRA_SYNC_DIST = '1';
// One Postgres for every scenario, child processes included (the delivery benchmark is one): an
// embedded server per process would have two servers competing for the same two cores.
process.env.TEST_DATABASE_URL ??= process.env.DATABASE_URL ?? (await baseUrl());
console.log(`Postgres: ${new URL(process.env.TEST_DATABASE_URL).host}`);

const figures: Figure[] = [];
for (const name of scenarios) {
  const run = runners[name];
  if (!run) {
    console.error(`unknown scenario "${name}"; choose from ${all.join(', ')}`);
    process.exit(2);
  }
  const started = Date.now();
  console.log(`== ${name}`);
  try {
    const got = await run();
    figures.push(...got);
    for (const f of got) console.log(`  ${f.name}: ${Math.round(f.value * 100) / 100} ${f.unit}`);
  } catch (error) {
    console.error(`  ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  console.log(`  (${Math.round((Date.now() - started) / 1000)} s)`);
}
printTable(figures);
writeResults(join('bench', quick ? 'results.quick.json' : 'results.json'), figures);
process.exit(0);
