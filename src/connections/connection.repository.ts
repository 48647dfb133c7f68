/** Connection rows: plain functions taking the db (or a transaction) first. */
import { sql, type Selectable } from 'kysely';
import { CHANNELS } from '../work/wakeups.js';
import type { Db, Tx } from '../db/database.js';
import type { ConnectionsTable } from '../db/schema.js';
import type { Connection } from './connection.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ConnectionRow = Selectable<ConnectionsTable>;

export function toConnection(row: ConnectionRow): Connection {
  return {
    id: row.id,
    name: row.name,
    tenantId: row.tenant_id,
    clientId: row.client_id,
    clientSecretExpiresAt: row.client_secret_expires_at,
    groupId: row.group_id,
    leenaUrl: row.leena_url,
    deliveryPaused: row.delivery_paused,
    credentialError: row.credential_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Finds by id or, failing that, by name (so `default` works wherever an id does). */
export async function findConnectionRow(db: Db | Tx, idOrName: string): Promise<ConnectionRow | undefined> {
  let query = db.selectFrom('connections').selectAll();
  query = UUID.test(idOrName)
    ? query.where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    : query.where('name', '=', idOrName);
  return query.executeTakeFirst();
}

/** By id only, for workers holding a connection id from another row: one primary-key probe. */
export async function findConnectionById(db: Db | Tx, id: string): Promise<ConnectionRow | undefined> {
  return db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listConnectionRows(db: Db | Tx): Promise<ConnectionRow[]> {
  return db.selectFrom('connections').selectAll().orderBy('created_at').orderBy('name').execute();
}

export async function insertConnectionRow(tx: Tx, row: Omit<ConnectionRow, 'created_at' | 'updated_at' | 'delivery_paused' | 'credential_error'>): Promise<ConnectionRow> {
  return tx.insertInto('connections').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateConnectionRow(tx: Tx, id: string, patch: Partial<ConnectionRow>): Promise<ConnectionRow> {
  return tx
    .updateTable('connections')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Everything else of the connection goes by ON DELETE CASCADE; notifications has no foreign key (0007). */
export async function deleteConnectionRow(db: Db, id: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await tx.deleteFrom('notifications').where('connection_id', '=', id).execute();
    const result = await tx.deleteFrom('connections').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  });
}

/** Rows every new connection needs: sync state asking for the initial full sync, subscriptions to create. */
export async function insertConnectionWorkRows(tx: Tx, connectionId: string): Promise<void> {
  await tx
    .insertInto('sync_state')
    .values({ connection_id: connectionId, resync_requested_at: new Date() })
    .onConflict((oc) => oc.column('connection_id').doNothing())
    .execute();
  await tx
    .insertInto('subscriptions')
    .values([
      { connection_id: connectionId, kind: 'users', resource: 'users', change_type: 'updated,deleted' },
      { connection_id: connectionId, kind: 'groups', resource: 'groups', change_type: 'updated,deleted' },
    ])
    .onConflict((oc) => oc.columns(['connection_id', 'kind']).doNothing())
    .execute();
  // Wake the workers of every replica: there is a subscription to create and a full sync to run.
  await sql`SELECT pg_notify(${CHANNELS.subscriptions}, ''), pg_notify(${CHANNELS.sync}, '')`.execute(tx);
}
