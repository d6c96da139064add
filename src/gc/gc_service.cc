#include "gc/gc_service.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "base/clock.h"

namespace berth::gc {

std::string GcService::CronFor(const std::string& type, const std::string& cron) {
  if (type == "Hourly") return "0 0 * * * *";
  if (type == "Daily") return "0 0 0 * * *";
  if (type == "Weekly") return "0 0 0 * * 0";
  if (type == "None") return "";
  return cron;
}

std::string GcService::TypeOf(const std::string& cron) {
  if (cron.empty()) return "None";
  for (const char* t : {"Hourly", "Daily", "Weekly"})
    if (CronFor(t, "") == cron) return t;
  return "Custom";
}

Result<int64_t> GcService::RunNow(const GcParams& p, std::string_view trigger, std::string_view type,
                                  std::string_view cron) {
  auto id = store_.CreateRun(trigger, type, cron, ParamsJson(p));
  if (id && wake_) wake_();
  return id;
}

Result<ScheduleView> GcService::Schedule() {
  auto stored = store_.GetSchedule();
  if (!stored) return std::unexpected(stored.error());
  ScheduleView v;
  if (*stored) {
    v.type = (*stored)->type;
    v.cron = (*stored)->cron;
    auto p = ParseParams((*stored)->parameters);
    if (p) v.params = *p;
    v.created_ms = (*stored)->created_ms;
    v.updated_ms = (*stored)->updated_ms;
  } else {
    v.cron = opt_.default_cron;
    v.type = TypeOf(v.cron);
    v.params.delete_untagged = opt_.default_delete_untagged;
  }
  if (!v.cron.empty())
    if (auto c = Cron::Parse(v.cron)) v.next = c->Next(NowUnixSeconds());
  return v;
}

Result<void> GcService::SetSchedule(const std::string& type, const std::string& cron, const GcParams& p) {
  if (type != "Hourly" && type != "Daily" && type != "Weekly" && type != "Custom" && type != "None")
    return Fail(Errc::kBadRequest, "schedule.type must be one of Hourly, Daily, Weekly, Custom, None, Manual");
  std::string c = CronFor(type, cron);
  if (type == "Custom") {
    if (c.empty()) return Fail(Errc::kBadRequest, "schedule.cron is required for a Custom schedule");
    auto parsed = Cron::Parse(c);
    if (!parsed) return std::unexpected(parsed.error());
  }
  GcParams stored = p;
  stored.dry_run = false;  // a schedule collects
  return store_.PutSchedule({type, c, ParamsJson(stored)});
}

void GcService::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void GcService::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GcService::Loop() {
  pthread_setname_np(pthread_self(), "berth-gc-cron");
  int64_t checked = NowUnixSeconds();
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(500));
    if (stop_) break;
    int64_t now = NowUnixSeconds();
    if (now <= checked) continue;
    lock.unlock();
    auto view = Schedule();
    if (view && !view->cron.empty()) {
      if (auto cron = Cron::Parse(view->cron)) {
        bool due = false;
        for (int64_t t = std::max(checked + 1, now - 120); t <= now && !due; ++t) due = cron->Matches(t);
        if (due) {
          GcParams p = view->params;
          p.dry_run = false;
          auto id = RunNow(p, "SCHEDULE", view->type, view->cron);
          if (id) spdlog::info("gc scheduled run={} cron=\"{}\"", *id, view->cron);
          else if (id.error().code != Errc::kConflict)
            spdlog::warn("gc schedule failed error={}", id.error().Message());
        }
      }
    }
    checked = now;
    lock.lock();
  }
}

}  // namespace berth::gc
