-- Every batch claim asks, per candidate event, whether its user has a dead event. Answered from
-- outbox_user_pending, that probe read the heap row of each of the user's undelivered events to
-- look at its status (8 of the 15 buffers a candidate cost, measured with auto_explain). This
-- index holds only dead events, so it is nearly always empty: the probe reads one page, and
-- writing a pending or delivered event never touches it.
CREATE INDEX outbox_dead ON outbox_events (connection_id, user_id, sequence) WHERE status = 'dead';
