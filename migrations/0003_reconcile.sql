-- Reconcile runs read Graph into a staging table first, so the mass-deletion guard can stop a run
-- before anything is sent. UNLOGGED: staging is rebuilt by re-running the scan after a crash.
CREATE UNLOGGED TABLE reconcile_items (
  run_id   uuid NOT NULL,
  user_id  text NOT NULL,
  profile  jsonb NOT NULL,
  PRIMARY KEY (run_id, user_id)
);

ALTER TABLE reconcile_runs
  ADD COLUMN phase text,
  ADD COLUMN total_before integer,
  ADD COLUMN approved_deletions integer,
  ADD COLUMN delta_link text,
  ADD COLUMN users_per_second numeric;

-- Scheduled runs are created once per fire time across replicas (schedule_fires), and one
-- connection never has two open runs.
CREATE UNIQUE INDEX reconcile_runs_one_open ON reconcile_runs (connection_id) WHERE status IN ('queued', 'running');
