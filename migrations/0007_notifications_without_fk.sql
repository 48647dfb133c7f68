-- notifications is the webhook's hot path: every accepted item is a row, thousands a second. Its
-- foreign key made each of them look up and share-lock its connections row (concurrent group
-- commits sharing those locks), for an audit log that nothing joins on: with the same 8,000
-- notifications/s, Postgres used 2.9-3.8 s of CPU per 15 s without it against 3.7-3.9 s with it.
-- It also failed a whole group commit, every request in it answered 503, when one item named a
-- connection deleted moments before (the webhook's subscription cache keeps it for seconds).
-- Deleting a connection now deletes its notifications in the same transaction; an item stored
-- after that (from the cache) is an orphan that retention prunes with the rest after 7 days.
ALTER TABLE notifications DROP CONSTRAINT notifications_connection_id_fkey;
