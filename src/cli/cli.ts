/**
 * `npx entra-sync <command>`: finds the command, runs it, and turns what went wrong into one
 * message for the operator and an exit code (0 ok, 1 a check or operation failed, 2 bad usage or
 * configuration). bin/entra-sync.js calls runCli; tests call it in-process with captured output.
 */
import { ConfigError } from '../config/config.js';
import { AdminApiError } from './admin-client.js';
import type { CliCommand, CliIo } from './command.js';
import { UsageError } from './cli-io.js';
import { commands } from './registry.js';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const wanted = rest[0] && find(rest[0]);
    if (wanted) printUsage(wanted, io);
    else printHelp(io);
    return name === undefined ? 2 : 0;
  }
  const command = find(name);
  if (!command) {
    io.err(`unknown command "${name}"; run "entra-sync --help" for the list`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    printUsage(command, io);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return report(error, command, io);
  }
}

function find(name: string): CliCommand | undefined {
  return commands.find((c) => c.name === name);
}

function report(error: unknown, command: CliCommand, io: CliIo): number {
  if (error instanceof UsageError || error instanceof ConfigError) {
    io.err(error.message);
    return 2;
  }
  if (error instanceof AdminApiError) {
    io.err(`✗ ${error.message}`);
    const problems = (error.details as { problems?: unknown } | undefined)?.problems;
    if (Array.isArray(problems) && problems.length > 1)
      for (const p of problems) io.err(`    - ${String(p)}`);
    return 1;
  }
  io.err(`✗ ${command.name} failed: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

function printUsage(command: CliCommand, io: CliIo): void {
  io.out(`usage: ${command.usage}`);
  io.out(`  ${command.summary}`);
}

function printHelp(io: CliIo): void {
  io.out('usage: entra-sync <command> [options]');
  io.out('');
  const width = Math.max(...commands.map((c) => c.name.length));
  for (const c of commands) io.out(`  ${c.name.padEnd(width)}  ${c.summary}`);
  io.out('');
  io.out('Commands that talk to a running service (connections, reconcile, status) use --url');
  io.out('(default $ENTRA_SYNC_URL, else http://127.0.0.1:$PORT) and $ADMIN_TOKEN. migrate and');
  io.out('doctor <connection> use Postgres directly: $DATABASE_URL (or the embedded one under');
  io.out('$DATA_DIR) and $SECRET_KEY. "entra-sync help <command>" shows a command\'s options.');
}
