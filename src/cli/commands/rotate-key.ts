/**
 * `entra-sync rotate-key [--dry-run]`: re-encrypts every stored secret under SECRET_KEY while the
 * service keeps running (src/crypto/rotate-key.ts has the three steps). Needs the database itself
 * (DATABASE_URL, or the embedded one when the service is stopped), SECRET_KEY (the new key) and
 * SECRET_KEY_PREVIOUS (the old one) — the same values the replicas run with during step 1.
 */
import { loadConfig } from '../../config/config.js';
import { rotateSecrets } from '../../crypto/rotate-key.js';
import { createSecretBox } from '../../crypto/secret-box.js';
import { flag, parse } from '../args.js';
import { openCliDatabase } from '../cli-database.js';
import { UsageError } from '../cli-io.js';
import type { CliCommand } from '../command.js';

const usage = 'entra-sync rotate-key [--dry-run]';

export const command: CliCommand = {
  name: 'rotate-key',
  summary:
    're-encrypt every stored secret under SECRET_KEY (after setting SECRET_KEY_PREVIOUS on every replica)',
  usage,
  async run(args, io) {
    const parsed = parse(args, { 'dry-run': { type: 'boolean' } }, usage);
    const dryRun = flag(parsed, 'dry-run');
    const config = loadConfig(io.env, { requireAdminToken: false });
    if (config.secretKeys.length === 0) {
      throw new UsageError(
        'SECRET_KEY is not set: set it to the new key (and SECRET_KEY_PREVIOUS to the old one), as on the running replicas',
      );
    }
    const cli = await openCliDatabase(config);
    try {
      const report = await rotateSecrets(cli.database.db, createSecretBox(config.secretKeys), { dryRun });
      const total = report.reencrypted + report.alreadyCurrent + report.failures.length;
      const verb = dryRun ? 'would re-encrypt' : 're-encrypted';
      io.out(
        `${report.connections} connection${report.connections === 1 ? '' : 's'}, ${total} stored secrets: ` +
          `${verb} ${report.reencrypted} under SECRET_KEY, ${report.alreadyCurrent} already under it (${cli.where})`,
      );
      for (const f of report.failures) io.err(`✗ connection "${f.connection}", ${f.field}: ${f.problem}`);
      if (report.failures.length > 0) {
        io.err(
          `✗ ${report.failures.length} secret${report.failures.length === 1 ? '' : 's'} could not be decrypted: set SECRET_KEY_PREVIOUS ` +
            'to the key they were stored with and run rotate-key again; keep SECRET_KEY_PREVIOUS on the replicas until then',
        );
        return 1;
      }
      if (dryRun) io.out('dry run: nothing written');
      else
        io.out(
          '✓ every stored secret is under SECRET_KEY: remove SECRET_KEY_PREVIOUS from every replica and restart them',
        );
      return 0;
    } finally {
      await cli.close();
    }
  },
};
