#include "store/sqlite/checkpointer.h"

#include <spdlog/spdlog.h>

namespace berth::store::sqlite {

Checkpointer::Checkpointer(std::unique_ptr<Conn> conn, int threshold_pages)
    : conn_(std::move(conn)), threshold_(threshold_pages), thread_([this] { Loop(); }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int Checkpointer::WalHook(void* arg, sqlite3*, const char*, int wal_pages) {
  static_cast<Checkpointer*>(arg)->Nudge(wal_pages);
  return SQLITE_OK;
}

void Checkpointer::Nudge(int wal_pages) {
  if (wal_pages < threshold_) return;
  {
    std::lock_guard lock(mu_);
    if (due_) return;
    due_ = true;
  }
  wake_.notify_one();
}

void Checkpointer::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return due_ || stop_; });
      if (stop_) return;
      due_ = false;
    }
    int log_pages = 0, done_pages = 0;
    int rc = sqlite3_wal_checkpoint_v2(conn_->raw(), "main", SQLITE_CHECKPOINT_PASSIVE, &log_pages, &done_pages);
    runs_.fetch_add(1, std::memory_order_acq_rel);
    // BUSY: another checkpoint (a closing connection's) is running; the next commit nudges again.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      spdlog::warn("database checkpoint failed error={}", sqlite3_errmsg(conn_->raw()));
  }
}

}  // namespace berth::store::sqlite
