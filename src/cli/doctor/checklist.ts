/**
 * The doctor's checklist: sections of checks, each ✓ (pass), ✗ (fail: a required check; exit 1),
 * ! (warning: works, but costs something) or - (not checked, and why), with a one-line fix for
 * every ✗ and !.
 */

export type Mark = 'pass' | 'fail' | 'warn' | 'skip';

export interface Check {
  readonly mark: Mark;
  readonly text: string;
  readonly fix?: string;
}

export interface Section {
  readonly title: string;
  readonly checks: readonly Check[];
}

export const pass = (text: string): Check => ({ mark: 'pass', text });
export const fail = (text: string, fix: string): Check => ({ mark: 'fail', text, fix });
export const warn = (text: string, fix?: string): Check => ({ mark: 'warn', text, fix });
export const skip = (text: string): Check => ({ mark: 'skip', text });

export const SYMBOLS: Record<Mark, string> = { pass: '✓', fail: '✗', warn: '!', skip: '-' };

export function renderChecklist(sections: readonly Section[]): string[] {
  const lines: string[] = [];
  for (const section of sections) {
    if (section.checks.length === 0) continue;
    lines.push('', section.title);
    for (const check of section.checks) {
      lines.push(`  ${SYMBOLS[check.mark]} ${check.text}`);
      if (check.fix) lines.push(`      fix: ${check.fix}`);
    }
  }
  return lines;
}

export function summarize(sections: readonly Section[]): {
  failures: number;
  warnings: number;
  line: string;
} {
  const all = sections.flatMap((s) => s.checks);
  const failures = all.filter((c) => c.mark === 'fail').length;
  const warnings = all.filter((c) => c.mark === 'warn').length;
  const notes = warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'} (!)` : '';
  const line =
    failures === 0
      ? `All required checks passed${notes}.`
      : `${failures} problem${failures === 1 ? '' : 's'} to fix (✗)${notes}: fix them and run doctor again.`;
  return { failures, warnings, line };
}
