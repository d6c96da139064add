// Config: every setting of the server, with defaults, loaded from a YAML file and BERTH_* environment
// variables (env wins over the file; command-line flags win over both). A value type; load once at
// start-up and pass by const reference (thread-safe to read).
//
// Keys (YAML path → environment variable):
//   listen                      BERTH_LISTEN                        127.0.0.1:5000
//   data_dir                    BERTH_DATA_DIR                      ./data
//   log_level                   BERTH_LOG_LEVEL                     info
//   external_url                BERTH_EXTERNAL_URL                  (the listen address)
//   admin_password              BERTH_ADMIN_PASSWORD                (generated on first start)
//   storage.fsync               BERTH_STORAGE_FSYNC                 true
//   http.threads                BERTH_HTTP_THREADS                  0 (two per core)
//   http.max_manifest_bytes     BERTH_HTTP_MAX_MANIFEST_BYTES       4194304
//   http.max_concurrent_uploads BERTH_HTTP_MAX_CONCURRENT_UPLOADS   256
//   http.idle_timeout_seconds   BERTH_HTTP_IDLE_TIMEOUT_SECONDS     60
//   http.body_timeout_seconds   BERTH_HTTP_BODY_TIMEOUT_SECONDS     60
//   auth.max_failed_logins      BERTH_AUTH_MAX_FAILED_LOGINS        10 per account and source, in 5 min
//   auth.max_failed_logins_per_source  BERTH_AUTH_MAX_FAILED_LOGINS_PER_SOURCE  50 (all accounts)
//   auth.lockout_seconds        BERTH_AUTH_LOCKOUT_SECONDS          60
//   auth.cache_ttl_seconds      BERTH_AUTH_CACHE_TTL_SECONDS        60 (how long a verified login is reused)
//   jobs.workers                BERTH_JOBS_WORKERS                  4 (background job handlers at once)
//   jobs.lease_seconds          BERTH_JOBS_LEASE_SECONDS            30 (a dead worker's job runs again after this)
//   jobs.nice                   BERTH_JOBS_NICE                     10 (job workers' nice value above the server's, 0-19)
//   webhook.max_attempts        BERTH_WEBHOOK_MAX_ATTEMPTS          3 (attempts per delivery, in all)
//   webhook.timeout_ms          BERTH_WEBHOOK_TIMEOUT_MS            3000 (one attempt, whole exchange)
//   webhook.backoff_ms          BERTH_WEBHOOK_BACKOFF_MS            1000,5000,30000 (waits between attempts; the last repeats)
//   webhook.per_target          BERTH_WEBHOOK_PER_TARGET            4 (deliveries at once to one address)
//   gc.grace_seconds            BERTH_GC_GRACE_SECONDS              3600 (blobs uploaded/referenced since are kept)
//   gc.schedule                 BERTH_GC_SCHEDULE                   0 0 * * * * (6-field cron until the API sets one; "" = none)
//   gc.delete_untagged          BERTH_GC_DELETE_UNTAGGED            false (for scheduled runs until the API sets one)
//   gc.upload_expiry_seconds    BERTH_GC_UPLOAD_EXPIRY_SECONDS      86400 (upload sessions idle this long are removed)
//   gc.batch_size               BERTH_GC_BATCH_SIZE                 500 (rows deleted per transaction)
//   chart.max_upload_bytes      BERTH_CHART_MAX_UPLOAD_BYTES        20971520 (a chart upload's body; more is 413)
//   chart.max_unpacked_bytes    BERTH_CHART_MAX_UNPACKED_BYTES      67108864 (a chart's unpacked size; more is 400)
//   chart.allow_overwrite       BERTH_CHART_ALLOW_OVERWRITE         true (false: re-uploading a version is 409)
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::app {

struct Config {
  std::string listen = "127.0.0.1:5000";
  std::string data_dir = "./data";
  std::string log_level = "info";
  std::string external_url;
  std::string admin_password;  // only used when the first admin is created
  bool storage_fsync = true;
  int64_t http_threads = 0;
  int64_t http_max_manifest_bytes = 4 * 1024 * 1024;
  int64_t http_max_concurrent_uploads = 256;
  int64_t http_idle_timeout_seconds = 60;
  int64_t http_body_timeout_seconds = 60;
  int64_t auth_max_failed_logins = 10;
  int64_t auth_max_failed_logins_per_source = 50;
  int64_t auth_lockout_seconds = 60;
  int64_t auth_cache_ttl_seconds = 60;
  int64_t jobs_workers = 4;
  int64_t jobs_lease_seconds = 30;
  int64_t jobs_nice = 10;
  int64_t webhook_max_attempts = 3;
  int64_t webhook_timeout_ms = 3000;
  std::vector<int64_t> webhook_backoff_ms = {1000, 5000, 30000};
  int64_t webhook_per_target = 4;
  int64_t gc_grace_seconds = 3600;
  std::string gc_schedule = "0 0 * * * *";
  bool gc_delete_untagged = false;
  int64_t gc_upload_expiry_seconds = 86400;
  int64_t gc_batch_size = 500;
  int64_t chart_max_upload_bytes = 20 << 20;
  int64_t chart_max_unpacked_bytes = 64 << 20;
  bool chart_allow_overwrite = true;

  std::string ListenHost() const;
  uint16_t ListenPort() const;
};

// Loads defaults ← file (when given) ← environment ← overrides (key → value, same keys as YAML).
// Errors: kBadRequest naming the key for unknown keys, malformed values or an unreadable file.
Result<Config> LoadConfig(const std::optional<std::string>& file, const std::map<std::string, std::string>& overrides);

}  // namespace berth::app
