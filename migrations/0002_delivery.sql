-- Delivery to Leena AI (docs/delivery.md).

-- The exact request body of a batch, fixed when the batch is formed, so that every retry sends the
-- same bytes under the same webhook-id (even across a deploy that changes how JSON is written).
-- Cleared once the batch is finished.
ALTER TABLE delivery_batches ADD COLUMN body text;
ALTER TABLE delivery_batches ADD COLUMN last_attempt_at timestamptz;

-- Open batches of a connection (in flight or waiting for a retry): counted at every claim.
CREATE INDEX delivery_batches_open ON delivery_batches (connection_id, next_attempt_at) WHERE status = 'pending';
-- "last delivered at" for the status route.
CREATE INDEX delivery_batches_delivered ON delivery_batches (connection_id, finished_at) WHERE status = 'delivered';

-- Events that hold back the later events of their user: in an open batch, or dead-lettered.
-- Small (at most concurrency x 100 rows plus dead letters), read at every claim.
CREATE INDEX outbox_blockers ON outbox_events (connection_id, user_id, sequence)
  WHERE status = 'dead' OR (status = 'pending' AND batch_id IS NOT NULL);
-- The events of an open batch, marked delivered or dead when it finishes.
CREATE INDEX outbox_open_batch ON outbox_events (batch_id) WHERE status = 'pending' AND batch_id IS NOT NULL;
