/**
 * Connection use cases shared by the admin API, the CLI and start-up (ENTRA_* variables):
 * validation in plain words, encryption of secrets, and the rows a new connection needs.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { checkLeenaUrl } from '../delivery/leena-url.js';
import { HttpError } from '../http/errors.js';
import { requestSubscriptionWork } from '../subscriptions/subscription.repository.js';
import { requestResync } from '../sync/sync-state.repository.js';
import type { Tx } from '../db/database.js';
import { sql } from 'kysely';
import { CHANNELS } from '../work/wakeups.js';
import { type Connection, type ConnectionSecrets, secretContext } from './connection.js';
import {
  type ConnectionRow,
  deleteConnectionRow,
  findConnectionRow,
  insertConnectionRow,
  insertConnectionWorkRows,
  listConnectionRows,
  toConnection,
  updateConnectionRow,
} from './connection.repository.js';

export interface ConnectionInput {
  readonly name: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientSecretExpiresAt?: string | null;
  readonly groupId?: string | null;
  readonly leena: { readonly url: string; readonly apiKey: string; readonly signingSecret: string };
}

export type ConnectionPatch = Partial<Omit<ConnectionInput, 'leena'>> & {
  readonly leena?: Partial<ConnectionInput['leena']>;
  readonly deliveryPaused?: boolean;
};

type Ctx = Pick<AppContext, 'config' | 'database' | 'secretBox' | 'logger'>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export async function listConnections(ctx: Ctx): Promise<Connection[]> {
  return (await listConnectionRows(ctx.database.db)).map(toConnection);
}

export async function getConnection(ctx: Ctx, idOrName: string): Promise<Connection> {
  return toConnection(await requireRow(ctx, idOrName));
}

export async function createConnection(ctx: Ctx, input: ConnectionInput): Promise<Connection> {
  assertValid(ctx, input);
  assertCanStoreConnections(ctx);
  const id = randomUUID();
  try {
    const row = await ctx.database.db.transaction().execute(async (tx) => {
      const inserted = await insertConnectionRow(tx, {
        id,
        name: input.name,
        tenant_id: input.tenantId,
        client_id: input.clientId,
        client_secret_enc: ctx.secretBox.encrypt(input.clientSecret, secretContext.clientSecret(id)),
        client_secret_expires_at: parseDate(input.clientSecretExpiresAt),
        group_id: input.groupId ?? null,
        leena_url: input.leena.url,
        leena_api_key_enc: ctx.secretBox.encrypt(input.leena.apiKey, secretContext.leenaApiKey(id)),
        leena_signing_secret_enc: ctx.secretBox.encrypt(input.leena.signingSecret, secretContext.leenaSigningSecret(id)),
      });
      await insertConnectionWorkRows(tx, id);
      return inserted;
    });
    ctx.logger.info({ connectionId: id, connection: input.name }, 'connection created; initial full sync requested');
    return toConnection(row);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new HttpError('conflict', `a connection named "${input.name}" already exists`);
    }
    throw error;
  }
}

export async function updateConnection(ctx: Ctx, idOrName: string, patch: ConnectionPatch): Promise<Connection> {
  const current = await requireRow(ctx, idOrName);
  const merged: ConnectionInput = {
    name: patch.name ?? current.name,
    tenantId: patch.tenantId ?? current.tenant_id,
    clientId: patch.clientId ?? current.client_id,
    clientSecret: patch.clientSecret ?? 'unchanged-secret',
    clientSecretExpiresAt: patch.clientSecretExpiresAt,
    groupId: patch.groupId === undefined ? current.group_id : patch.groupId,
    leena: {
      url: patch.leena?.url ?? current.leena_url,
      apiKey: patch.leena?.apiKey ?? 'unchanged-key',
      signingSecret: patch.leena?.signingSecret ?? 'whsec_dW5jaGFuZ2VkLXNpZ25pbmctc2VjcmV0',
    },
  };
  assertValid(ctx, merged);
  const id = current.id;
  const set: Partial<ConnectionRow> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.tenantId !== undefined) set.tenant_id = patch.tenantId;
  if (patch.clientId !== undefined) set.client_id = patch.clientId;
  if (patch.clientSecret !== undefined) {
    set.client_secret_enc = ctx.secretBox.encrypt(patch.clientSecret, secretContext.clientSecret(id));
    set.credential_error = null;
  }
  if (patch.clientSecretExpiresAt !== undefined) set.client_secret_expires_at = parseDate(patch.clientSecretExpiresAt);
  if (patch.groupId !== undefined) set.group_id = patch.groupId;
  if (patch.leena?.url !== undefined) set.leena_url = patch.leena.url;
  if (patch.leena?.apiKey !== undefined) {
    set.leena_api_key_enc = ctx.secretBox.encrypt(patch.leena.apiKey, secretContext.leenaApiKey(id));
  }
  if (patch.leena?.signingSecret !== undefined) {
    set.leena_signing_secret_enc = ctx.secretBox.encrypt(patch.leena.signingSecret, secretContext.leenaSigningSecret(id));
  }
  if (patch.deliveryPaused !== undefined) set.delivery_paused = patch.deliveryPaused;
  const scopeChanged =
    (patch.groupId !== undefined && patch.groupId !== current.group_id) ||
    (patch.tenantId !== undefined && patch.tenantId !== current.tenant_id);
  try {
    const row = await ctx.database.db.transaction().execute(async (tx) => {
      const updated = await updateConnectionRow(tx, id, set);
      // A new scope or tenant invalidates what we know: read everything again (differences only).
      if (patch.clientSecret !== undefined || patch.clientId !== undefined || patch.tenantId !== undefined) {
        // New credentials: retry at once whatever was backing off after an authentication failure.
        await retryNow(tx, id);
      }
      if (scopeChanged) {
        await requestResync(tx, id);
        await requestSubscriptionWork(tx, await subscriptionIds(tx, id), 'recreate');
      }
      return updated;
    });
    ctx.logger.info({ connectionId: id, connection: row.name, fields: Object.keys(set) }, 'connection updated');
    return toConnection(row);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new HttpError('conflict', `a connection named "${patch.name}" already exists`);
    }
    throw error;
  }
}

export async function deleteConnection(ctx: Ctx, idOrName: string): Promise<Connection> {
  const row = await requireRow(ctx, idOrName);
  await deleteConnectionRow(ctx.database.db, row.id);
  ctx.logger.info({ connectionId: row.id, connection: row.name }, 'connection deleted');
  return toConnection(row);
}

export function decryptSecrets(ctx: Pick<AppContext, 'secretBox'>, row: ConnectionRow): ConnectionSecrets {
  return {
    clientSecret: ctx.secretBox.decrypt(row.client_secret_enc, secretContext.clientSecret(row.id)),
    leenaApiKey: ctx.secretBox.decrypt(row.leena_api_key_enc, secretContext.leenaApiKey(row.id)),
    leenaSigningSecret: ctx.secretBox.decrypt(row.leena_signing_secret_enc, secretContext.leenaSigningSecret(row.id)),
  };
}

/** Start-up: ENTRA_* / LEENA_* define the connection named "default"; create it or bring it up to date. */
export async function ensureDefaultConnection(ctx: Ctx): Promise<Connection | undefined> {
  const d = ctx.config.defaultConnection;
  if (d === undefined) return undefined;
  const input: ConnectionInput = {
    name: 'default',
    tenantId: d.tenantId,
    clientId: d.clientId,
    clientSecret: d.clientSecret,
    clientSecretExpiresAt: d.clientSecretExpiresAt?.toISOString() ?? null,
    groupId: d.groupId ?? null,
    leena: d.leena,
  };
  const existing = await findConnectionRow(ctx.database.db, 'default');
  if (existing === undefined) return createConnection(ctx, input);
  if (sameAsStored(ctx, existing, input)) return toConnection(existing);
  return updateConnection(ctx, existing.id, input);
}

function sameAsStored(ctx: Ctx, row: ConnectionRow, input: ConnectionInput): boolean {
  const secrets = decryptSecrets(ctx, row);
  return (
    row.tenant_id === input.tenantId &&
    row.client_id === input.clientId &&
    row.group_id === (input.groupId ?? null) &&
    row.leena_url === input.leena.url &&
    (row.client_secret_expires_at?.toISOString() ?? null) === (input.clientSecretExpiresAt ?? null) &&
    secrets.clientSecret === input.clientSecret &&
    secrets.leenaApiKey === input.leena.apiKey &&
    secrets.leenaSigningSecret === input.leena.signingSecret
  );
}

async function requireRow(ctx: Ctx, idOrName: string): Promise<ConnectionRow> {
  const row = await findConnectionRow(ctx.database.db, idOrName);
  if (row === undefined) throw new HttpError('not_found', `no connection with id or name "${idOrName}"`);
  return row;
}

function assertCanStoreConnections(ctx: Ctx): void {
  const problems: string[] = [];
  if (ctx.config.secretKeys.length === 0) problems.push('SECRET_KEY is not set, so secrets cannot be stored encrypted');
  if (ctx.config.publicUrl === undefined) problems.push('PUBLIC_URL is not set, so Graph could not reach this service');
  if (problems.length > 0) throw new HttpError('unprocessable', `cannot add a connection: ${problems.join('; ')}`);
}

function assertValid(ctx: Ctx, input: ConnectionInput): void {
  const problems: string[] = [];
  if (!NAME.test(input.name)) problems.push('name: 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit');
  if (!GUID.test(input.tenantId) && !DOMAIN.test(input.tenantId)) {
    problems.push('tenantId: expected the Directory (tenant) ID, a GUID (App registration > Overview)');
  }
  if (!GUID.test(input.clientId)) problems.push('clientId: expected the Application (client) ID, a GUID (App registration > Overview)');
  if (input.clientSecret.trim().length < 8) problems.push('clientSecret: expected the secret Value (not the Secret ID) from Certificates & secrets');
  else if (GUID.test(input.clientSecret.trim())) {
    problems.push('clientSecret: this looks like the Secret ID (a GUID); copy the secret Value instead');
  }
  if (input.groupId != null && !GUID.test(input.groupId)) problems.push('groupId: expected the group Object ID, a GUID');
  if (input.clientSecretExpiresAt != null && Number.isNaN(new Date(input.clientSecretExpiresAt).getTime())) {
    problems.push('clientSecretExpiresAt: expected an ISO 8601 date');
  }
  const urlProblem = checkLeenaUrl(input.leena.url, ctx.config.delivery);
  if (urlProblem) problems.push(`leena.url ${urlProblem}`);
  if (input.leena.apiKey.trim().length === 0) problems.push('leena.apiKey: required');
  if (!isSigningSecret(input.leena.signingSecret)) {
    problems.push('leena.signingSecret: expected base64 of at least 16 bytes, optionally prefixed with "whsec_"');
  }
  if (problems.length > 0) throw new HttpError('bad_request', problems.join('; '), { problems });
}

function isSigningSecret(value: string): boolean {
  const b64 = value.startsWith('whsec_') ? value.slice(6) : value;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false;
  return Buffer.from(b64, 'base64').length >= 16;
}

function parseDate(value: string | null | undefined): Date | null {
  return value == null ? null : new Date(value);
}

async function subscriptionIds(tx: Tx, connectionId: string): Promise<string[]> {
  const rows = await tx.selectFrom('subscriptions').select('id').where('connection_id', '=', connectionId).execute();
  return rows.map((r) => r.id);
}

async function retryNow(tx: Tx, connectionId: string): Promise<void> {
  await tx.updateTable('sync_state').set({ lease_until: null }).where('connection_id', '=', connectionId).where('lease_owner', 'is', null).execute();
  await tx.updateTable('subscriptions').set({ next_check_at: new Date() }).where('connection_id', '=', connectionId).execute();
  await sql`SELECT pg_notify(${CHANNELS.sync}, ''), pg_notify(${CHANNELS.subscriptions}, '')`.execute(tx);
}
