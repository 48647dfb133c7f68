/**
 * Re-encrypts every stored secret under the current SECRET_KEY, without downtime:
 *
 *   1. every replica runs with SECRET_KEY=new and SECRET_KEY_PREVIOUS=old (a rolling restart:
 *      both keys decrypt, new secrets are written under the new key);
 *   2. `entra-sync rotate-key` rewrites whatever is still under another key;
 *   3. SECRET_KEY_PREVIOUS is removed from every replica (another rolling restart).
 *
 * One connection per transaction, its row locked (FOR UPDATE) while its blobs are rewritten, so an
 * admin changing a secret at the same moment is neither lost nor overwritten with the old value.
 * The plaintext does not change, so updated_at is left alone: nothing that caches a decrypted
 * secret needs to reload it.
 */
import { secretContext } from '../connections/connection.js';
import type { Db } from '../db/database.js';
import type { SecretBox } from './secret-box.js';

/** Every encrypted column, with the context its blobs are bound to. */
export const ENCRYPTED_COLUMNS = [
  { column: 'client_secret_enc', field: 'client secret', context: secretContext.clientSecret },
  { column: 'leena_api_key_enc', field: 'Leena API key', context: secretContext.leenaApiKey },
  {
    column: 'leena_signing_secret_enc',
    field: 'Leena signing secret',
    context: secretContext.leenaSigningSecret,
  },
] as const;

type EncryptedColumn = (typeof ENCRYPTED_COLUMNS)[number]['column'];

export interface RotationFailure {
  readonly connection: string;
  readonly field: string;
  readonly problem: string;
}

export interface RotationReport {
  readonly connections: number;
  /** Blobs rewritten under the current key (or, in a dry run, that would be). */
  readonly reencrypted: number;
  readonly alreadyCurrent: number;
  readonly failures: readonly RotationFailure[];
}

export async function rotateSecrets(
  db: Db,
  box: SecretBox,
  options: { dryRun?: boolean } = {},
): Promise<RotationReport> {
  const ids = await db.selectFrom('connections').select('id').orderBy('id').execute();
  let reencrypted = 0;
  let alreadyCurrent = 0;
  const failures: RotationFailure[] = [];
  for (const { id } of ids) {
    const result = await db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('connections')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (row === undefined) return { rewritten: 0, current: 0, failed: [] as RotationFailure[] }; // deleted meanwhile
      const set: Partial<Record<EncryptedColumn, Buffer>> = {};
      const failed: RotationFailure[] = [];
      let current = 0;
      for (const c of ENCRYPTED_COLUMNS) {
        const blob = row[c.column];
        if (!box.needsReencryption(blob)) {
          current += 1;
          continue;
        }
        try {
          set[c.column] = box.encrypt(box.decrypt(blob, c.context(id)), c.context(id));
        } catch (error) {
          failed.push({ connection: row.name, field: c.field, problem: (error as Error).message });
        }
      }
      const rewritten = Object.keys(set).length;
      if (rewritten > 0 && !options.dryRun)
        await tx.updateTable('connections').set(set).where('id', '=', id).execute();
      return { rewritten, current, failed };
    });
    reencrypted += result.rewritten;
    alreadyCurrent += result.current;
    failures.push(...result.failed);
  }
  return { connections: ids.length, reencrypted, alreadyCurrent, failures };
}
