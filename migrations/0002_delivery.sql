-- Delivery to Leena AI (docs/delivery.md).

-- A batch records its events (in body order) and their users, so forming a batch writes one row
-- and touches no event: events are marked (status, batch_id) once, when the batch finishes.
-- The users of open batches are held back from new batches (per-user order).
ALTER TABLE delivery_batches ADD COLUMN event_ids bigint[] NOT NULL DEFAULT '{}';
ALTER TABLE delivery_batches ADD COLUMN user_ids text[] NOT NULL DEFAULT '{}';
-- The exact request body, fixed when the batch is formed, so that every retry sends the same
-- bytes under the same webhook-id (even across a deploy that changes how JSON is written).
-- Cleared once the batch is finished.
ALTER TABLE delivery_batches ADD COLUMN body text;
ALTER TABLE delivery_batches ADD COLUMN last_attempt_at timestamptz;

-- Open batches of a connection (in flight or waiting for a retry): read at every claim.
CREATE INDEX delivery_batches_open ON delivery_batches (connection_id, next_attempt_at) WHERE status = 'pending';
-- "last delivered at" for the status route.
CREATE INDEX delivery_batches_delivered ON delivery_batches (connection_id, finished_at) WHERE status = 'delivered';

-- Dead events hold back the later events of their user until replayed or skipped.
CREATE INDEX outbox_dead ON outbox_events (connection_id, user_id, sequence) WHERE status = 'dead';
