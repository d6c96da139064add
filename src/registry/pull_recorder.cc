#include "registry/pull_recorder.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "base/clock.h"

namespace berth::registry {

PullRecorder::PullRecorder(store::ArtifactStore& store, Options opt)
    : store_(store), opt_(opt), last_flush_(std::chrono::steady_clock::now() - opt.interval) {}

PullRecorder::~PullRecorder() { Flush(); }

void PullRecorder::Record(std::string_view repository, const Digest& digest, std::string_view tag) {
  auto now = std::chrono::steady_clock::now();
  std::map<Key, store::PullRecord> batch;
  {
    std::lock_guard lock(mu_);
    Key key{std::string(repository), digest.str(), std::string(tag)};
    auto [it, inserted] = pending_.try_emplace(key);
    if (inserted) {
      it->second.repository = std::string(repository);
      it->second.digest = digest;
      it->second.tag = std::string(tag);
    }
    it->second.at = NowUnixSeconds();
    ++it->second.count;
    if (now - last_flush_ < opt_.interval && pending_.size() < opt_.max_pending) return;
    batch.swap(pending_);
    last_flush_ = now;
  }
  Write(std::move(batch));
}

void PullRecorder::Flush() {
  std::map<Key, store::PullRecord> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
    last_flush_ = std::chrono::steady_clock::now();
  }
  Write(std::move(batch));
}

void PullRecorder::Write(std::map<Key, store::PullRecord> batch) {
  if (batch.empty()) return;
  std::vector<store::PullRecord> pulls;
  pulls.reserve(batch.size());
  for (auto& [k, v] : batch) pulls.push_back(std::move(v));
  if (auto r = store_.RecordPulls(pulls); !r)
    spdlog::warn("pull statistics write failed entries={} error={}", pulls.size(), r.error().Message());
}

}  // namespace berth::registry
