-- Profiles and event payloads are written whole and read whole; nothing queries inside them.
-- `json` keeps the text as written: no jsonb tree to build on every insert, and no jsonb-to-text
-- rendering when a delivery batch body is assembled (profiled: the initial sync's largest costs).
ALTER TABLE outbox_events ALTER COLUMN payload TYPE json USING payload::json;
ALTER TABLE users ALTER COLUMN graph_profile TYPE json USING graph_profile::json;
ALTER TABLE users ALTER COLUMN sent_profile TYPE json USING sent_profile::json;
ALTER TABLE reconcile_items ALTER COLUMN profile TYPE json USING profile::json;

-- outbox_user_pending (status IN ('pending', 'dead')) answers every lookup of dead events too.
DROP INDEX IF EXISTS outbox_dead;

-- A batch body (up to 100 events, ~60 kB) is written once and read only on a retry: storing it
-- uncompressed saves the pglz pass on every batch formed.
ALTER TABLE delivery_batches ALTER COLUMN body SET STORAGE EXTERNAL;
