// GcService: what the API and the clock ask of garbage collection — start a run now, read and set
// the schedule (Harbor's types Hourly/Daily/Weekly/Custom/None over 6-field cron), stop a run —
// and the scheduler thread that starts a run whenever the schedule's cron matches. Runs
// themselves are "gc" jobs on the durable queue (gc/collector.h).
//
// Until the API sets a schedule, the configured default applies (gc.schedule; "" = none), so
// collection is on by default. Thread-safe; Start/Stop are one-shot.
#pragma once
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "gc/collector.h"
#include "gc/cron.h"
#include "store/gc_store.h"

namespace berth::gc {

struct ScheduleView {
  std::string type;  // Hourly, Daily, Weekly, Custom, None
  std::string cron;
  GcParams params;
  std::optional<int64_t> next;  // unix seconds
  int64_t created_ms = 0, updated_ms = 0;
};

class GcService {
 public:
  struct Options {
    std::string default_cron = "0 0 * * * *";
    bool default_delete_untagged = false;
  };
  GcService(store::GcStore& store, std::function<void()> wake_jobs, Options opt)
      : store_(store), wake_(std::move(wake_jobs)), opt_(std::move(opt)) {}
  ~GcService() { Stop(); }

  // Records a Pending run and its job; kConflict while another run is pending or running.
  Result<int64_t> RunNow(const GcParams& p, std::string_view trigger = "MANUAL", std::string_view type = "Manual",
                         std::string_view cron = "");
  Result<ScheduleView> Schedule();
  // type: Hourly, Daily, Weekly, Custom (cron required), None. kBadRequest otherwise.
  Result<void> SetSchedule(const std::string& type, const std::string& cron, const GcParams& p);
  Result<bool> StopRun(int64_t id) { return store_.RequestStop(id); }
  store::GcStore& store() { return store_; }

  // The cron of a Harbor schedule type ("" for None, the given cron for Custom).
  static std::string CronFor(const std::string& type, const std::string& cron);
  static std::string TypeOf(const std::string& cron);

  void Start();
  void Stop();

 private:
  void Loop();
  store::GcStore& store_;
  std::function<void()> wake_;
  Options opt_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace berth::gc
