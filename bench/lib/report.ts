/** Prints the benchmark table and writes bench/results.json. */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { type Figure, ratio } from './measure.js';

export function printTable(figures: readonly Figure[]): void {
  const rows = figures.map((f) => {
    const r = ratio(f);
    const target = f.target === undefined ? '' : `${f.goal === 'min' ? '>=' : '<='} ${fmt(f.target)} ${f.unit}`;
    return [f.scenario, f.name, `${fmt(f.value)} ${f.unit}`, target, r === undefined ? '' : `${Number.isFinite(r) ? r.toFixed(2) : 'met'}${r >= 1 ? ' ok' : ' MISS'}`];
  });
  const header = ['scenario', 'figure', 'measured', 'target', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
}

export function writeResults(path: string, figures: readonly Figure[]): void {
  const machine = { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  const body = { date: new Date().toISOString(), machine, figures: figures.map((f) => { const r = ratio(f); return { ...f, ratio: r === undefined || !Number.isFinite(r) ? (r === undefined ? null : 'met') : r }; }) };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return String(Math.round(n * 100) / 100);
}
