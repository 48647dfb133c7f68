/**
 * Progress of a reconcile run: a bar redrawn in place on a terminal, or a line per phase (and at
 * most one every few seconds) when output goes to a file or a CI log. Scanning Graph is the
 * first 70 % (against the number of users known before the run), comparing/applying the rest.
 */
import type { runView } from '../reconcile/reconcile-view.js';
import type { Terminal } from './cli-io.js';

export type RunView = ReturnType<typeof runView>;

const LINE_EVERY_MS = 5_000;
const BAR_WIDTH = 24;

export interface Progress {
  update(run: RunView): void;
  /** Ends the bar's line so that what follows starts on a fresh one. */
  finish(): void;
}

export function createProgress(
  out: (line: string) => void,
  terminal: Terminal | undefined,
  estimate: number | null,
): Progress {
  if (terminal) return barProgress(terminal, estimate);
  let last = '';
  let lastAt = 0;
  let lastPhase: string | null = null;
  return {
    update(run) {
      const line = `reconcile ${run.runId.slice(0, 8)}: ${describe(run, estimate)}`;
      const phase = `${run.status}/${run.phase}`;
      if (line === last || (phase === lastPhase && Date.now() - lastAt < LINE_EVERY_MS)) return;
      out(line);
      [last, lastAt, lastPhase] = [line, Date.now(), phase];
    },
    finish() {},
  };
}

function barProgress(terminal: Terminal, estimate: number | null): Progress {
  let drawn = false;
  return {
    update(run) {
      const f = fraction(run, estimate);
      const filled = Math.round(f * BAR_WIDTH);
      const bar = `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(f * 100)).padStart(3)}%`;
      const line = `${bar}  ${describe(run, estimate)}`.slice(0, Math.max(20, terminal.columns - 1));
      terminal.write(`\r\x1b[2K${line}`);
      drawn = true;
    },
    finish() {
      if (drawn) terminal.write('\n');
    },
  };
}

export function fraction(run: RunView, estimate: number | null): number {
  if (run.status === 'succeeded') return 1;
  if (run.phase === 'applying' || run.phase === 'comparing') {
    const done = run.created + run.updated + run.unchanged;
    return 0.7 + 0.3 * Math.min(1, run.usersSeen > 0 ? done / run.usersSeen : 0);
  }
  if (run.phase === 'scanning' && estimate) return 0.7 * Math.min(0.99, run.usersSeen / estimate);
  if (run.phase === 'syncing' && estimate) return Math.min(0.99, run.usersSeen / estimate);
  return 0;
}

function describe(run: RunView, estimate: number | null): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if (run.status === 'queued') return 'queued, waiting for a worker';
  switch (run.phase) {
    case 'scanning':
      return `scanning Graph: ${n(run.usersSeen)}${estimate ? ` of ~${n(estimate)}` : ''} users (${n(run.pagesRead)} pages)`;
    case 'syncing':
      return `initial sync: ${n(run.created)} created of ${n(run.usersSeen)}${estimate ? ` (~${n(estimate)})` : ''} users read (${n(run.pagesRead)} pages)`;
    case 'applying':
    case 'comparing':
      return `${run.phase}: ${n(run.created)} created, ${n(run.updated)} updated, ${n(run.unchanged)} unchanged of ${n(run.usersSeen)}`;
    default:
      return `${run.status}${run.phase ? ` (${run.phase})` : ''}`;
  }
}
