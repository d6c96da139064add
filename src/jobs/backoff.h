// Backoff: how long a job waits after a failed attempt before it runs again. A pure function of a
// per-kind policy and the attempt number. Value type; thread-safe.
#pragma once
#include <chrono>
#include <vector>

namespace berth::jobs {

struct Backoff {
  // The wait after the n-th failed attempt is steps[n-1]; the last step repeats (a cap). The
  // default suits webhook deliveries: 1 s, 5 s, then 30 s.
  std::vector<std::chrono::milliseconds> steps{std::chrono::seconds(1), std::chrono::seconds(5),
                                               std::chrono::seconds(30)};
};

// The wait after failed attempt number `attempt` (1 = the first). Zero when there are no steps;
// attempt < 1 is treated as 1.
std::chrono::milliseconds BackoffFor(const Backoff& policy, int attempt);

}  // namespace berth::jobs
