/**
 * Kysely table types, one interface per table in migrations/. Row types stay inside the
 * repositories: HTTP responses are built from domain objects, never from these.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** Postgres bigint comes back as a string from node-postgres; it is read, never written. */
type Identity = ColumnType<string, never, never>;
type Json<T> = ColumnType<T, string, string>;

export interface ConnectionsTable {
  id: string;
  name: string;
  tenant_id: string;
  client_id: string;
  client_secret_enc: Buffer;
  client_secret_expires_at: Timestamp | null;
  group_id: string | null;
  leena_url: string;
  leena_api_key_enc: Buffer;
  leena_signing_secret_enc: Buffer;
  delivery_paused: Generated<boolean>;
  credential_error: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface SubscriptionsTable {
  id: Generated<string>;
  connection_id: string;
  kind: 'users' | 'groups';
  mode: Generated<'subscription' | 'polling'>;
  graph_subscription_id: string | null;
  resource: string;
  change_type: string;
  client_state_hash: Buffer | null;
  expires_at: Timestamp | null;
  last_renewed_at: Timestamp | null;
  reauthorize_requested_at: Timestamp | null;
  recreate_requested_at: Timestamp | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
  next_check_at: DefaultTimestamp;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface SyncStateTable {
  connection_id: string;
  users_delta_link: string | null;
  groups_delta_link: string | null;
  pending_since: Timestamp | null;
  claimed_pending_since: Timestamp | null;
  resync_requested_at: Timestamp | null;
  groups_delta_ids: string[] | null;
  initial_sync_at: Timestamp | null;
  last_delta_at: Timestamp | null;
  last_delta_error: string | null;
  last_group_poll_at: Timestamp | null;
  next_group_poll_at: Timestamp | null;
  lease_owner: string | null;
  lease_until: Timestamp | null;
}

export interface UsersTable {
  connection_id: string;
  user_id: string;
  graph_profile: Json<Record<string, unknown>> | null;
  graph_state: Generated<'present' | 'soft_deleted' | 'deleted'>;
  in_scope: Generated<boolean>;
  /** What Leena AI was last sent, when it is not graph_profile (0006). */
  sent_profile: Json<Record<string, unknown>> | null;
  /** Leena AI was last sent exactly graph_profile; sent_profile is then null (0006). */
  sent_is_graph: Generated<boolean>;
  /** Leena AI has the user: sent_profile or sent_is_graph (generated). */
  in_leena: ColumnType<boolean, never, never>;
  last_sequence: Generated<number>;
  reconcile_run_id: string | null;
  updated_at: DefaultTimestamp;
}

export interface GroupMembersTable {
  connection_id: string;
  group_id: string;
  member_id: string;
  member_type: 'user' | 'group';
}

export interface NotificationsTable {
  id: Identity;
  connection_id: string;
  subscription_id: string;
  change_type: string;
  resource: string;
  lifecycle_event: string | null;
  received_at: DefaultTimestamp;
}

export type EventType = 'user.created' | 'user.updated' | 'user.deleted';
export type EventSource = 'notification' | 'reconcile' | 'manual';

export interface OutboxEventsTable {
  id: Identity;
  event_id: string;
  connection_id: string;
  user_id: string;
  sequence: number;
  type: EventType;
  source: EventSource;
  payload: Json<Record<string, unknown>>;
  created_at: DefaultTimestamp;
}

/** An undelivered event (0005): pending, or dead until its dead letter is replayed or skipped. */
export interface DeliveryQueueTable {
  connection_id: string;
  /** outbox_events.id */
  outbox_id: string;
  user_id: string;
  sequence: number;
  dead: Generated<boolean>;
}

export interface DeliveryBatchesTable {
  id: string;
  connection_id: string;
  status: Generated<'pending' | 'delivered' | 'dead'>;
  event_count: number;
  attempts: Generated<number>;
  next_attempt_at: DefaultTimestamp;
  first_attempt_at: Timestamp | null;
  last_status: number | null;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  created_at: DefaultTimestamp;
  finished_at: Timestamp | null;
  /** The batch's events (outbox_events.id, body order) and their users (0002). */
  event_ids: ColumnType<string[], string[] | undefined, string[]>;
  user_ids: ColumnType<string[], string[] | undefined, string[]>;
  /** The exact request body, fixed when the batch is formed; null once finished (0002). */
  body: string | null;
  last_attempt_at: Timestamp | null;
}

export interface DeadLettersTable {
  event_id: string;
  connection_id: string;
  batch_id: string;
  reason: string;
  http_status: number | null;
  response_excerpt: string | null;
  dead_at: DefaultTimestamp;
  resolved_at: Timestamp | null;
  resolution: 'replayed' | 'skipped' | null;
}

export type ReconcileStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'blocked' | 'cancelled';
export type ReconcileTrigger = 'initial' | 'schedule' | 'admin' | 'resync' | 'cli';

export interface ReconcileRunsTable {
  id: Generated<string>;
  connection_id: string;
  trigger: ReconcileTrigger;
  dry_run: Generated<boolean>;
  status: Generated<ReconcileStatus>;
  created: Generated<number>;
  updated: Generated<number>;
  deleted: Generated<number>;
  unchanged: Generated<number>;
  users_seen: Generated<number>;
  pages_read: Generated<number>;
  graph_requests: Generated<number>;
  attempts: Generated<number>;
  message: string | null;
  error: string | null;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  requested_at: DefaultTimestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  approved_at: Timestamp | null;
  phase: string | null;
  total_before: number | null;
  approved_deletions: number | null;
  delta_link: string | null;
  users_per_second: ColumnType<string | null, number | null, number | null>;
}

export interface ReconcileItemsTable {
  run_id: string;
  user_id: string;
  profile: Json<Record<string, unknown>>;
}

export interface ScheduleFiresTable {
  schedule: string;
  fire_at: Timestamp;
  fired_by: string;
  fired_at: DefaultTimestamp;
}

export interface SchemaMigrationsTable {
  version: string;
  applied_at: DefaultTimestamp;
}

export interface DB {
  connections: ConnectionsTable;
  subscriptions: SubscriptionsTable;
  sync_state: SyncStateTable;
  users: UsersTable;
  group_members: GroupMembersTable;
  notifications: NotificationsTable;
  outbox_events: OutboxEventsTable;
  delivery_queue: DeliveryQueueTable;
  delivery_batches: DeliveryBatchesTable;
  dead_letters: DeadLettersTable;
  reconcile_runs: ReconcileRunsTable;
  schedule_fires: ScheduleFiresTable;
  reconcile_items: ReconcileItemsTable;
  schema_migrations: SchemaMigrationsTable;
}
