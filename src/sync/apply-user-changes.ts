/**
 * The one place where what we know of users becomes events. For each observed user: merge what
 * Graph said into graph_profile, work out what Leena AI should have (the full profile when the
 * user is present and in scope, nothing otherwise), compare with what it was last sent, and write
 * the difference as the user's next event — all in the caller's transaction, in bulk.
 *
 * Because events are the difference between desired and sent state, applying the same
 * observation twice emits nothing the second time: replays, duplicate notifications and a round
 * re-done after a crash cannot double an event.
 */
import { sql } from 'kysely';
import { copyRows } from '../db/copy-rows.js';
import type { Tx } from '../db/database.js';
import type { EventSource } from '../db/schema.js';
import { CHANNELS } from '../work/wakeups.js';
import {
  createdEvent,
  type DeleteReason,
  deletedEvent,
  type LeenaEvent,
  updatedEvent,
} from './user-event.js';
import { completeProfile, diffProfiles, type PartialProfile, type UserProfile } from './user-profile.js';

export type GraphState = 'present' | 'soft_deleted' | 'deleted';

export interface UserObservation {
  readonly userId: string;
  /** Properties Graph reported; merged into what we knew unless `full`. */
  readonly profile?: PartialProfile;
  /** The profile is the whole object (initial delta page, list, GET): replace, don't merge. */
  readonly full?: boolean;
  readonly state?: GraphState;
  /** Scope membership, when the caller knows it changed. */
  readonly inScope?: boolean;
}

export interface ApplyOptions {
  readonly connectionId: string;
  readonly tenantId: string;
  readonly source: EventSource;
  readonly occurredAt: Date;
  /** Scope test for users whose membership the observation does not state (group-scoped connections). */
  readonly inScope?: (userId: string) => boolean;
  /** Compute and count only: no rows, no events (reconcile dry runs). */
  readonly dryRun?: boolean;
}

export interface ApplyResult {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** In scope and present, but some field was never seen: read the whole user and apply again. */
  needsFullRead: string[];
  events: LeenaEvent[];
}

interface UserRow {
  user_id: string;
  graph_profile: PartialProfile | null;
  graph_state: GraphState;
  in_scope: boolean;
  sent_profile: UserProfile | null;
  last_sequence: number;
}

export async function applyUserObservations(
  tx: Tx,
  observations: readonly UserObservation[],
  options: ApplyOptions,
): Promise<ApplyResult> {
  const result: ApplyResult = {
    created: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    needsFullRead: [],
    events: [],
  };
  const merged = mergeByUser(observations);
  if (merged.size === 0) return result;
  const existing = await lockRows(tx, options.connectionId, [...merged.keys()]);
  const inserts: UserRow[] = [];
  const updates: UserRow[] = [];
  for (const [userId, obs] of merged) {
    const before = existing.get(userId);
    const row = nextRow(before, obs, options);
    const outcome = decide(row, before?.sent_profile ?? null, options);
    if (outcome.kind === 'incomplete') result.needsFullRead.push(userId);
    if (outcome.event) {
      result.events.push(outcome.event);
      row.sent_profile = outcome.sent;
      row.last_sequence = outcome.event.sequence;
      result[outcome.kind === 'created' ? 'created' : outcome.kind === 'updated' ? 'updated' : 'deleted'] +=
        1;
    } else if (outcome.kind === 'same') {
      result.unchanged += 1;
    }
    if (!before) inserts.push(row);
    else if (outcome.event || !sameRow(before, row)) updates.push(row);
  }
  if (options.dryRun) return result;
  await insertUsers(tx, options, inserts);
  await updateUsers(tx, options, updates);
  await insertEvents(tx, result.events);
  return result;
}

function mergeByUser(observations: readonly UserObservation[]): Map<string, UserObservation> {
  const merged = new Map<string, UserObservation>();
  for (const obs of observations) {
    const before = merged.get(obs.userId);
    if (!before) {
      merged.set(obs.userId, obs);
      continue;
    }
    merged.set(obs.userId, {
      userId: obs.userId,
      profile: obs.full ? obs.profile : obs.profile ? { ...before.profile, ...obs.profile } : before.profile,
      // A partial update merged onto a whole object is still a whole object.
      full: obs.full || before.full,
      state: obs.state ?? before.state,
      inScope: obs.inScope ?? before.inScope,
    });
  }
  return merged;
}

async function lockRows(tx: Tx, connectionId: string, userIds: string[]): Promise<Map<string, UserRow>> {
  const rows = await lockUsersQuery(connectionId, userIds).execute(tx);
  // Stored as "Leena AI has graph_profile" (0006): sent_profile is that same object, which decide()
  // reads and the writes below recognise, so an unchanged row is stored as the flag again.
  return new Map(
    rows.rows.map(({ sent_is_graph, ...r }) => [
      r.user_id,
      sent_is_graph ? { ...r, sent_profile: r.graph_profile as UserProfile } : r,
    ]),
  );
}

/**
 * The users that exist among `userIds`, locked. One primary-key probe per wanted user, in sorted
 * order, so two transactions locking overlapping users always take the locks in the same order.
 * The probe is a LATERAL subquery fenced with OFFSET 0 so the planner cannot turn it into a join:
 * with stale or missing statistics (a table filled since the last ANALYZE; autovacuum off) both
 * `user_id = ANY(...)` and a plain join were planned as a hash over every user of the connection,
 * seen in auto_explain at 60-90 ms per 999-user page with 8k users: O(tenant) per page.
 */
export function lockUsersQuery(connectionId: string, userIds: readonly string[]) {
  const sorted = [...userIds].sort();
  return sql<UserRow & { sent_is_graph: boolean }>`
    SELECT u.user_id, u.graph_profile, u.graph_state, u.in_scope, u.sent_profile, u.sent_is_graph, u.last_sequence
    FROM unnest(${sorted}::text[]) WITH ORDINALITY AS wanted(user_id, n)
    CROSS JOIN LATERAL (
      SELECT * FROM users u WHERE u.connection_id = ${connectionId} AND u.user_id = wanted.user_id
      FOR UPDATE OFFSET 0) u
    ORDER BY wanted.n`;
}

function nextRow(before: UserRow | undefined, obs: UserObservation, options: ApplyOptions): UserRow {
  const profile: PartialProfile | null =
    obs.profile === undefined
      ? (before?.graph_profile ?? null)
      : obs.full
        ? obs.profile
        : { ...(before?.graph_profile ?? {}), ...obs.profile };
  // A full object or changed properties mean the user exists (a restore looks exactly like this).
  const state = obs.state ?? (obs.profile !== undefined ? 'present' : (before?.graph_state ?? 'present'));
  const inScope = obs.inScope ?? (options.inScope ? options.inScope(obs.userId) : (before?.in_scope ?? true));
  return {
    user_id: obs.userId,
    graph_profile: profile,
    graph_state: state,
    in_scope: inScope,
    sent_profile: before?.sent_profile ?? null,
    last_sequence: before?.last_sequence ?? 0,
  };
}

type Outcome =
  | { kind: 'created' | 'updated' | 'deleted'; event: LeenaEvent; sent: UserProfile | null }
  | { kind: 'same' | 'absent' | 'incomplete'; event?: undefined };

function decide(row: UserRow, sent: UserProfile | null, options: ApplyOptions): Outcome {
  const wanted = row.graph_state === 'present' && row.in_scope;
  const desired = wanted && row.graph_profile ? completeProfile(row.graph_profile) : undefined;
  if (wanted && desired === undefined) return { kind: 'incomplete' };
  const base = {
    connectionId: options.connectionId,
    tenantId: options.tenantId,
    userId: row.user_id,
    sequence: row.last_sequence + 1,
    occurredAt: options.occurredAt,
    source: options.source,
  };
  if (desired && !sent) return { kind: 'created', event: createdEvent(base, desired), sent: desired };
  if (!desired && sent) return { kind: 'deleted', event: deletedEvent(base, deleteReason(row)), sent: null };
  if (!desired || !sent) return { kind: 'absent' };
  const changes = diffProfiles(sent, desired);
  if (Object.keys(changes).length === 0) return { kind: 'same' };
  return { kind: 'updated', event: updatedEvent(base, desired, changes), sent: desired };
}

function deleteReason(row: UserRow): DeleteReason {
  if (row.graph_state === 'soft_deleted') return 'soft_deleted';
  if (row.graph_state === 'deleted') return 'deleted';
  return 'out_of_scope';
}

/**
 * An unchanged user is not written again (a reconcile of an unchanged tenant writes nothing).
 * Called only when no event was made, so what was sent and the sequence are unchanged already.
 */
function sameRow(before: UserRow, row: UserRow): boolean {
  return (
    before.graph_state === row.graph_state &&
    before.in_scope === row.in_scope &&
    (before.graph_profile === row.graph_profile ||
      JSON.stringify(before.graph_profile) === JSON.stringify(row.graph_profile))
  );
}

const USER_COLUMNS = [
  'connection_id',
  'user_id',
  'graph_profile',
  'graph_state',
  'in_scope',
  'sent_profile',
  'sent_is_graph',
  'last_sequence',
];

/** Users the locking read did not find: COPY (a concurrent insert of the same user fails, never merges). */
async function insertUsers(tx: Tx, options: ApplyOptions, rows: UserRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((row) => {
    const graph = row.graph_profile === null ? null : JSON.stringify(row.graph_profile);
    // What was just sent is usually exactly what Graph has: then it is stored once (0006).
    const sentIsGraph = sentIsGraphProfile(row);
    const sent = row.sent_profile === null || sentIsGraph ? null : JSON.stringify(row.sent_profile);
    return [
      options.connectionId,
      row.user_id,
      graph,
      row.graph_state,
      row.in_scope,
      sent,
      sentIsGraph,
      row.last_sequence,
    ];
  });
  await tx.executeQuery(copyRows('users', USER_COLUMNS, values));
}

// Updates pass their rows as ONE json document, unpacked by json_to_recordset: a single
// JSON.stringify on our side and one parse on Postgres's, instead of node-postgres escaping an
// array element per profile. The rows exist and are locked, so ON CONFLICT always updates; it is
// kept because it looks each row up by the primary key, whatever the statistics say.

async function updateUsers(tx: Tx, options: ApplyOptions, rows: UserRow[]): Promise<void> {
  if (rows.length === 0) return;
  const sent = rows.map(({ sent_profile, ...row }) =>
    sentIsGraphProfile({ sent_profile, ...row })
      ? { ...row, sent_is_graph: true }
      : { ...row, sent_profile, sent_is_graph: false },
  );
  await sql`
    INSERT INTO users (connection_id, user_id, graph_profile, graph_state, in_scope, sent_profile, sent_is_graph, last_sequence, updated_at)
    SELECT ${options.connectionId}, u.user_id, u.graph_profile, u.graph_state, u.in_scope, u.sent_profile, u.sent_is_graph,
           u.last_sequence, now()
    FROM json_to_recordset(${JSON.stringify(sent)}::json)
         AS u(user_id text, graph_profile json, graph_state text, in_scope boolean, sent_profile json, sent_is_graph boolean, last_sequence int)
    ON CONFLICT (connection_id, user_id) DO UPDATE SET
      graph_profile = EXCLUDED.graph_profile, graph_state = EXCLUDED.graph_state, in_scope = EXCLUDED.in_scope,
      sent_profile = EXCLUDED.sent_profile, sent_is_graph = EXCLUDED.sent_is_graph,
      last_sequence = EXCLUDED.last_sequence, updated_at = now()`.execute(tx);
}

/**
 * Leena AI was sent exactly Graph's profile: the same object (what completeProfile returns for a
 * whole profile, and what lockRows gives back for a row stored that way).
 */
function sentIsGraphProfile(row: UserRow): boolean {
  return row.sent_profile !== null && row.sent_profile === row.graph_profile;
}

const EVENT_COLUMNS = ['id', 'event_id', 'connection_id', 'user_id', 'sequence', 'type', 'source', 'payload'];
const QUEUE_COLUMNS = ['connection_id', 'outbox_id', 'user_id', 'sequence'];

/**
 * Writes the events to the outbox and queues them for delivery (migration 0005). The outbox ids
 * are taken from its sequence first, in the events' order, because both COPYs need them.
 */
export async function insertEvents(tx: Tx, events: readonly LeenaEvent[]): Promise<void> {
  if (events.length === 0) return;
  const ids = await allocateOutboxIds(tx, events.length);
  const outbox = events.map((e, i) => [
    ids[i]!,
    e.id,
    e.connectionId,
    e.userId,
    e.sequence,
    e.type,
    e.source,
    JSON.stringify(e),
  ]);
  await tx.executeQuery(copyRows('outbox_events', EVENT_COLUMNS, outbox));
  const queue = events.map((e, i) => [e.connectionId, ids[i]!, e.userId, e.sequence]);
  await tx.executeQuery(copyRows('delivery_queue', QUEUE_COLUMNS, queue));
  await sql`SELECT pg_notify(${CHANNELS.delivery}, ${events[0]!.connectionId})`.execute(tx);
}

/** `count` new outbox ids, ascending (nextval runs row by row): a user's later event gets the larger id. */
async function allocateOutboxIds(tx: Tx, count: number): Promise<string[]> {
  const result = await sql<{ id: string }>`/* named:allocate_outbox_ids */
    SELECT nextval('outbox_events_id_seq'::regclass)::text AS id FROM generate_series(1, ${count}::int)`.execute(
    tx,
  );
  return result.rows.map((r) => r.id);
}
