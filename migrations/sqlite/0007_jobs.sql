-- The durable job queue (store/job_queue.h): background work such as webhook deliveries,
-- replication, scans, retention and garbage collection. A job is committed in the same
-- transaction as the change that caused it (store/sqlite/job_queue.h: InsertJob), then leased by a
-- worker (jobs/job_runner.h) for a bounded time; a lease that runs out without being renewed
-- (crashed worker) makes the job runnable again.
--   state: queued → running → done | dead (dead letter), or back to queued for a retry.
--   order_key: '' = no ordering; otherwise jobs of one key run one at a time in id order while
--              none of them is waiting in backoff (see JobQueue::Lease).
--   times are unix milliseconds; 0 = not set.
CREATE TABLE jobs(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK(kind <> ''),
  order_key TEXT NOT NULL DEFAULT '',
  payload TEXT NOT NULL DEFAULT '{}' CHECK(json_valid(payload)),
  state TEXT NOT NULL DEFAULT 'queued' CHECK(state IN ('queued', 'running', 'done', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 1 CHECK(max_attempts >= 1),
  run_after_ms INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_until_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL DEFAULT 0
);
-- The lease query: runnable queued jobs (state, run_after_ms) and expired running ones.
CREATE INDEX jobs_runnable ON jobs(state, run_after_ms);
CREATE INDEX jobs_running ON jobs(state, lease_until_ms);
-- Ordering checks: earlier unfinished jobs and live leases of one key.
CREATE INDEX jobs_order ON jobs(order_key, state, id);
-- The admin listing and Purge.
CREATE INDEX jobs_kind ON jobs(kind, state, finished_ms);
