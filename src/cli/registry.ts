/** Every CLI command, in the order `entra-sync --help` lists them. */
import type { CliCommand } from './command.js';
import { command as connections } from './commands/connections.js';
import { command as doctor } from './commands/doctor.js';
import { command as migrate } from './commands/migrate.js';
import { command as reconcile } from './commands/reconcile.js';
import { command as rotateKey } from './commands/rotate-key.js';
import { command as status } from './commands/status.js';

export const commands: readonly CliCommand[] = [doctor, connections, status, reconcile, migrate, rotateKey];
