// Outcome: what a job handler made of its job, and FinishFor, the one rule that turns an outcome
// into how the queue ends the job (done, retry after the backoff, or dead on the last attempt).
// Value types and a pure function; thread-safe.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "jobs/backoff.h"
#include "store/job_queue.h"

namespace berth::jobs {

struct Outcome {
  enum class Kind {
    kDone,
    kRetry,
    kFail,
    kRecorded,  // the handler ended the job itself, in the transaction of its own effects
    kLost,      // the handler found its lease gone while recording: nothing is recorded
  };
  Kind kind = Kind::kDone;
  std::string error;                               // kRetry, kFail: becomes the job's last_error
  std::optional<std::chrono::milliseconds> after;  // kRetry: this wait instead of the kind's backoff
  store::JobFinish finish;                         // kRecorded: how the handler ended the job

  static Outcome Done() { return {}; }
  static Outcome Retry(std::string error) { return {Kind::kRetry, std::move(error), std::nullopt, {}}; }
  static Outcome RetryAfter(std::chrono::milliseconds after, std::string error) {
    return {Kind::kRetry, std::move(error), after, {}};
  }
  static Outcome Fail(std::string error) { return {Kind::kFail, std::move(error), std::nullopt, {}}; }
  static Outcome Recorded(store::JobFinish finish) { return {Kind::kRecorded, "", std::nullopt, std::move(finish)}; }
  static Outcome Lost() { return {Kind::kLost, "", std::nullopt, {}}; }
};

// How the queue ends `job` (leased by `owner`) after outcome `o` (kDone, kRetry or kFail): Done →
// done; Fail, or Retry on the last attempt (attempts >= max_attempts) → dead; Retry → queued
// again at now_ms + the wait (the outcome's own, or the backoff for this attempt). An empty error
// becomes "failed".
store::JobFinish FinishFor(const store::JobRecord& job, const std::string& owner, const Outcome& o,
                           const Backoff& backoff, int64_t now_ms);

}  // namespace berth::jobs
