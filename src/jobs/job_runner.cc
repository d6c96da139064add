#include "jobs/job_runner.h"

#include <spdlog/spdlog.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>

#include "base/clock.h"
#include "base/worker_thread.h"

namespace berth::jobs {
namespace {

std::string DefaultNode() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof(host), "localhost");
  return std::string(host) + ":" + std::to_string(getpid());
}

std::atomic<uint64_t> g_runners{0};

// Names the calling thread (top -H, perf, gdb show it) and adds `nice` to its nice value (Linux
// keeps one per thread). A failure only leaves the thread at normal priority.
void NameAndNiceThisThread(const char* name, int nice) {
  pthread_setname_np(pthread_self(), name);
  if (nice == 0) return;
  int now = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), std::clamp(now + nice, -20, 19)) == 0 && nice > 0)
    MarkThisThreadLowPriority();  // its store writes run on the store's normal-priority thread
}

}  // namespace

store::JobFinish JobContext::FinishFor(const store::JobRecord& job, const Outcome& o) const {
  return jobs::FinishFor(job, owner_, o, backoff_, NowUnixMillis());
}

JobRunner::JobRunner(store::JobQueue& queue, RunnerOptions opt) : queue_(queue), opt_(std::move(opt)) {
  opt_.workers = std::max(opt_.workers, 1);
  opt_.poll_interval = std::max(opt_.poll_interval, std::chrono::milliseconds(1));
  opt_.lease = std::max(opt_.lease, std::chrono::milliseconds(30));
  opt_.chain = std::max(opt_.chain, 1);
  if (opt_.node.empty()) opt_.node = DefaultNode();
  owner_prefix_ = opt_.node + "/r" + std::to_string(g_runners.fetch_add(1) + 1) + "/";
}

JobRunner::~JobRunner() { Stop(); }

void JobRunner::Register(const std::string& kind, Handler handler, KindOptions opt) {
  {
    std::lock_guard lock(mu_);
    kinds_[kind] = Kind{std::move(handler), std::move(opt)};
    poke_ = true;
  }
  dispatch_cv_.notify_one();
}

void JobRunner::Start() {
  std::lock_guard lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  for (int i = 0; i < opt_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  dispatcher_ = std::thread([this] { DispatchLoop(); });
}

void JobRunner::Notify() {
  {
    std::lock_guard lock(mu_);
    poke_ = true;
  }
  dispatch_cv_.notify_one();
}

void JobRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    stop_flag_.store(true);
    if (!started_) return;
  }
  work_cv_.notify_all();
  dispatch_cv_.notify_all();
  for (auto& t : workers_) t.join();  // running handlers finish; the dispatcher keeps renewing
  {
    std::lock_guard lock(mu_);
    exit_ = true;
  }
  dispatch_cv_.notify_all();
  dispatcher_.join();
  std::unique_lock lock(mu_);
  ReleaseReady(lock);
}

void JobRunner::ReleaseReady(std::unique_lock<std::mutex>& lk) {
  if (ready_.empty()) return;
  std::deque<Leased> items;
  items.swap(ready_);
  lk.unlock();
  for (const auto& item : items) Release(item.jobs, 0, item.owner);
  lk.lock();
}

void JobRunner::Release(const std::vector<store::JobRecord>& jobs, size_t from, const std::string& owner) {
  for (size_t i = from; i < jobs.size(); ++i) {
    auto r = queue_.Release(jobs[i].id, owner);
    if (!r) spdlog::warn("job release failed id={} kind={} error={}", jobs[i].id, jobs[i].kind, r.error().Message());
  }
}

void JobRunner::LeaseNow(std::unique_lock<std::mutex>& lk, int free) {
  std::vector<std::string> kinds;
  kinds.reserve(kinds_.size());
  for (const auto& [name, kind] : kinds_) kinds.push_back(name);
  std::string owner = owner_prefix_ + std::to_string(++lease_seq_);
  lk.unlock();
  auto leased = queue_.Lease(kinds, owner, free, opt_.lease, NowUnixMillis(), opt_.chain);
  lk.lock();
  if (!leased) {
    spdlog::warn("job lease failed error={}", leased.error().Message());
    return;
  }
  // A chain follows its head in the result; at most one head per order key.
  int heads = 0;
  std::map<std::string, size_t> chain_of;  // order key → index in ready_
  for (auto& job : *leased) {
    spdlog::debug("job leased id={} kind={} attempt={} owner={}", job.id, job.kind, job.attempts, owner);
    if (!job.order_key.empty()) {
      if (auto it = chain_of.find(job.order_key); it != chain_of.end()) {
        ready_[it->second].jobs.push_back(std::move(job));
        continue;
      }
      chain_of.emplace(job.order_key, ready_.size());
    }
    ++heads;
    ready_.push_back(Leased{{}, owner});
    ready_.back().jobs.push_back(std::move(job));
  }
  // Every idle worker got work: there may be more, so lease again as soon as one is free.
  if (heads == free) poke_ = true;
  if (heads > 0) work_cv_.notify_all();
}

void JobRunner::RenewRunning(std::unique_lock<std::mutex>& lk) {
  std::vector<std::pair<int64_t, std::shared_ptr<JobContext>>> running;
  running.reserve(running_.size());
  for (const auto& [seq, entry] : running_) running.push_back(entry);
  lk.unlock();
  for (const auto& [id, ctx] : running) {
    auto r = queue_.Renew(id, ctx->owner(), NowUnixMillis() + opt_.lease.count());
    if (!r) {
      spdlog::warn("job lease renewal failed id={} error={}", id, r.error().Message());
    } else if (!*r && !ctx->lost_.exchange(true)) {
      spdlog::warn("job lease lost id={} owner={}", id, ctx->owner());
    }
  }
  lk.lock();
}

void JobRunner::DispatchLoop() {
  NameAndNiceThisThread("berth-lease", opt_.nice);
  using Clock = std::chrono::steady_clock;
  const auto renew_every = std::max(opt_.lease / 3, std::chrono::milliseconds(10));
  auto next_poll = Clock::now();  // at once: work left from before a restart
  auto next_renew = Clock::now() + renew_every;
  std::unique_lock lk(mu_);
  while (!exit_) {
    if (stopping_ && !ready_.empty()) {
      ReleaseReady(lk);
      continue;
    }
    auto now = Clock::now();
    int64_t now_ms = NowUnixMillis();
    int free = idle_ - static_cast<int>(ready_.size());
    bool can_lease = !stopping_ && free > 0 && !kinds_.empty();
    bool retry_due = !due_.empty() && due_.top() <= now_ms;
    if (can_lease && (poke_ || now >= next_poll || retry_due)) {
      poke_ = false;
      next_poll = now + opt_.poll_interval;
      while (!due_.empty() && due_.top() <= now_ms) due_.pop();
      LeaseNow(lk, free);
      continue;
    }
    if (now >= next_renew) {
      next_renew = now + renew_every;
      if (!running_.empty()) RenewRunning(lk);
      continue;
    }
    auto wake = next_renew;
    if (can_lease) {
      wake = std::min(wake, next_poll);
      if (!due_.empty()) wake = std::min(wake, now + std::chrono::milliseconds(due_.top() - now_ms));
    }
    dispatch_cv_.wait_until(lk, wake);
  }
}

void JobRunner::WorkerLoop() {
  NameAndNiceThisThread("berth-job", opt_.nice);
  std::unique_lock lk(mu_);
  ++idle_;
  dispatch_cv_.notify_one();
  for (;;) {
    work_cv_.wait(lk, [&] { return stopping_ || !ready_.empty(); });
    if (stopping_) break;  // jobs still in ready_ go back to the queue
    Leased item = std::move(ready_.front());
    ready_.pop_front();
    --idle_;
    // Every job of the chain counts as running from now on, so the dispatcher renews its lease.
    struct Entry {
      uint64_t seq;
      std::shared_ptr<JobContext> ctx;
      std::optional<Kind> kind;
    };
    std::vector<Entry> entries;
    for (const auto& job : item.jobs) {
      auto kind_it = kinds_.find(job.kind);
      std::optional<Kind> kind;
      if (kind_it != kinds_.end()) kind = kind_it->second;
      auto ctx = std::make_shared<JobContext>(stop_flag_, item.owner, kind ? kind->options.backoff : Backoff{});
      uint64_t seq = ++run_seq_;
      running_.emplace(seq, std::make_pair(job.id, ctx));
      entries.push_back(Entry{seq, std::move(ctx), std::move(kind)});
    }
    lk.unlock();

    for (size_t i = 0; i < item.jobs.size(); ++i) {
      if (i > 0 && stop_flag_.load()) {  // stopping: the chain's unstarted jobs go back
        Release(item.jobs, i, item.owner);
        lk.lock();
        for (size_t j = i; j < entries.size(); ++j) running_.erase(entries[j].seq);
        lk.unlock();
        break;
      }
      std::optional<int64_t> retry_at;
      if (entries[i].ctx->LeaseLost()) {
        // Its lease ran out while it waited in the chain: another worker may hold it now.
      } else if (entries[i].kind) {
        retry_at = Execute(item.jobs[i], *entries[i].ctx, *entries[i].kind);
      } else if (auto r = queue_.Release(item.jobs[i].id, item.owner); !r) {  // kinds are never removed; defensive
        spdlog::warn("job release failed id={} error={}", item.jobs[i].id, r.error().Message());
      }
      lk.lock();
      running_.erase(entries[i].seq);
      if (retry_at) due_.push(*retry_at);
      lk.unlock();
    }

    lk.lock();
    ++idle_;
    poke_ = true;  // a finished job may unblock the next of its order key
    dispatch_cv_.notify_one();
  }
  --idle_;
}

std::optional<int64_t> JobRunner::Execute(const store::JobRecord& job, JobContext& ctx, const Kind& kind) {
  auto t0 = std::chrono::steady_clock::now();
  Outcome outcome;
  try {
    outcome = kind.handler(job, ctx);
  } catch (const std::exception& e) {
    outcome = Outcome::Retry(std::string("handler threw: ") + e.what());
  } catch (...) {
    outcome = Outcome::Retry("handler threw a non-standard exception");
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  if (outcome.kind == Outcome::Kind::kLost) {
    spdlog::warn("job lease lost before its outcome id={} kind={} owner={}", job.id, job.kind, ctx.owner());
    return std::nullopt;
  }
  bool by_handler = outcome.kind == Outcome::Kind::kRecorded;
  store::JobFinish finish = by_handler ? outcome.finish : ctx.FinishFor(job, outcome);
  const char* what = finish.state == store::JobState::kDone   ? "done"
                     : finish.state == store::JobState::kDead ? "dead"
                                                              : "retry";
  std::optional<int64_t> retry_at;
  if (finish.state == store::JobState::kQueued) retry_at = finish.run_after_ms;
  Result<bool> recorded = by_handler ? Result<bool>(true) : queue_.Finish(finish);
  const std::string& error = finish.error;
  if (!recorded) {
    // The lease runs out and the job runs again.
    spdlog::warn("job outcome not recorded id={} kind={} outcome={} error={}", job.id, job.kind, what,
                 recorded.error().Message());
    return std::nullopt;
  }
  if (!*recorded) {
    spdlog::warn("job lease lost before its outcome id={} kind={} outcome={} owner={}", job.id, job.kind, what,
                 ctx.owner());
    return std::nullopt;
  }
  if (finish.state == store::JobState::kDone)
    spdlog::debug("job done id={} kind={} attempt={} ms={}", job.id, job.kind, job.attempts, ms);
  else
    spdlog::log(what[0] == 'd' ? spdlog::level::warn : spdlog::level::info,
                "job {} id={} kind={} attempt={}/{} ms={} error={}", what, job.id, job.kind, job.attempts,
                job.max_attempts, ms, error);
  return retry_at;
}

}  // namespace berth::jobs
