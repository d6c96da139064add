// The audit log API: /audit-logs and /projects/{p}/logs (Harbor's legacy shape) and
// /auditlog-exts, /projects/{p}/auditlog-exts, /auditlog-exts/events (the extended shape).
// Across projects: system admins (and robots with audit-log:list); one project: log:list there.
#include <ctime>

#include "api/v2_0/project_access.h"
#include "api/v2_0/harbor_query.h"
#include "api/v2_0/render.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/security.h"

namespace berth::api::v2_0 {
namespace {

// The event types the log records (GET /auditlog-exts/events).
const char* const kEventTypes[] = {
    "create_artifact", "delete_artifact", "pull_artifact", "create_project", "delete_project", "update_project",
    "delete_repository", "update_repository", "create_tag", "delete_tag", "login_user", "logout_user", "create_user",
    "delete_user", "update_user", "create_robot", "delete_robot", "update_robot", "update_configuration",
    "create_member", "delete_member", "update_member",
};

// "1700000000" or "2024-01-02 03:04:05" (UTC) → unix seconds.
Result<int64_t> ParseTime(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() < 16) return std::stoll(s);
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  if (!end || *end != '\0') return Fail(Errc::kBadRequest, "q: op_time must be unix seconds or \"YYYY-MM-DD hh:mm:ss\"");
  return static_cast<int64_t>(timegm(&tm));
}

// One exact-match string from a q term (fuzzy allowed only where `fuzzy`).
Result<std::string> Exact(const std::vector<QueryTerm>& q, std::string_view key, bool fuzzy = false) {
  const QueryTerm* t = FindTerm(q, key);
  if (!t) return std::string();
  bool ok = t->kind == QueryTerm::Kind::kExact || (fuzzy && t->kind == QueryTerm::Kind::kFuzzy);
  if (!ok || t->values.size() != 1) return Fail(Errc::kBadRequest, "q: " + std::string(key) + " takes a single value");
  return t->values[0];
}

Result<store::AuditFilter> ReadFilter(const http::Exchange& ex, bool extended) {
  store::AuditFilter f;
  auto q = ParseHarborQuery(ex.query().Get("q").value_or(""));
  if (!q) return std::unexpected(q.error());
  auto allowed = extended ? OnlyKeys(*q, {"event_type", "resource_type", "resource", "username", "op_time", "operation"})
                          : OnlyKeys(*q, {"operation", "resource_type", "resource", "username", "op_time"});
  if (!allowed) return std::unexpected(allowed.error());
  for (auto [key, field] : {std::pair{"operation", &store::AuditFilter::operation},
                            std::pair{"resource_type", &store::AuditFilter::resource_type},
                            std::pair{"username", &store::AuditFilter::username},
                            std::pair{"event_type", &store::AuditFilter::event_type}}) {
    auto v = Exact(*q, key);
    if (!v) return std::unexpected(v.error());
    f.*field = std::move(*v);
  }
  auto resource = Exact(*q, "resource", true);
  if (!resource) return std::unexpected(resource.error());
  f.resource_part = *resource;
  if (const QueryTerm* t = FindTerm(*q, "op_time")) {
    if (t->kind != QueryTerm::Kind::kRange) return Fail(Errc::kBadRequest, "q: op_time takes a range [from~to]");
    const auto& v = t->values;
    if (!v[0].empty()) {
      auto t = ParseTime(v[0]);
      if (!t) return std::unexpected(t.error());
      f.from_time = *t;
    }
    if (!v[1].empty()) {
      auto t = ParseTime(v[1]);
      if (!t) return std::unexpected(t.error());
      f.to_time = *t;
    }
  }
  return f;
}

Json LegacyJson(const store::AuditRecord& a) {
  Json j;
  j["id"] = a.id;
  j["username"] = a.username;
  j["resource"] = a.resource;
  j["resource_type"] = a.resource_type;
  j["operation"] = a.operation;
  j["op_time"] = HarborTime(a.op_time);
  return j;
}

Json ExtJson(const store::AuditRecord& a) {
  Json j;
  j["id"] = a.id;
  j["project_id"] = a.project_id;
  j["event_type"] = a.event_type;
  j["resource_type"] = a.resource_type;
  j["resource"] = a.resource;
  j["username"] = a.username;
  j["operation_description"] =
      a.description.empty() ? a.operation + " " + a.resource_type + " " + a.resource : a.description;
  j["operation_result"] = a.success;
  j["op_time"] = HarborTime(a.op_time);
  return j;
}

http::Task<void> SendLogs(RestContext& ctx, http::Exchange& ex, std::optional<int64_t> project_id, bool extended) {
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  auto filter = ReadFilter(ex, extended);
  if (!filter) co_return co_await SendError(ex, filter.error());
  filter->project_id = project_id;
  auto list = ctx.audit.List(*filter, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& a : list->items) items.push_back(extended ? ExtJson(a) : LegacyJson(a));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> SystemLogs(RestContext& ctx, http::Exchange& ex, bool extended) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!auth::AllowedSystem(*who, "audit-log", "list")) co_return co_await SendError(ex, Refusal(*who));
  co_await SendLogs(ctx, ex, std::nullopt, extended);
}

http::Task<void> ProjectLogs(RestContext& ctx, http::Exchange& ex, bool extended) {
  auto ok = Authorized(ctx, ex, "log", "list");
  if (!ok) co_return co_await SendError(ex, ok.error());
  co_await SendLogs(ctx, ex, ok->second.id, extended);
}

http::Task<void> ListAuditLogs(RestContext& ctx, http::Exchange& ex) { co_await SystemLogs(ctx, ex, false); }
http::Task<void> ListAuditLogExts(RestContext& ctx, http::Exchange& ex) { co_await SystemLogs(ctx, ex, true); }
http::Task<void> ListProjectLogs(RestContext& ctx, http::Exchange& ex) { co_await ProjectLogs(ctx, ex, false); }
http::Task<void> ListProjectLogExts(RestContext& ctx, http::Exchange& ex) { co_await ProjectLogs(ctx, ex, true); }

http::Task<void> ListEventTypes(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!who->authenticated()) co_return co_await SendError(ex, Refusal(*who));
  Json items = Json::array();
  for (const char* t : kEventTypes) items.push_back(Json{{"event_type", t}});
  co_await SendJson(ex, 200, items);
}

}  // namespace

void RegisterAuditRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/audit-logs", ListAuditLogs},
      {Verb::get, "/api/v2.0/auditlog-exts/events", ListEventTypes},
      {Verb::get, "/api/v2.0/auditlog-exts", ListAuditLogExts},
      {Verb::get, "/api/v2.0/projects/{project}/logs", ListProjectLogs},
      {Verb::get, "/api/v2.0/projects/{project}/auditlog-exts", ListProjectLogExts},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
