/** Prints the benchmark table and writes bench/results.json. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { type Figure, ratio } from './measure.js';

export function printTable(figures: readonly Figure[]): void {
  const rows = figures.map((f) => {
    const r = ratio(f);
    const target = f.target === undefined ? '' : `${f.goal === 'min' ? '>=' : '<='} ${fmt(f.target)} ${f.unit}`;
    const measured = `${fmt(f.value)} ${f.unit}${f.runs ? ` (median: ${f.runs.map(fmt).join(' / ')})` : ''}`;
    return [f.scenario, f.name, measured, target, r === undefined ? '' : `${Number.isFinite(r) ? r.toFixed(2) : 'met'}${r >= 1 ? ' ok' : ' MISS'}`];
  });
  const header = ['scenario', 'figure', 'measured', 'target', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
}

/**
 * Writes the figures into `path`, keeping the figures of scenarios not run this time (each
 * figure carries the date it was measured), so scenarios can be run one at a time.
 */
export function writeResults(path: string, figures: readonly Figure[]): void {
  const machine = { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  const measuredAt = new Date().toISOString();
  const fresh = figures.map((f) => {
    const r = ratio(f);
    return { ...f, ratio: r === undefined ? null : Number.isFinite(r) ? r : 'met', measuredAt };
  });
  const ran = new Set(figures.map((f) => f.scenario));
  const kept = previousFigures(path).filter((f) => !ran.has(f.scenario));
  const body = { date: measuredAt, machine, figures: [...kept, ...fresh] };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
}

function previousFigures(path: string): Array<{ scenario: string }> {
  if (!existsSync(path)) return [];
  try {
    const figures = (JSON.parse(readFileSync(path, 'utf8')) as { figures?: unknown }).figures;
    return Array.isArray(figures) ? (figures as Array<{ scenario: string }>) : [];
  } catch {
    return [];
  }
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return String(Math.round(n * 100) / 100);
}
