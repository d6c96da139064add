-- Webhooks (issue 4): Harbor's notification policies of a project, the deliveries made for them
-- ("executions"; Harbor's execution and its single task are one row, so they share an id) and every
-- delivery attempt. Times are unix milliseconds. Everything goes with its project.
CREATE TABLE webhook_policies(
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  targets TEXT NOT NULL,                 -- Harbor's `targets` JSON array, as validated by the API
  event_types TEXT NOT NULL,             -- JSON array of event type names, de-duplicated
  creator TEXT NOT NULL DEFAULT '',
  enabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE(project_id, name)
);
CREATE TABLE webhook_executions(
  id INTEGER PRIMARY KEY,
  policy_id INTEGER NOT NULL REFERENCES webhook_policies(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL,
  event_id INTEGER NOT NULL DEFAULT 0,   -- the outbox event that caused it; 0 for test deliveries
  target_index INTEGER NOT NULL,
  redelivery_of INTEGER NOT NULL DEFAULT 0,
  vendor_type TEXT NOT NULL,             -- WEBHOOK or SLACK
  event_type TEXT NOT NULL,
  target TEXT NOT NULL,                  -- the target as it was at dispatch
  payload TEXT NOT NULL,                 -- the exact body sent
  delivery_id TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'Pending',
  status_message TEXT NOT NULL DEFAULT '',
  run_count INTEGER NOT NULL DEFAULT 0,
  job_id INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  start_at INTEGER NOT NULL DEFAULT 0,
  end_at INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
-- Dispatching an event twice records (and delivers) it once per policy target.
CREATE UNIQUE INDEX webhook_executions_event ON webhook_executions(event_id, policy_id, target_index)
  WHERE redelivery_of = 0 AND event_id > 0;
CREATE INDEX webhook_executions_policy ON webhook_executions(policy_id, id);
CREATE TABLE webhook_attempts(
  execution_id INTEGER NOT NULL REFERENCES webhook_executions(id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  status_code INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  response TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(execution_id, attempt)
) WITHOUT ROWID;
