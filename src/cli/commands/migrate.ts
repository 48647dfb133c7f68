/**
 * `entra-sync migrate`: applies pending migrations to DATABASE_URL (the service also does this at
 * start-up, under an advisory lock; this is for deploy pipelines that migrate before rolling out).
 */
import { loadConfig } from '../../config/config.js';
import { loadMigrations, migrate } from '../../db/migrate.js';
import { parse } from '../args.js';
import { openCliDatabase } from '../cli-database.js';
import type { CliCommand } from '../command.js';

const usage = 'entra-sync migrate';

export const command: CliCommand = {
  name: 'migrate',
  summary: 'apply pending database migrations (the service also does it at start-up)',
  usage,
  async run(args, io) {
    parse(args, {}, usage);
    const config = loadConfig(io.env, { requireAdminToken: false });
    const cli = await openCliDatabase(config);
    try {
      const { applied } = await migrate(cli.database.pool);
      const known = loadMigrations().length;
      if (applied.length === 0) io.out(`✓ ${cli.where} is up to date (${known} migrations)`);
      else
        io.out(
          `✓ applied ${applied.length} migration${applied.length === 1 ? '' : 's'} to ${cli.where}: ${applied.join(', ')}`,
        );
      return 0;
    } finally {
      await cli.close();
    }
  },
};
