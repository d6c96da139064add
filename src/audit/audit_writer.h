// AuditWriter: takes audit records from request handlers without blocking them and writes them
// in batches (one transaction each) on its own thread. Records name their project; the writer
// resolves names to ids (with a small cache) so the /v2 hot path never queries for them.
//
// Durability: push and delete records are also batched; a batch is written at most
// `flush_interval` after its first record, and Flush()/destruction drain the queue. A kill -9
// can lose the records of that last interval — the audit trail is a log of activity, not state.
// The queue is bounded; when the database is unavailable the oldest records are dropped and counted.
//
// Thread-safe: Record() and Flush() may be called from any thread.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/identity_store.h"

namespace berth::audit {

struct Options {
  std::chrono::milliseconds flush_interval{200};
  size_t max_batch = 512;
  size_t max_queue = 100000;
};

class AuditWriter {
 public:
  AuditWriter(store::AuditStore& store, store::ProjectStore& projects, Options opt);
  ~AuditWriter();  // drains the queue
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Queues a record. When `project_name` is set and record.project_id is 0, the id is looked up.
  void Record(store::AuditRecord record, std::string project_name = {});
  // Blocks until everything queued before the call is written (or dropped).
  void Flush();
  uint64_t dropped() const;

 private:
  struct Item {
    store::AuditRecord record;
    std::string project_name;
  };
  void Run();
  void WriteBatch(std::vector<Item>& batch);
  int64_t ProjectId(const std::string& name);

  store::AuditStore& store_;
  store::ProjectStore& projects_;
  Options opt_;
  mutable std::mutex mu_;
  std::condition_variable wake_;     // the writer thread waits here
  std::condition_variable drained_;  // Flush() waits here
  std::deque<Item> queue_;           // guarded by mu_
  uint64_t enqueued_ = 0;            // guarded by mu_
  uint64_t written_ = 0;             // guarded by mu_ (written or dropped)
  uint64_t dropped_ = 0;             // guarded by mu_
  bool stop_ = false;                // guarded by mu_
  bool hurry_ = false;               // guarded by mu_: a Flush() is waiting
  // Writer thread only.
  std::unordered_map<std::string, std::pair<int64_t, std::chrono::steady_clock::time_point>> project_ids_;
  std::thread thread_;
};

}  // namespace berth::audit
