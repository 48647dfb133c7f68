/** Runs the CLI in-process with captured output, as bin/entra-sync.js would with a non-TTY stdout. */
import { runCli } from '../../src/cli/cli.js';
import type { Terminal } from '../../src/cli/cli-io.js';

export interface CliRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  /** Everything written, stdout then stderr, one string (for messages in failed assertions). */
  readonly text: string;
}

export async function cli(argv: string[], env: NodeJS.ProcessEnv, terminal?: Terminal): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env, terminal };
  const code = await runCli(argv, io);
  return { code, out, err, text: [...out, ...err].join('\n') };
}

/** The checklist line that starts with this mark and contains this text (trimmed), or undefined. */
export function line(run: CliRun, mark: '✓' | '✗' | '!' | '-', contains: string): string | undefined {
  return run.out.map((l) => l.trim()).find((l) => l.startsWith(`${mark} `) && l.includes(contains));
}

/** The `fix:` line right after the checklist line found by `line`. */
export function fixFor(run: CliRun, mark: '✓' | '✗' | '!' | '-', contains: string): string | undefined {
  const lines = run.out.map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith(`${mark} `) && l.includes(contains));
  const next = at >= 0 ? lines[at + 1] : undefined;
  return next?.startsWith('fix: ') ? next : undefined;
}
