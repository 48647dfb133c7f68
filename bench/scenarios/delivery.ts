/** Scenario 4 — delivery: 100,000 queued events to a zero-latency sink (bench/delivery.bench.ts). */
import { spawnSync } from 'node:child_process';
import type { Figure } from '../lib/measure.js';

export function deliveryScenario(): Figure[] {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/delivery.bench.ts'], { encoding: 'utf8', env: process.env, timeout: 600_000 });
  const out = `${run.stdout}\n${run.stderr}`;
  const m = /delivered (\d+) events in ([\d.]+) s: (\d+) events\/s/.exec(out);
  if (!m) throw new Error(`delivery bench printed no result:\n${out}`);
  return [{ scenario: 'delivery 100,000 events', name: 'throughput, zero-latency sink', value: Number(m[3]), unit: 'events/s', target: 10_000, goal: 'min' }];
}
