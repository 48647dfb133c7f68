/**
 * Phases 2 and 3 of a reconcile: compare the staged Graph state with what Leena AI was last
 * sent, chunk by chunk (flat memory), and write the differences as events — or, for a dry run,
 * only count them. Users Leena AI has that the scan did not find are the deletions.
 */
import { sql } from 'kysely';
import type { ConnectionRow } from '../connections/connection.repository.js';
import type { Db } from '../db/database.js';
import {
  type ApplyOptions,
  applyUserObservations,
  type UserObservation,
} from '../sync/apply-user-changes.js';
import type { PartialProfile } from '../sync/user-profile.js';

const CHUNK = 1_000;

export interface Differences {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

/** How many users Leena AI has now (0: the run may take the initial sync's shortcut). */
export async function sentUserCount(db: Db, connectionId: string): Promise<number> {
  const row = await sql<{ n: string }>`
    SELECT count(*) AS n FROM users WHERE connection_id = ${connectionId} AND in_leena`.execute(
    db,
  );
  return Number(row.rows[0]?.n ?? 0);
}

/** Users Leena AI has now, and how many of them the scan did not find. */
export async function plannedDeletions(
  db: Db,
  connectionId: string,
  runId: string,
): Promise<{ totalBefore: number; deletions: number }> {
  const row = await sql<{ total: string; missing: string }>`
    SELECT count(*) AS total,
           count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM reconcile_items i WHERE i.run_id = ${runId} AND i.user_id = u.user_id)) AS missing
    FROM users u WHERE u.connection_id = ${connectionId} AND u.in_leena`.execute(db);
  return { totalBefore: Number(row.rows[0]?.total ?? 0), deletions: Number(row.rows[0]?.missing ?? 0) };
}

function noDifferences(): Differences {
  return { created: 0, updated: 0, deleted: 0, unchanged: 0 };
}

/** Every event of a run carries the time the run started writing as `occurredAt`. */
function reconcileOptions(connection: ConnectionRow, dryRun: boolean): ApplyOptions {
  return {
    connectionId: connection.id,
    tenantId: connection.tenant_id,
    source: 'reconcile',
    occurredAt: new Date(),
    dryRun,
  };
}

export async function applyDifferences(
  db: Db,
  connection: ConnectionRow,
  runId: string,
  dryRun: boolean,
  onChunk: (d: Differences) => Promise<void>,
): Promise<Differences> {
  const totals = noDifferences();
  const options = reconcileOptions(connection, dryRun);
  let after = '';
  for (;;) {
    const items = await db
      .selectFrom('reconcile_items')
      .select(['user_id', 'profile'])
      .where('run_id', '=', runId)
      .where('user_id', '>', after)
      .orderBy('user_id')
      .limit(CHUNK)
      .execute();
    if (items.length === 0) break;
    after = items.at(-1)!.user_id;
    await applyChunk(
      db,
      items.map((i) => present(i.profile as unknown as PartialProfile)),
      options,
      totals,
    );
    await onChunk(totals);
  }
  await applyMissing(db, connection, runId, options, totals);
  return totals;
}

/**
 * The initial sync's shortcut. When Leena AI has no user of this connection yet, nothing can be
 * deleted and the mass-deletion guard has nothing to stop, so staging buys nothing: each scanned
 * page is applied at once, two transactions in flight (Postgres works on one page while we read
 * and prepare the next). A page sharing a user with a page still being written waits for it, so
 * one user's writes never race. Memory stays at two pages.
 */
export function createDirectApply(db: Db, connection: ConnectionRow, dryRun: boolean) {
  const totals = noDifferences();
  const options = reconcileOptions(connection, dryRun);
  const inFlight: Array<{ ids: Set<string>; done: Promise<void> }> = [];
  return {
    totals,
    async apply(profiles: PartialProfile[]): Promise<void> {
      const ids = new Set(profiles.map((p) => p.id));
      const overlaps = inFlight.some((f) => profiles.some((p) => f.ids.has(p.id)));
      while (inFlight.length >= (overlaps ? 1 : DIRECT_APPLY_IN_FLIGHT)) await inFlight.shift()!.done;
      const done = applyChunk(db, profiles.map(present), options, totals);
      done.catch(() => {}); // surfaces when awaited (the next page, or flush)
      inFlight.push({ ids, done });
    },
    async flush(): Promise<Differences> {
      for (const f of inFlight.splice(0)) await f.done;
      return totals;
    },
  };
}

const DIRECT_APPLY_IN_FLIGHT = 2;

function present(profile: PartialProfile): UserObservation {
  return { userId: profile.id, profile, full: true, state: 'present', inScope: true };
}

async function applyMissing(
  db: Db,
  connection: ConnectionRow,
  runId: string,
  options: ApplyOptions,
  totals: Differences,
): Promise<void> {
  let after = '';
  for (;;) {
    const missing = await sql<{ user_id: string; graph_state: string }>`
      SELECT user_id, graph_state FROM users u
      WHERE u.connection_id = ${connection.id} AND u.in_leena AND u.user_id > ${after}
        AND NOT EXISTS (SELECT 1 FROM reconcile_items i WHERE i.run_id = ${runId} AND i.user_id = u.user_id)
      ORDER BY user_id LIMIT ${CHUNK}`.execute(db);
    if (missing.rows.length === 0) return;
    after = missing.rows.at(-1)!.user_id;
    // Scoped: still in the tenant but not in the group -> out of scope. Otherwise gone from Graph.
    const observations: UserObservation[] = missing.rows.map((m) =>
      connection.group_id !== null && m.graph_state === 'present'
        ? { userId: m.user_id, inScope: false }
        : { userId: m.user_id, state: 'deleted' },
    );
    await applyChunk(db, observations, options, totals);
  }
}

async function applyChunk(
  db: Db,
  observations: UserObservation[],
  options: ApplyOptions,
  totals: Differences,
): Promise<void> {
  const r = await db.transaction().execute((tx) => applyUserObservations(tx, observations, options));
  totals.created += r.created;
  totals.updated += r.updated;
  totals.deleted += r.deleted;
  totals.unchanged += r.unchanged;
}
