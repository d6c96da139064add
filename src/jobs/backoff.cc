#include "jobs/backoff.h"

#include <algorithm>

namespace berth::jobs {

std::chrono::milliseconds BackoffFor(const Backoff& policy, int attempt) {
  if (policy.steps.empty()) return std::chrono::milliseconds(0);
  size_t i = static_cast<size_t>(std::max(attempt, 1)) - 1;
  return policy.steps[std::min(i, policy.steps.size() - 1)];
}

}  // namespace berth::jobs
