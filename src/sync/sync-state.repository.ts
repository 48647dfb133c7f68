/** sync_state: the per-connection work marker and its lease. */
import { sql } from 'kysely';
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { Db, Tx } from '../db/database.js';
import { CHANNELS, SYNC_PENDING } from '../work/wakeups.js';

export interface ClaimedSync {
  readonly connection_id: string;
  readonly users_delta_link: string | null;
  readonly groups_delta_link: string | null;
  readonly groups_delta_ids: string[] | null;
  readonly claimed_pending_since: Date | null;
  readonly resync_requested_at: Date | null;
  readonly next_group_poll_at: Date | null;
  readonly initial_sync_at: Date | null;
}

/** The sync_state columns a claim returns; the rest of the row is the connection's. */
const CLAIM_COLUMNS = [
  'connection_id',
  'users_delta_link',
  'groups_delta_link',
  'groups_delta_ids',
  'claimed_pending_since',
  'resync_requested_at',
  'next_group_poll_at',
  'initial_sync_at',
] as const satisfies ReadonlyArray<keyof ClaimedSync>;

/**
 * Claims the connection whose work is most overdue, and returns its connections row read in the
 * same statement (a round would otherwise start with a query of its own for it). The pending
 * marker moves to claimed_pending_since, so notifications arriving during the round start a new
 * one, and a round lost in a crash is found again once its lease runs out.
 */
export async function claimSync(
  db: Db,
  owner: string,
  leaseSeconds: number,
  debounceMs: number,
): Promise<{ claim: ClaimedSync; connection: ConnectionRow } | undefined> {
  const rows = await sql<ClaimedSync & ConnectionRow>`
    UPDATE sync_state s SET lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${leaseSeconds}),
      claimed_pending_since = COALESCE(s.claimed_pending_since, s.pending_since), pending_since = NULL
    FROM connections c
    WHERE c.id = s.connection_id AND s.connection_id = (
      SELECT connection_id FROM sync_state
      WHERE (lease_until IS NULL OR lease_until < now())
        AND (pending_since <= now() - make_interval(secs => ${debounceMs / 1000})
             OR claimed_pending_since IS NOT NULL OR resync_requested_at IS NOT NULL OR next_group_poll_at <= now())
      ORDER BY LEAST(claimed_pending_since, pending_since, resync_requested_at, next_group_poll_at)
      LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING s.connection_id, s.users_delta_link, s.groups_delta_link, s.groups_delta_ids,
              s.claimed_pending_since, s.resync_requested_at, s.next_group_poll_at, s.initial_sync_at, c.*`.execute(db);
  const row = rows.rows[0];
  if (!row) return undefined;
  const connection = { ...row } as Partial<ClaimedSync> & ConnectionRow;
  for (const key of CLAIM_COLUMNS) delete connection[key];
  const claim = Object.fromEntries(CLAIM_COLUMNS.map((key) => [key, row[key]])) as unknown as ClaimedSync;
  return { claim, connection };
}

/** Milliseconds until some connection's sync work falls due (for the worker's sleep). */
export async function msUntilNextSync(db: Db, debounceMs: number): Promise<number | undefined> {
  const row = await sql<{ ms: number | null }>`
    SELECT EXTRACT(EPOCH FROM (MIN(LEAST(
      pending_since + make_interval(secs => ${debounceMs / 1000}), next_group_poll_at, lease_until)) - now())) * 1000 AS ms
    FROM sync_state
    WHERE pending_since IS NOT NULL OR next_group_poll_at IS NOT NULL
       OR (lease_until IS NOT NULL AND (claimed_pending_since IS NOT NULL OR resync_requested_at IS NOT NULL))`.execute(db);
  const ms = row.rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : Math.max(0, Number(ms));
}

export async function extendSyncLease(db: Db, connectionId: string, owner: string, leaseSeconds: number): Promise<boolean> {
  const r = await sql`UPDATE sync_state SET lease_until = now() + make_interval(secs => ${leaseSeconds})
    WHERE connection_id = ${connectionId} AND lease_owner = ${owner}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/**
 * Success: the round's work is done (only what was claimed; newer requests stay) and, in the same
 * statement, the lease is given back — one commit per round fewer than releasing it afterwards,
 * which counts at 50 rounds a second under notification load.
 */
export async function completeSync(
  db: Db | Tx,
  claim: ClaimedSync,
  owner: string,
  patch: { usersDeltaLink?: string; nextGroupPollAt?: Date | null },
): Promise<void> {
  await sql`UPDATE sync_state SET
      users_delta_link = COALESCE(${patch.usersDeltaLink ?? null}, users_delta_link),
      claimed_pending_since = NULL,
      next_group_poll_at = CASE WHEN ${patch.nextGroupPollAt !== undefined} THEN ${patch.nextGroupPollAt ?? null}::timestamptz ELSE next_group_poll_at END,
      last_delta_at = now(), last_delta_error = NULL,
      lease_until = CASE WHEN lease_owner = ${owner} THEN NULL ELSE lease_until END,
      lease_owner = CASE WHEN lease_owner = ${owner} THEN NULL ELSE lease_owner END
    WHERE connection_id = ${claim.connection_id}`.execute(db);
}

export async function releaseSync(db: Db, connectionId: string, owner: string, retryInMs = 0, error?: string): Promise<void> {
  await sql`UPDATE sync_state SET lease_owner = NULL,
      lease_until = CASE WHEN ${retryInMs} > 0 THEN now() + make_interval(secs => ${retryInMs / 1000}) ELSE NULL END,
      last_delta_error = COALESCE(${error ?? null}, last_delta_error)
    WHERE connection_id = ${connectionId} AND lease_owner = ${owner}`.execute(db);
}

/** Notifications arrived (webhook) or a catch-up is wanted: a round runs after the debounce window. */
export async function markPending(db: Db | Tx, connectionIds: readonly string[]): Promise<void> {
  if (connectionIds.length === 0) return;
  await sql`UPDATE sync_state SET pending_since = now()
    WHERE connection_id = ANY(${[...connectionIds]}::uuid[]) AND pending_since IS NULL`.execute(db);
  await sql`SELECT pg_notify(${CHANNELS.sync}, ${SYNC_PENDING})`.execute(db);
}

export async function requestResync(db: Db | Tx, connectionId: string): Promise<void> {
  await sql`UPDATE sync_state SET resync_requested_at = now(), users_delta_link = NULL, groups_delta_link = NULL
    WHERE connection_id = ${connectionId}`.execute(db);
  await sql`SELECT pg_notify(${CHANNELS.sync}, '')`.execute(db);
}

/**
 * Takes the connection's lease for work other than a delta round (a reconcile, a one-user sync),
 * so that nothing else writes this connection's users meanwhile. False when someone holds it.
 */
export async function tryLeaseConnection(db: Db, connectionId: string, owner: string, leaseSeconds: number): Promise<boolean> {
  const r = await sql`UPDATE sync_state SET lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${leaseSeconds})
    WHERE connection_id = ${connectionId} AND (lease_until IS NULL OR lease_until < now() OR lease_owner = ${owner})`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** A full resync of a connection that already sent users is a (guarded) reconcile run instead. */
export async function handOverToReconcile(tx: Tx, claim: ClaimedSync): Promise<void> {
  await sql`UPDATE sync_state SET claimed_pending_since = NULL,
      resync_requested_at = CASE WHEN resync_requested_at <= ${claim.resync_requested_at ?? new Date(0)} THEN NULL ELSE resync_requested_at END
    WHERE connection_id = ${claim.connection_id}`.execute(tx);
}
