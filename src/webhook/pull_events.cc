#include "webhook/pull_events.h"

#include <spdlog/spdlog.h>

namespace berth::webhook {

PullEvents::PullEvents(store::JobQueue& jobs, std::function<void()> wake, size_t max_pending)
    : jobs_(jobs), wake_(std::move(wake)), max_pending_(max_pending), thread_([this] { Run(); }) {}

PullEvents::~PullEvents() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void PullEvents::Publish(store::ArtifactEventRecord event) {
  {
    std::lock_guard lock(mu_);
    if (pending_.size() >= max_pending_) {
      ++dropped_;
      return;
    }
    pending_.push_back(std::move(event));
  }
  cv_.notify_one();
}

void PullEvents::Drain() {
  std::unique_lock lock(mu_);
  drained_.wait(lock, [&] { return pending_.empty() && in_flight_ == 0; });
}

uint64_t PullEvents::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void PullEvents::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    if (pending_.empty() && stop_) break;
    std::deque<store::ArtifactEventRecord> batch;
    batch.swap(pending_);
    in_flight_ = batch.size();
    lock.unlock();
    for (const auto& e : batch) {
      store::NewJob job;
      job.kind = std::string(store::kEventJobKind);
      job.payload = store::ToJson(e);
      job.max_attempts = 10;
      if (auto r = jobs_.Enqueue(job); !r) spdlog::warn("pull event not recorded error={}", r.error().Message());
    }
    if (wake_) wake_();
    lock.lock();
    in_flight_ = 0;
    drained_.notify_all();
  }
  drained_.notify_all();
}

}  // namespace berth::webhook
