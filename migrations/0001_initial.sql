-- entra-sync data model. One row per customer tenant connection; everything else hangs off it
-- and is removed with it. Secrets are stored only as AES-256-GCM blobs (src/crypto/secret-box.ts).

CREATE TABLE connections (
  id                        uuid PRIMARY KEY,
  name                      text NOT NULL UNIQUE,
  tenant_id                 text NOT NULL,
  client_id                 text NOT NULL,
  client_secret_enc         bytea NOT NULL,
  client_secret_expires_at  timestamptz,
  group_id                  text,
  leena_url                 text NOT NULL,
  leena_api_key_enc         bytea NOT NULL,
  leena_signing_secret_enc  bytea NOT NULL,
  delivery_paused           boolean NOT NULL DEFAULT false,
  -- Last credential problem seen by any worker (expired secret, missing permission), for status.
  credential_error          text,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now()
);

-- Graph change-notification subscriptions, one row per connection and kind. The Graph id changes
-- when a lost subscription is recreated; the row (and its lease) stays.
CREATE TABLE subscriptions (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  connection_id          uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  kind                   text NOT NULL CHECK (kind IN ('users', 'groups')),
  -- 'subscription': Graph pushes; 'polling': Graph refused (403), group changes are polled.
  mode                   text NOT NULL DEFAULT 'subscription' CHECK (mode IN ('subscription', 'polling')),
  graph_subscription_id  text UNIQUE,
  resource               text NOT NULL,
  change_type            text NOT NULL,
  -- sha256 of the clientState: notifications are compared against it; the clear value is never stored.
  client_state_hash      bytea,
  expires_at             timestamptz,
  last_renewed_at        timestamptz,
  reauthorize_requested_at timestamptz,
  recreate_requested_at  timestamptz,
  last_error             text,
  last_error_at          timestamptz,
  next_check_at          timestamptz NOT NULL DEFAULT now(),
  lease_owner            text,
  lease_until            timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection_id, kind)
);

-- Per-connection sync state: delta links and the "work to do" marker for the sync worker.
CREATE TABLE sync_state (
  connection_id          uuid PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
  users_delta_link       text,
  groups_delta_link      text,
  -- Set (if null) by every batch of notifications; a delta round runs CHANGE_DEBOUNCE_MS later.
  pending_since          timestamptz,
  -- pending_since as it was when a worker claimed the round; cleared when the round commits, so a
  -- round lost in a crash is run again once its lease runs out.
  claimed_pending_since  timestamptz,
  -- Full (re)sync wanted: new connection, lost delta state, scope changed.
  resync_requested_at    timestamptz,
  -- The group ids the groups delta link was started for (scoped connections); a new set restarts it.
  groups_delta_ids       text[],
  initial_sync_at        timestamptz,
  last_delta_at          timestamptz,
  last_delta_error       text,
  last_group_poll_at     timestamptz,
  next_group_poll_at     timestamptz,
  lease_owner            text,
  lease_until            timestamptz
);

-- Every tenant user we know of. graph_profile is Graph's current state (merged from deltas);
-- sent_profile is what Leena AI has been sent (null: not in Leena AI). Events are the difference.
CREATE TABLE users (
  connection_id   uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  user_id         text NOT NULL,
  graph_profile   jsonb,
  graph_state     text NOT NULL DEFAULT 'present' CHECK (graph_state IN ('present', 'soft_deleted', 'deleted')),
  in_scope        boolean NOT NULL DEFAULT true,
  sent_profile    jsonb,
  last_sequence   integer NOT NULL DEFAULT 0,
  reconcile_run_id uuid,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, user_id)
);
CREATE INDEX users_sent ON users (connection_id) WHERE sent_profile IS NOT NULL;

-- Membership edges of the scoped group and the groups nested in it (group-scoped connections).
CREATE TABLE group_members (
  connection_id  uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  group_id       text NOT NULL,
  member_id      text NOT NULL,
  member_type    text NOT NULL CHECK (member_type IN ('user', 'group')),
  PRIMARY KEY (connection_id, group_id, member_id)
);

-- Notifications as received (valid items only), kept for audit and status; pruned after a week.
CREATE TABLE notifications (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connection_id    uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  subscription_id  uuid NOT NULL,
  change_type      text NOT NULL,
  resource         text NOT NULL,
  lifecycle_event  text,
  received_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_connection_received ON notifications (connection_id, received_at DESC);

-- The outbox: every event for Leena AI, written in the same transaction as the state it describes.
CREATE TABLE outbox_events (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        text NOT NULL UNIQUE,
  connection_id   uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  user_id         text NOT NULL,
  sequence        integer NOT NULL,
  type            text NOT NULL CHECK (type IN ('user.created', 'user.updated', 'user.deleted')),
  source          text NOT NULL CHECK (source IN ('notification', 'reconcile', 'manual')),
  payload         jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'skipped')),
  batch_id        text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz,
  UNIQUE (connection_id, user_id, sequence)
);
CREATE INDEX outbox_pending ON outbox_events (connection_id, id) WHERE status = 'pending';
CREATE INDEX outbox_user_pending ON outbox_events (connection_id, user_id, sequence) WHERE status IN ('pending', 'dead');

-- A POST to Leena AI: its id is the webhook-id, stable across retries of the same batch.
CREATE TABLE delivery_batches (
  id               text PRIMARY KEY,
  connection_id    uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  event_count      integer NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  first_attempt_at timestamptz,
  last_status      integer,
  last_error       text,
  lease_owner      text,
  lease_until      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
CREATE INDEX delivery_batches_due ON delivery_batches (next_attempt_at) WHERE status = 'pending';

-- Events Leena AI refused for good (4xx) or that ran out of retries, until replayed or skipped.
CREATE TABLE dead_letters (
  event_id        text PRIMARY KEY REFERENCES outbox_events(event_id) ON DELETE CASCADE,
  connection_id   uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  batch_id        text NOT NULL,
  reason          text NOT NULL,
  http_status     integer,
  response_excerpt text,
  dead_at         timestamptz NOT NULL DEFAULT now(),
  resolved_at     timestamptz,
  resolution      text CHECK (resolution IN ('replayed', 'skipped'))
);
CREATE INDEX dead_letters_open ON dead_letters (connection_id, dead_at) WHERE resolved_at IS NULL;

CREATE TABLE reconcile_runs (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  connection_id   uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  trigger         text NOT NULL CHECK (trigger IN ('initial', 'schedule', 'admin', 'resync', 'cli')),
  dry_run         boolean NOT NULL DEFAULT false,
  status          text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'blocked', 'cancelled')),
  created         integer NOT NULL DEFAULT 0,
  updated         integer NOT NULL DEFAULT 0,
  deleted         integer NOT NULL DEFAULT 0,
  unchanged       integer NOT NULL DEFAULT 0,
  users_seen      integer NOT NULL DEFAULT 0,
  pages_read      integer NOT NULL DEFAULT 0,
  graph_requests  integer NOT NULL DEFAULT 0,
  attempts        integer NOT NULL DEFAULT 0,
  message         text,
  error           text,
  lease_owner     text,
  lease_until     timestamptz,
  requested_at    timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  approved_at     timestamptz
);
CREATE INDEX reconcile_runs_connection ON reconcile_runs (connection_id, requested_at DESC);
CREATE INDEX reconcile_runs_open ON reconcile_runs (status) WHERE status IN ('queued', 'running');

-- One row per fired schedule slot: the first replica to insert it runs the nightly reconcile.
CREATE TABLE schedule_fires (
  schedule   text NOT NULL,
  fire_at    timestamptz NOT NULL,
  fired_by   text NOT NULL,
  fired_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schedule, fire_at)
);
