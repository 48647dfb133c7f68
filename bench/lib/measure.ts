/** Small measuring tools for the benchmarks: percentiles, medians, peak RSS of a process. */
import { readFileSync } from 'node:fs';

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Peak resident set (VmHWM) of a Linux process, in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

export function currentRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

export async function waitUntil(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs: number, pollMs = 50): Promise<number> {
  const started = performance.now();
  while (!(await predicate())) {
    if (performance.now() - started > timeoutMs) throw new Error(`benchmark timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return performance.now() - started;
}

export interface Figure {
  readonly scenario: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The goal; undefined for figures reported without a target (probes, context). */
  readonly target?: number;
  /** 'min': value must reach the target; 'max': value must stay under it. */
  readonly goal?: 'min' | 'max';
  /** Every run's value, when `value` is their median. */
  readonly runs?: readonly number[];
}

export function ratio(f: Figure): number | undefined {
  if (f.target === undefined || f.goal === undefined) return undefined;
  if (f.goal === 'max' && f.value === 0) return Number.POSITIVE_INFINITY;
  return f.goal === 'min' ? f.value / f.target : f.target / f.value;
}

/**
 * Runs a scenario `runs` times and keeps, figure by figure, the median value (the rule for
 * runs shorter than 30 s). Each run must report the same figures in the same order.
 */
export async function medianOfRuns(runs: number, scenario: () => Promise<Figure[]>): Promise<Figure[]> {
  const all: Figure[][] = [];
  for (let i = 0; i < runs; i++) all.push(await scenario());
  return all[0]!.map((f, i) => ({
    ...f,
    value: median(all.map((figures) => figures[i]?.value ?? Number.NaN)),
    ...(runs > 1 ? { runs: all.map((figures) => figures[i]?.value ?? Number.NaN) } : {}),
  }));
}
