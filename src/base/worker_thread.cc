#include "base/worker_thread.h"

namespace berth {
namespace {
thread_local bool t_low_priority = false;
thread_local bool t_background = false;
}  // namespace

void MarkThisThreadLowPriority() { t_low_priority = t_background = true; }
bool ThisThreadIsLowPriority() { return t_low_priority; }
void MarkThisThreadBackground() { t_background = true; }
bool ThisThreadIsBackground() { return t_background; }

WorkerThread::WorkerThread() : thread_([this] { Loop(); }) {}

WorkerThread::~WorkerThread() {
  {
    std::lock_guard lock(mu_);
    exit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WorkerThread::Call(const std::function<void()>& f) {
  std::lock_guard one(call_mu_);
  std::unique_lock lock(mu_);
  task_ = &f;
  done_ = false;
  error_ = nullptr;
  cv_.notify_all();
  cv_.wait(lock, [&] { return done_; });
  task_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

void WorkerThread::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return exit_ || (task_ && !done_); });
    if (exit_) return;
    const auto* f = task_;
    lock.unlock();
    std::exception_ptr error;
    try {
      (*f)();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    error_ = error;
    done_ = true;
    cv_.notify_all();
  }
}

}  // namespace berth
