#include "audit/audit_writer.h"

#include <spdlog/spdlog.h>

#include "base/clock.h"

namespace berth::audit {

AuditWriter::AuditWriter(store::AuditStore& store, store::ProjectStore& projects, Options opt)
    : store_(store), projects_(projects), opt_(opt), thread_([this] { Run(); }) {}

AuditWriter::~AuditWriter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void AuditWriter::Record(store::AuditRecord record, std::string project_name) {
  if (record.op_time == 0) record.op_time = NowUnixSeconds();
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= opt_.max_queue) {
      queue_.pop_front();
      ++dropped_;
      ++written_;
    }
    queue_.push_back(Item{std::move(record), std::move(project_name)});
    ++enqueued_;
    wake = queue_.size() >= opt_.max_batch;
  }
  if (wake) wake_.notify_one();
}

void AuditWriter::Flush() {
  std::unique_lock lock(mu_);
  uint64_t target = enqueued_;
  hurry_ = true;
  wake_.notify_one();
  drained_.wait(lock, [&] { return written_ >= target; });
}

uint64_t AuditWriter::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

int64_t AuditWriter::ProjectId(const std::string& name) {
  auto now = std::chrono::steady_clock::now();
  if (auto it = project_ids_.find(name); it != project_ids_.end() && it->second.second > now) return it->second.first;
  auto found = projects_.FindByName(name);
  int64_t id = (found && *found) ? (*found)->id : 0;
  if (project_ids_.size() > 10000) project_ids_.clear();
  // Short-lived: a project deleted and created again under the same name gets a new id.
  project_ids_[name] = {id, now + std::chrono::seconds(5)};
  return id;
}

void AuditWriter::WriteBatch(std::vector<Item>& batch) {
  std::vector<store::AuditRecord> records;
  records.reserve(batch.size());
  for (auto& item : batch) {
    if (item.record.project_id == 0 && !item.project_name.empty()) item.record.project_id = ProjectId(item.project_name);
    records.push_back(std::move(item.record));
  }
  if (auto r = store_.AppendBatch(records); !r) {
    spdlog::warn("audit batch write failed records={} error={}", records.size(), r.error().Message());
    std::lock_guard lock(mu_);
    dropped_ += records.size();
  }
}

void AuditWriter::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait_for(lock, opt_.flush_interval, [&] { return stop_ || queue_.size() >= opt_.max_batch || written_ < enqueued_; });
    if (queue_.empty()) {
      hurry_ = false;
      drained_.notify_all();
      if (stop_) return;
      continue;
    }
    // Let a trickle of records gather into one transaction, unless asked to hurry.
    if (!stop_ && !hurry_ && queue_.size() < opt_.max_batch)
      wake_.wait_for(lock, opt_.flush_interval, [&] { return stop_ || hurry_ || queue_.size() >= opt_.max_batch; });
    std::vector<Item> batch;
    while (!queue_.empty() && batch.size() < opt_.max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    WriteBatch(batch);
    lock.lock();
    written_ += batch.size();
    drained_.notify_all();
  }
}

}  // namespace berth::audit
