// Webhook (notification) policies of a project and their deliveries, under
// /api/v2.0/projects/{project_name_or_id}/webhook/ (../shared/spec/webhooks.md §6): policies CRUD,
// executions, tasks, task logs, lasttrigger, jobs, events. RBAC resource "notification-policy":
// project admins manage, maintainers read and list, robots per their permissions.
// Berth extension: POST …/policies/{id}/executions/{eid}/redeliver re-sends a past delivery.
// Targets' auth_header and signing_secret are sealed (webhook/target_secrets.h) before the store
// sees them and opened only for the policy views (Harbor returns auth_header to project admins)
// and the task log's redaction.
#include "api/v2_0/harbor_query.h"
#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "api/v2_0/request_fields.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/webhook_policy_input.h"
#include "api/v2_0/webhook_switch.h"
#include "api/v2_0/webhook_views.h"
#include "webhook/target_secrets.h"

namespace berth::api::v2_0 {
namespace {

constexpr const char* kResource = "notification-policy";
constexpr const char* kAuditType = "notification_policy";
constexpr int kRedeliveryAttempts = 3;

Result<store::WebhookStore*> Store(RestContext& ctx) {
  if (ctx.webhooks == nullptr || ctx.target_secrets == nullptr)
    return Fail(Errc::kInternal, "the webhook store is not configured");
  return ctx.webhooks;
}

// The policy as a project admin sees it: its targets' secrets in plaintext.
Json OpenedPolicyJson(const RestContext& ctx, store::PolicyRecord p) {
  p.targets_json = ctx.target_secrets->OpenTextForDisplay(p.targets_json);
  return PolicyJson(p);
}

struct PolicyScope {
  auth::Principal who;
  store::ProjectRecord project;
  store::PolicyRecord policy;
  store::WebhookStore* store = nullptr;
};

// Authorizes `action` on the project's policies, then loads {policy} of that project (404 when it
// is absent or belongs to another project).
Result<PolicyScope> LoadPolicy(RestContext& ctx, const http::Exchange& ex, std::string_view action) {
  auto store = Store(ctx);
  if (!store) return std::unexpected(store.error());
  auto ok = Authorized(ctx, ex, kResource, action);
  if (!ok) return std::unexpected(ok.error());
  auto id = PositiveId(ex.Param("policy"), "webhook_policy_id");
  if (!id) return std::unexpected(id.error());
  auto found = (*store)->FindPolicy(ok->second.id, *id);
  if (!found) return std::unexpected(found.error());
  if (!*found) return Fail(Errc::kNotFound, "notification policy " + std::to_string(*id) + " not found");
  return PolicyScope{std::move(ok->first), std::move(ok->second), std::move(**found), *store};
}

// {execution} of the scope's policy; 404 when absent or another policy's.
Result<store::ExecutionRecord> LoadExecution(const PolicyScope& scope, const http::Exchange& ex) {
  auto id = PositiveId(ex.Param("execution"), "execution_id");
  if (!id) return std::unexpected(id.error());
  auto found = scope.store->FindExecution(*id);
  if (!found) return std::unexpected(found.error());
  if (!*found || (*found)->policy_id != scope.policy.id)
    return Fail(Errc::kNotFound, "execution " + std::to_string(*id) + " of policy " + std::to_string(scope.policy.id) +
                                     " not found");
  return std::move(**found);
}

// {task} of an execution: the one task shares the execution's id.
Result<void> CheckTask(const store::ExecutionRecord& e, const http::Exchange& ex) {
  auto id = PositiveId(ex.Param("task"), "task_id");
  if (!id) return std::unexpected(id.error());
  if (*id != e.id)
    return Fail(Errc::kNotFound, "task " + std::to_string(*id) + " of execution " + std::to_string(e.id) + " not found");
  return {};
}

// q=name=x (exact) or q=name=~x (part of the name).
Result<store::PolicyFilter> ReadPolicyFilter(const http::Exchange& ex) {
  store::PolicyFilter f;
  f.sort = ex.query().Get("sort").value_or("");
  auto q = ex.query().Get("q");
  if (!q || q->empty()) return f;
  auto terms = ParseHarborQuery(*q);
  if (!terms) return std::unexpected(terms.error());
  if (auto ok = OnlyKeys(*terms, {"name"}); !ok) return std::unexpected(ok.error());
  for (const auto& t : *terms) {
    if (t.values.size() != 1 || (t.kind != QueryTerm::Kind::kExact && t.kind != QueryTerm::Kind::kFuzzy))
      return Fail(Errc::kBadRequest, "q: name takes one value, exact (name=x) or fuzzy (name=~x)");
    (t.kind == QueryTerm::Kind::kExact ? f.name : f.name_part) = t.values[0];
  }
  return f;
}

http::Task<void> ListPolicies(RestContext& ctx, http::Exchange& ex) {
  auto store = Store(ctx);
  if (!store) co_return co_await SendError(ex, store.error());
  auto ok = Authorized(ctx, ex, kResource, "list");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  auto filter = ReadPolicyFilter(ex);
  if (!filter) co_return co_await SendError(ex, filter.error());
  auto list = (*store)->ListPolicies(ok->second.id, *filter, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& p : list->items) items.push_back(OpenedPolicyJson(ctx, p));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> CreatePolicy(RestContext& ctx, http::Exchange& ex) {
  auto store = Store(ctx);
  if (!store) co_return co_await SendError(ex, store.error());
  auto ok = Authorized(ctx, ex, kResource, "create");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  store::PolicyRecord p;
  p.project_id = ok->second.id;
  if (auto r = ReadPolicyBody(*body, p); !r) co_return co_await SendError(ex, r.error());
  if (p.creator.empty()) p.creator = ok->first.name;
  p.targets_json = ctx.target_secrets->SealText(p.targets_json);
  auto id = (*store)->CreatePolicy(p);
  if (!id) co_return co_await SendError(ex, id.error());
  RecordAudit(ctx, ok->first, p.project_id, p.name, kAuditType, "create");
  std::string location = std::string(ex.path()) + "/" + std::to_string(*id);
  co_await SendCreated(ex, location);
}

http::Task<void> GetPolicy(RestContext& ctx, http::Exchange& ex) {
  auto scope = LoadPolicy(ctx, ex, "read");
  if (!scope) co_return co_await SendError(ex, scope.error());
  Json body = OpenedPolicyJson(ctx, scope->policy);
  co_await SendJson(ex, 200, body);
}

http::Task<void> UpdatePolicy(RestContext& ctx, http::Exchange& ex) {
  auto scope = LoadPolicy(ctx, ex, "update");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  store::PolicyRecord p = scope->policy;
  if (auto r = ReadPolicyBody(*body, p); !r) co_return co_await SendError(ex, r.error());
  p.targets_json = ctx.target_secrets->SealText(p.targets_json);  // a legacy plaintext row is sealed now
  auto done = scope->store->UpdatePolicy(p);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "the notification policy is gone"));
  RecordAudit(ctx, scope->who, p.project_id, p.name, kAuditType, "update");
  co_await SendOk(ex);
}

http::Task<void> DeletePolicy(RestContext& ctx, http::Exchange& ex) {
  auto scope = LoadPolicy(ctx, ex, "delete");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto done = scope->store->DeletePolicy(scope->project.id, scope->policy.id);
  if (!done) co_return co_await SendError(ex, done.error());
  if (!*done) co_return co_await SendError(ex, Error(Errc::kNotFound, "the notification policy is gone"));
  RecordAudit(ctx, scope->who, scope->project.id, scope->policy.name, kAuditType, "delete");
  co_await SendOk(ex);
}

http::Task<void> ListExecutions(RestContext& ctx, http::Exchange& ex) {
  auto scope = LoadPolicy(ctx, ex, "read");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  auto list = scope->store->ListExecutions(scope->policy.id, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& e : list->items) items.push_back(ExecutionJson(e));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> ListTasks(RestContext& ctx, http::Exchange& ex) {
  auto scope = LoadPolicy(ctx, ex, "read");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto execution = LoadExecution(*scope, ex);
  if (!execution) co_return co_await SendError(ex, execution.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  Json items = Json::array();
  if (page->page == 1) {
    auto attempts = scope->store->Attempts(execution->id);
    if (!attempts) co_return co_await SendError(ex, attempts.error());
    items.push_back(TaskJson(*execution, *attempts));
  }
  co_await SendList(ex, *page, 1, items);
}

http::Task<void> GetTaskLog(RestContext& ctx, http::Exchange& ex) {
  auto scope = LoadPolicy(ctx, ex, "read");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto execution = LoadExecution(*scope, ex);
  if (!execution) co_return co_await SendError(ex, execution.error());
  if (auto ok = CheckTask(*execution, ex); !ok) co_return co_await SendError(ex, ok.error());
  auto attempts = scope->store->Attempts(execution->id);
  if (!attempts) co_return co_await SendError(ex, attempts.error());
  // The log blanks the target's secrets wherever they appear; it needs them in plaintext for that.
  execution->target_json = ctx.target_secrets->OpenTextForDisplay(execution->target_json);
  http::Response r;
  r.status = 200;
  r.Set("Content-Type", "text/plain; charset=utf-8");
  r.body = TaskLogText(*execution, *attempts);
  co_await ex.Send(std::move(r));
}

// Berth extension: a new execution re-sending a past one's payload (same delivery id) to the same
// target, queued at once with Harbor's default of 3 attempts. 201 + Location of the new execution.
// 412 while notifications are off (notification_enable): nothing new is sent then.
http::Task<void> RedeliverExecution(RestContext& ctx, http::Exchange& ex) {
  auto scope = LoadPolicy(ctx, ex, "update");
  if (!scope) co_return co_await SendError(ex, scope.error());
  if (auto on = NotificationsEnabled(ctx); !on) co_return co_await SendError(ex, on.error());
  auto execution = LoadExecution(*scope, ex);
  if (!execution) co_return co_await SendError(ex, execution.error());
  store::DeliveryJobOptions job;
  job.max_attempts = kRedeliveryAttempts;
  auto id = scope->store->Redeliver(scope->policy.id, execution->id, job);
  if (!id) co_return co_await SendError(ex, id.error());
  if (!*id) co_return co_await SendError(ex, Error(Errc::kNotFound, "the execution is gone"));
  std::string_view path = ex.path();
  std::string location = std::string(path.substr(0, path.rfind("/executions/"))) + "/executions/" + std::to_string(**id);
  co_await SendCreated(ex, location);
}

http::Task<void> ListLastTriggers(RestContext& ctx, http::Exchange& ex) {
  auto store = Store(ctx);
  if (!store) co_return co_await SendError(ex, store.error());
  auto ok = Authorized(ctx, ex, kResource, "read");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto rows = (*store)->LastTriggers(ok->second.id);
  if (!rows) co_return co_await SendError(ex, rows.error());
  Json items = Json::array();
  for (const auto& l : *rows) items.push_back(LastTriggerJson(l));
  co_await SendJson(ex, 200, items);
}

// Deprecated in Harbor, kept for its clients: one row per execution of ?policy_id= (required).
http::Task<void> ListJobs(RestContext& ctx, http::Exchange& ex) {
  auto store = Store(ctx);
  if (!store) co_return co_await SendError(ex, store.error());
  auto ok = Authorized(ctx, ex, kResource, "list");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  auto policy_id = PositiveId(ex.query().Get("policy_id").value_or(""), "policy_id (required)");
  if (!policy_id) co_return co_await SendError(ex, policy_id.error());
  auto policy = (*store)->FindPolicy(ok->second.id, *policy_id);
  if (!policy) co_return co_await SendError(ex, policy.error());
  if (!*policy)
    co_return co_await SendError(ex, Error(Errc::kNotFound, "notification policy " + std::to_string(*policy_id) + " not found"));
  auto list = (*store)->ListExecutions(*policy_id, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  Json items = Json::array();
  for (const auto& e : list->items) items.push_back(WebhookJobJson(e));
  co_await SendList(ex, *page, list->total, items);
}

http::Task<void> ListEventTypes(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, kResource, "read");
  if (!ok) co_return co_await SendError(ex, ok.error());
  Json types = Json::array();
  for (auto t : WebhookEventTypes()) types.push_back(std::string(t));
  Json body;
  body["event_type"] = std::move(types);
  body["notify_type"] = Json::array({"http", "slack"});
  Json http_formats;
  http_formats["notify_type"] = "http";
  http_formats["formats"] = Json::array({"Default", "CloudEvents"});
  body["payload_formats"] = Json::array({http_formats});
  co_await SendJson(ex, 200, body);
}

}  // namespace

void RegisterWebhookRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/projects/{project}/webhook/policies", ListPolicies},
      {Verb::post, "/api/v2.0/projects/{project}/webhook/policies", CreatePolicy},
      {Verb::get, "/api/v2.0/projects/{project}/webhook/policies/{policy}", GetPolicy},
      {Verb::put, "/api/v2.0/projects/{project}/webhook/policies/{policy}", UpdatePolicy},
      {Verb::delete_, "/api/v2.0/projects/{project}/webhook/policies/{policy}", DeletePolicy},
      {Verb::get, "/api/v2.0/projects/{project}/webhook/policies/{policy}/executions", ListExecutions},
      {Verb::get, "/api/v2.0/projects/{project}/webhook/policies/{policy}/executions/{execution}/tasks", ListTasks},
      {Verb::get, "/api/v2.0/projects/{project}/webhook/policies/{policy}/executions/{execution}/tasks/{task}/log",
       GetTaskLog},
      {Verb::post, "/api/v2.0/projects/{project}/webhook/policies/{policy}/executions/{execution}/redeliver",
       RedeliverExecution},
      {Verb::get, "/api/v2.0/projects/{project}/webhook/lasttrigger", ListLastTriggers},
      {Verb::get, "/api/v2.0/projects/{project}/webhook/jobs", ListJobs},
      {Verb::get, "/api/v2.0/projects/{project}/webhook/events", ListEventTypes},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
