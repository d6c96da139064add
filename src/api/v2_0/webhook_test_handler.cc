// POST /projects/{p}/webhook/policies/{id}/test (Berth; Harbor's console once had this button):
// sends a sample PUSH_ARTIFACT to every target of the policy, in each target's format, and answers
// 200 when every target answered 2xx, 400 naming the targets that did not. Synchronous: it waits
// for the targets (each bounded by the delivery timeout). Nothing is recorded. 412 while
// notifications are off (notification_enable). The targets' secrets are opened only here, for
// the requests.
#include "api/v2_0/handlers.h"
#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "api/v2_0/request_fields.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/webhook_switch.h"
#include "base/clock.h"
#include "webhook/deliverer.h"
#include "webhook/payloads.h"
#include "webhook/target_secrets.h"
#include "webhook/targets.h"

namespace berth::api::v2_0 {
namespace {

constexpr std::string_view kSampleDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

http::Task<void> TestPolicy(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "notification-policy", "create");
  if (!ok) co_return co_await SendError(ex, ok.error());
  const auto& [who, project] = *ok;
  auto id = PositiveId(ex.Param("policy"), "policy id");
  if (!id) co_return co_await SendError(ex, id.error());
  if (ctx.webhooks == nullptr || ctx.target_secrets == nullptr)
    co_return co_await SendError(ex, Error(Errc::kInternal, "webhooks are not configured"));
  auto policy = ctx.webhooks->FindPolicy(project.id, *id);
  if (!policy) co_return co_await SendError(ex, policy.error());
  if (!*policy) co_return co_await SendError(ex, Error(Errc::kNotFound, "webhook policy " + std::to_string(*id) + " not found"));
  if (auto on = NotificationsEnabled(ctx); !on) co_return co_await SendError(ex, on.error());
  auto targets = ctx.target_secrets->Open(nlohmann::json::parse((*policy)->targets_json, nullptr, false));
  if (!targets) co_return co_await SendError(ex, targets.error());
  webhook::Event e = webhook::ArtifactEvent("PUSH_ARTIFACT", NowUnixSeconds(), who.name,
                                            webhook::ExternalHost(ctx.external_url), project.name, project.is_public,
                                            project.name + "/sample-repository", NowUnixSeconds(), kSampleDigest,
                                            "latest");
  std::string failures;
  for (const auto& t : targets->is_array() ? *targets : nlohmann::json::array()) {
    std::string delivery_id = webhook::NewEventId();
    auto body = webhook::RenderFor(e, t, delivery_id, project.id, (*policy)->id);
    auto res = webhook::Post(webhook::RequestFor(t, std::move(body.payload), delivery_id, e.type,
                                                 webhook::DeliveryOptions{}.timeout));
    if (webhook::IsSuccess(res.status)) continue;
    if (!failures.empty()) failures += "; ";
    failures += t.value("address", "") + ": " +
                (res.status == 0 ? res.error : "abnormal response code: " + std::to_string(res.status));
  }
  if (!failures.empty()) co_return co_await SendError(ex, Error(Errc::kBadRequest, "test delivery failed: " + failures));
  co_await SendOk(ex);
}

}  // namespace

void RegisterWebhookTestRoutes(http::Router& router, RestContext& ctx) {
  static const RouteRow kRoutes[] = {
      {http::Verb::post, "/api/v2.0/projects/{project}/webhook/policies/{policy}/test", TestPolicy},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
