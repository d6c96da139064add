-- Garbage collection (src/gc/): runs and their logs, the schedule, and an index for the sweep.
--   gc_runs.status: Pending → Running → Success | Error | Stopped (Harbor's execution statuses).
--   gc_runs.trigger: MANUAL | SCHEDULE. parameters: Harbor's JSON ({"delete_untagged","dry_run","workers"}).
--   counters are what the run deleted (or, for a dry run, would delete); times are unix ms.
CREATE TABLE gc_runs(
  id INTEGER PRIMARY KEY,
  trigger TEXT NOT NULL CHECK(trigger IN ('MANUAL', 'SCHEDULE')),
  schedule_type TEXT NOT NULL DEFAULT 'Manual',
  cron TEXT NOT NULL DEFAULT '',
  parameters TEXT NOT NULL DEFAULT '{}' CHECK(json_valid(parameters)),
  status TEXT NOT NULL DEFAULT 'Pending' CHECK(status IN ('Pending', 'Running', 'Success', 'Error', 'Stopped')),
  stop_requested INTEGER NOT NULL DEFAULT 0,
  job_id INTEGER NOT NULL DEFAULT 0,
  blobs_deleted INTEGER NOT NULL DEFAULT 0,
  manifests_deleted INTEGER NOT NULL DEFAULT 0,
  bytes_freed INTEGER NOT NULL DEFAULT 0,
  uploads_deleted INTEGER NOT NULL DEFAULT 0,
  orphans_deleted INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX gc_runs_status ON gc_runs(status);
-- The per-item log, one row per batch of lines (GET /system/gc/{id}/log joins them in order).
CREATE TABLE gc_log(
  run_id INTEGER NOT NULL REFERENCES gc_runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY(run_id, seq)
) WITHOUT ROWID;
-- The schedule set through the API (one row); absent = the configured default (gc.schedule).
CREATE TABLE gc_schedule(
  id INTEGER PRIMARY KEY CHECK(id = 1),
  type TEXT NOT NULL,
  cron TEXT NOT NULL,
  parameters TEXT NOT NULL DEFAULT '{}' CHECK(json_valid(parameters)),
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
-- The sweep walks unreferenced blobs in digest order.
CREATE INDEX blobs_unreferenced ON blobs(digest) WHERE ref_count = 0;
