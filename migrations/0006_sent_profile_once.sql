-- What Leena AI was last sent is nearly always exactly Graph's profile: after the initial sync,
-- every user. Stored twice, it doubled the users row (~700 bytes more), the COPY sent to Postgres
-- and its JSON validation: the service wrote 199 MB to Postgres for a 100k initial sync, and
-- 155 MB without the second copy. Now `sent_is_graph` says "Leena AI has graph_profile", with
-- sent_profile NULL; sent_profile holds a profile only when it differs from graph_profile.
ALTER TABLE users ADD COLUMN sent_is_graph boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD CONSTRAINT users_sent_stored_once CHECK (NOT (sent_is_graph AND sent_profile IS NOT NULL));
-- Whether Leena AI has the user at all, for the queries that count or walk them.
ALTER TABLE users ADD COLUMN in_leena boolean GENERATED ALWAYS AS (sent_profile IS NOT NULL OR sent_is_graph) STORED;
DROP INDEX users_sent;
CREATE INDEX users_in_leena ON users (connection_id) WHERE in_leena;
