#include "jobs/outcome.h"

namespace berth::jobs {

store::JobFinish FinishFor(const store::JobRecord& job, const std::string& owner, const Outcome& o,
                           const Backoff& backoff, int64_t now_ms) {
  store::JobFinish f;
  f.id = job.id;
  f.owner = owner;
  if (o.kind == Outcome::Kind::kDone) return f;
  f.error = o.error.empty() ? std::string("failed") : o.error;
  if (o.kind == Outcome::Kind::kFail || job.attempts >= job.max_attempts) {
    f.state = store::JobState::kDead;
    return f;
  }
  f.state = store::JobState::kQueued;
  f.run_after_ms = now_ms + o.after.value_or(BackoffFor(backoff, job.attempts)).count();
  return f;
}

}  // namespace berth::jobs
