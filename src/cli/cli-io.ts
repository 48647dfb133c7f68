/**
 * What the CLI adds to the command interface (command.ts): a terminal to redraw a progress bar
 * in place, present only when stdout is a TTY, and a usage error that cli.ts turns into exit 2.
 */
import type { CliIo } from './command.js';

export interface Terminal {
  /** Writes without a newline (the progress bar redraws its line with \r). */
  write(text: string): void;
  readonly columns: number;
}

export interface TerminalIo extends CliIo {
  readonly terminal?: Terminal;
}

/** Bad arguments or missing settings: the message says what to type instead; exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function terminalOf(io: CliIo): Terminal | undefined {
  return (io as TerminalIo).terminal;
}
