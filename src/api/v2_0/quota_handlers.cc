// /api/v2.0/quotas (Harbor's quota API) and POST /quotas/verify (Berth's drift check).
//   GET /quotas[?reference=project&reference_id=N&sort=…&page&page_size] — with reference_id: the
//       caller needs quota read in that project; without: system quota list (system admins).
//   GET /quotas/{id}        — quota read in the quota's project (or system quota read).
//   PUT /quotas/{id}        — {"hard":{"storage":N}}, N = -1 or 1..2^50; system quota update only.
//   POST /quotas/verify     — system admins: every project's recorded usage next to the one the
//       reference tables give now, and the projects where they differ.
#include <charconv>

#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/security.h"
#include "auth/rbac.h"

namespace berth::api::v2_0 {
namespace {

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Harbor's Quota model; go-swagger emits the members in alphabetical order.
Json QuotaJson(const store::QuotaRecord& q) {
  Json j;
  j["creation_time"] = HarborTime(q.created_at);
  j["hard"] = Json{{"storage", q.hard}};
  j["id"] = q.id;
  j["ref"] = Json{{"id", q.project_id}, {"name", q.project_name}, {"owner_name", q.owner_name}};
  j["update_time"] = HarborTime(q.updated_at);
  j["used"] = Json{{"storage", q.used}};
  return j;
}

// May `who` read the quota of `project_id`? (project quota read, or system quota read)
Result<void> MayRead(RestContext& ctx, const auth::Principal& who, int64_t project_id) {
  if (auth::AllowedSystem(who, "quota", "read")) return {};
  auto project = ctx.projects.FindById(project_id);
  if (!project) return std::unexpected(project.error());
  if (*project && auth::Allowed(who, Ref(**project), "quota", "read")) return {};
  return std::unexpected(Refusal(who));
}

Result<store::QuotaRecord> LoadQuota(RestContext& ctx, const http::Exchange& ex) {
  auto id = ParseInt(ex.Param("id"));
  if (!id) return Fail(Errc::kBadRequest, "the quota id must be an integer");
  auto q = ctx.quotas->Find(*id);
  if (!q) return std::unexpected(q.error());
  if (!*q) return Fail(Errc::kNotFound, "quota " + std::to_string(*id) + " not found");
  return std::move(**q);
}

http::Task<void> ListQuotas(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  store::QuotaFilter f;
  if (auto ref = ex.query().Get("reference"); ref && *ref != "project")
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "reference must be project"));
  if (auto ref_id = ex.query().Get("reference_id")) {
    auto id = ParseInt(*ref_id);
    if (!id) co_return co_await SendError(ex, Error(Errc::kBadRequest, "reference_id must be an integer"));
    f.project_id = *id;
  }
  f.sort = ex.query().Get("sort").value_or("");
  if (f.project_id) {
    if (auto ok = MayRead(ctx, *who, *f.project_id); !ok) co_return co_await SendError(ex, ok.error());
  } else if (!auth::AllowedSystem(*who, "quota", "list")) {
    co_return co_await SendError(ex, Refusal(*who));
  }
  auto list = ctx.quotas->List(f, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& q : list->items) items.push_back(QuotaJson(q));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> GetQuota(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!who->authenticated()) co_return co_await SendError(ex, Refusal(*who));
  auto q = LoadQuota(ctx, ex);
  if (!q) co_return co_await SendError(ex, q.error());
  if (auto ok = MayRead(ctx, *who, q->project_id); !ok) co_return co_await SendError(ex, ok.error());
  co_await SendJson(ex, 200, QuotaJson(*q));
}

http::Task<void> UpdateQuota(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!auth::AllowedSystem(*who, "quota", "update")) co_return co_await SendError(ex, Refusal(*who));
  auto q = LoadQuota(ctx, ex);
  if (!q) co_return co_await SendError(ex, q.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto hard = body->is_object() ? body->find("hard") : body->end();
  if (!body->is_object() || hard == body->end() || !hard->is_object())
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must be {\"hard\":{\"storage\":N}}"));
  for (const auto& [key, value] : hard->items())
    if (key != "storage") co_return co_await SendError(ex, Error(Errc::kBadRequest, "unknown quota resource " + key));
  auto storage = hard->find("storage");
  if (storage == hard->end() || !storage->is_number_integer())
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "hard.storage must be an integer"));
  int64_t n = storage->get<int64_t>();
  if (n != -1 && (n < 1 || n > store::kMaxStorageLimit))
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "hard.storage must be -1 or between 1 and 1125899906842624"));
  auto done = ctx.quotas->SetHard(q->id, n);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "quota " + std::to_string(q->id) + " not found"));
  co_await SendOk(ex);
}

http::Task<void> VerifyQuotas(RestContext& ctx, http::Exchange& ex) {
  auto who = Authenticate(ctx, ex);
  if (!who) co_return co_await SendError(ex, who.error());
  if (!who->sysadmin) co_return co_await SendError(ex, Refusal(*who));
  auto rows = ctx.quotas->Verify();
  if (!rows) co_return co_await SendError(ex, rows.error());
  Json drift = Json::array();
  for (const auto& r : *rows) {
    if (r.recorded == r.actual) continue;
    drift.push_back(Json{{"project_id", r.project_id}, {"project_name", r.project_name}, {"used", r.recorded},
                         {"recomputed", r.actual}});
  }
  Json body;
  body["checked"] = rows->size();
  body["drift"] = std::move(drift);
  co_await SendJson(ex, 200, body);
}

}  // namespace

void RegisterQuotaRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/quotas", ListQuotas},
      {Verb::post, "/api/v2.0/quotas/verify", VerifyQuotas},
      {Verb::get, "/api/v2.0/quotas/{id}", GetQuota},
      {Verb::put, "/api/v2.0/quotas/{id}", UpdateQuota},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
