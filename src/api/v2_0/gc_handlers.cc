// /api/v2.0/system/gc: history (GET, paged), one run (GET), stop (PUT), its log (GET, text/plain),
// and the schedule (GET; POST/PUT with {"schedule":{"type","cron"},"parameters":{...}} where type
// Manual starts a run now). Every endpoint: parse → authorize (garbage-collection:<action>, system
// level) → GcService → render.
#include <charconv>

#include "api/v2_0/gc_routes.h"
#include "api/v2_0/render.h"
#include "api/v2_0/security.h"

namespace berth::api::v2_0 {
namespace {

using GcFn = http::Task<void> (*)(RestContext&, gc::GcService&, http::Exchange&);
struct GcRouteRow {
  http::Verb method;
  const char* pattern;
  GcFn handler;
};

Result<void> Allowed(RestContext& ctx, const http::Exchange& ex, std::string_view action) {
  auto who = Authenticate(ctx, ex);
  if (!who) return std::unexpected(who.error());
  if (!auth::AllowedSystem(*who, "garbage-collection", action)) return std::unexpected(Refusal(*who));
  return {};
}

Result<int64_t> RunId(const http::Exchange& ex) {
  const std::string& s = ex.Param("gc_id");
  int64_t id = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || id < 1)
    return Fail(Errc::kBadRequest, "gc_id must be a positive integer");
  return id;
}

Json ScheduleJson(const std::string& type, const std::string& cron, std::optional<int64_t> next) {
  Json j;
  j["type"] = type;
  j["cron"] = cron;
  if (next) j["next_scheduled_time"] = HarborTime(*next);
  return j;
}

Json RunJson(const store::GcRunRecord& r) {
  Json j;
  j["id"] = r.id;
  j["job_name"] = "GARBAGE_COLLECTION";
  j["job_kind"] = r.trigger;
  j["job_parameters"] = r.parameters;
  j["schedule"] = ScheduleJson(r.schedule_type, r.cron, std::nullopt);
  j["job_status"] = r.status;
  j["deleted"] = false;
  j["creation_time"] = HarborTimeMs(r.created_ms);
  j["update_time"] = HarborTimeMs(r.updated_ms);
  // Berth's figures (Harbor's UI reads them from the log).
  auto params = gc::ParseParams(r.parameters);
  j["dry_run"] = params && params->dry_run;
  j["blobs_deleted"] = r.done.blobs;
  j["manifests_deleted"] = r.done.manifests;
  j["bytes_freed"] = r.done.bytes;
  j["uploads_deleted"] = r.done.uploads;
  j["orphans_deleted"] = r.done.orphans;
  j["errors"] = r.done.errors;
  int64_t end = r.finished_ms ? r.finished_ms : r.updated_ms;
  j["duration_ms"] = r.started_ms ? std::max<int64_t>(0, end - r.started_ms) : 0;
  return j;
}

http::Task<void> ListRuns(RestContext& ctx, gc::GcService& gc, http::Exchange& ex) {
  auto ok = Allowed(ctx, ex, "list");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  auto list = gc.store().ListRuns(page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& r : list->items) items.push_back(RunJson(r));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> GetRun(RestContext& ctx, gc::GcService& gc, http::Exchange& ex) {
  auto ok = Allowed(ctx, ex, "read");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto id = RunId(ex);
  if (!id) co_return co_await SendError(ex, id.error());
  auto run = gc.store().GetRun(*id);
  if (!run) co_return co_await SendError(ex, run.error());
  if (!*run) co_return co_await SendError(ex, Error(Errc::kNotFound, "garbage collection run not found"));
  co_await SendJson(ex, 200, RunJson(**run));
}

http::Task<void> StopRun(RestContext& ctx, gc::GcService& gc, http::Exchange& ex) {
  auto ok = Allowed(ctx, ex, "stop");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto id = RunId(ex);
  if (!id) co_return co_await SendError(ex, id.error());
  auto stopped = gc.StopRun(*id);
  if (!stopped) co_return co_await SendError(ex, stopped.error());
  if (!*stopped) co_return co_await SendError(ex, Error(Errc::kNotFound, "garbage collection run not found"));
  co_await SendOk(ex);
}

http::Task<void> GetLog(RestContext& ctx, gc::GcService& gc, http::Exchange& ex) {
  auto ok = Allowed(ctx, ex, "read");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto id = RunId(ex);
  if (!id) co_return co_await SendError(ex, id.error());
  auto run = gc.store().GetRun(*id);
  if (!run) co_return co_await SendError(ex, run.error());
  if (!*run) co_return co_await SendError(ex, Error(Errc::kNotFound, "garbage collection run not found"));
  auto log = gc.store().Log(*id);
  if (!log) co_return co_await SendError(ex, log.error());
  http::Response r;
  r.Set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(*log);
  co_await ex.Send(std::move(r));
}

http::Task<void> GetSchedule(RestContext& ctx, gc::GcService& gc, http::Exchange& ex) {
  auto ok = Allowed(ctx, ex, "read");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto view = gc.Schedule();
  if (!view) co_return co_await SendError(ex, view.error());
  Json body;
  body["schedule"] = ScheduleJson(view->type, view->cron, view->next);
  Json params = Json::parse(gc::ParamsJson(view->params));
  body["parameters"] = params;
  body["creation_time"] = HarborTimeMs(view->created_ms);
  body["update_time"] = HarborTimeMs(view->updated_ms);
  co_await SendJson(ex, 200, body);
}

struct ScheduleInput {
  std::string type;
  std::string cron;
  gc::GcParams params;
};

Result<ScheduleInput> ReadSchedule(const Json& body) {
  if (!body.is_object()) return Fail(Errc::kBadRequest, "the body must be a JSON object");
  if (!body.contains("schedule") || !body["schedule"].is_object())
    return Fail(Errc::kBadRequest, "schedule is required: {\"type\": \"Manual|Hourly|Daily|Weekly|Custom|None\"}");
  const Json& s = body["schedule"];
  if (!s.contains("type") || !s["type"].is_string()) return Fail(Errc::kBadRequest, "schedule.type must be a string");
  ScheduleInput in;
  in.type = s["type"].get<std::string>();
  if (s.contains("cron") && !s["cron"].is_null()) {
    if (!s["cron"].is_string()) return Fail(Errc::kBadRequest, "schedule.cron must be a string");
    in.cron = s["cron"].get<std::string>();
  }
  if (body.contains("parameters") && !body["parameters"].is_null()) {
    if (!body["parameters"].is_object()) return Fail(Errc::kBadRequest, "parameters must be an object");
    auto p = gc::ParseParams(body["parameters"].dump());
    if (!p) return std::unexpected(p.error());
    in.params = *p;
  }
  return in;
}

http::Task<void> WriteSchedule(RestContext& ctx, gc::GcService& gc, http::Exchange& ex, bool create) {
  auto ok = Allowed(ctx, ex, create ? "create" : "update");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto in = ReadSchedule(*body);
  if (!in) co_return co_await SendError(ex, in.error());
  if (in->type == "Manual") {
    auto id = gc.RunNow(in->params);
    if (!id) co_return co_await SendError(ex, id.error());
    co_return co_await SendCreated(ex, "/api/v2.0/system/gc/" + std::to_string(*id));
  }
  auto set = gc.SetSchedule(in->type, in->cron, in->params);
  if (!set) co_return co_await SendError(ex, set.error());
  if (create) co_return co_await SendCreated(ex, "/api/v2.0/system/gc/schedule");
  co_await SendOk(ex);
}

http::Task<void> CreateSchedule(RestContext& ctx, gc::GcService& gc, http::Exchange& ex) {
  co_await WriteSchedule(ctx, gc, ex, true);
}
http::Task<void> UpdateSchedule(RestContext& ctx, gc::GcService& gc, http::Exchange& ex) {
  co_await WriteSchedule(ctx, gc, ex, false);
}

}  // namespace

void RegisterGcRoutes(http::Router& router, RestContext& ctx, gc::GcService& gc) {
  using http::Verb;
  // The literal schedule path before {gc_id}.
  static const GcRouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/system/gc/schedule", GetSchedule},
      {Verb::post, "/api/v2.0/system/gc/schedule", CreateSchedule},
      {Verb::put, "/api/v2.0/system/gc/schedule", UpdateSchedule},
      {Verb::get, "/api/v2.0/system/gc", ListRuns},
      {Verb::get, "/api/v2.0/system/gc/{gc_id}", GetRun},
      {Verb::put, "/api/v2.0/system/gc/{gc_id}", StopRun},
      {Verb::get, "/api/v2.0/system/gc/{gc_id}/log", GetLog},
  };
  for (const auto& r : kRoutes) {
    GcFn fn = r.handler;
    router.Add(r.method, r.pattern, [&ctx, &gc, fn](http::Exchange& ex) { return fn(ctx, gc, ex); });
  }
}

}  // namespace berth::api::v2_0
