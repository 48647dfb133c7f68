/**
 * A CLI command (`npx entra-sync <name> ...`). Each command is one file in commands/ exporting
 * `command: CliCommand`; cli.ts lists them. Commands print for humans on `out`, errors on `err`,
 * and return the process exit code (0 ok, 1 failed check/operation, 2 bad usage or configuration).
 */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}
