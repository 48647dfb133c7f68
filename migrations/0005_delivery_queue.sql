-- Delivery state moves out of the outbox into a narrow queue (docs/delivery.md).
--
-- An outbox row is ~1 kB (the payload). Marking it delivered rewrote the whole row, and since
-- `status` sat in the predicates of the pending indexes, never as a HOT update: a new heap tuple
-- and three index insertions per event, ~60 µs each (auto_explain, 100k-event delivery). Now an
-- outbox row is written once and never updated; the queue holds one ~60-byte row per undelivered
-- event, and delivery deletes it.
--
-- An event's state: in the queue and not dead = pending; in the queue and dead = dead (a dead
-- letter explains it); gone from the queue = delivered, or skipped when its dead letter was
-- resolved as skipped.
CREATE TABLE delivery_queue (
  connection_id uuid    NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  outbox_id     bigint  NOT NULL,   -- outbox_events.id: the outbox order
  user_id       text    NOT NULL,
  sequence      integer NOT NULL,
  dead          boolean NOT NULL DEFAULT false,
  PRIMARY KEY (connection_id, outbox_id)
);
-- A user's first undelivered event (per-user order).
CREATE INDEX delivery_queue_user ON delivery_queue (connection_id, user_id, sequence);
-- Dead events hold back the later events of their user. Nearly always empty, so the check a claim
-- makes for every candidate reads one page.
CREATE INDEX delivery_queue_dead ON delivery_queue (connection_id, user_id, sequence) WHERE dead;

INSERT INTO delivery_queue (connection_id, outbox_id, user_id, sequence, dead)
SELECT connection_id, id, user_id, sequence, status = 'dead' FROM outbox_events WHERE status IN ('pending', 'dead');

DROP INDEX outbox_pending;
DROP INDEX outbox_user_pending;
-- batch_id and delivered_at were written and never read: the batch lists its events.
ALTER TABLE outbox_events DROP COLUMN status, DROP COLUMN batch_id, DROP COLUMN delivered_at;
