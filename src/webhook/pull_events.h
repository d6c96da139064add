// PullEvents: PULL_ARTIFACT events, written to the job queue off the request path. A pull changes
// nothing, so its event has no transaction to join: a manifest GET hands it here and returns; a
// background thread enqueues what has piled up and wakes the job runner. Events still in memory
// when the process is killed are lost (pushes and deletes are not: theirs commit with the change).
// Bounded: beyond `max_pending` new events are dropped and counted.
// Thread-safe: the queue is guarded by mu_; one writer thread.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "store/job_queue.h"
#include "store/outbox.h"

namespace berth::webhook {

class PullEvents {
 public:
  // `wake` is called after events were enqueued (JobRunner::Notify); may be empty.
  PullEvents(store::JobQueue& jobs, std::function<void()> wake, size_t max_pending = 10000);
  ~PullEvents();  // writes what is pending, then stops
  PullEvents(const PullEvents&) = delete;
  PullEvents& operator=(const PullEvents&) = delete;

  void Publish(store::ArtifactEventRecord event);
  // Blocks until everything published so far is in the queue (tests, shutdown).
  void Drain();
  uint64_t dropped() const;

 private:
  void Run();

  store::JobQueue& jobs_;
  std::function<void()> wake_;
  size_t max_pending_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable drained_;
  std::deque<store::ArtifactEventRecord> pending_;  // guarded by mu_
  size_t in_flight_ = 0;                            // guarded by mu_
  uint64_t dropped_ = 0;                            // guarded by mu_
  bool stop_ = false;                               // guarded by mu_
  std::thread thread_;
};

}  // namespace berth::webhook
