// WorkerThread: one thread, started by the constructor, that runs the functions handed to Call()
// one at a time while the caller waits. The thread keeps the scheduling priority of the thread
// that constructed it. That is its purpose: a background job thread runs at a lower priority
// (jobs.nice) so that requests get the CPU first, but work that takes locks requests also need
// (the store's one writer, the filesystem's rename lock) must not be held by a thread the
// scheduler keeps off the CPU while a request waits for it (priority inversion). Such work goes
// through a WorkerThread built at start-up, on a normal-priority thread.
// Thread-safe: Call() may be called from several threads; calls run one after another.
#pragma once
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace berth {

// Marks the calling thread as one that lowered its own priority (a niced background thread), so
// that code taking locks requests wait for can hand that part to a normal-priority WorkerThread.
// Low priority implies background.
void MarkThisThreadLowPriority();
bool ThisThreadIsLowPriority();
// Marks the calling thread as doing background work at normal priority (it need not hand its
// store writes to another thread, but lets requests waiting for the writer go first).
void MarkThisThreadBackground();
bool ThisThreadIsBackground();

class WorkerThread {
 public:
  WorkerThread();
  ~WorkerThread();  // finishes the call in progress, then joins
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  // Runs f on the worker and returns when it has; an exception f throws is rethrown here.
  void Call(const std::function<void()>& f);

 private:
  void Loop();

  std::mutex call_mu_;  // one Call at a time
  std::mutex mu_;
  std::condition_variable cv_;
  const std::function<void()>* task_ = nullptr;  // guarded by mu_
  bool done_ = false;                            // guarded by mu_
  bool exit_ = false;                            // guarded by mu_
  std::exception_ptr error_;                     // guarded by mu_
  std::thread thread_;                           // last: started once the members above exist
};

}  // namespace berth
