#include "api/v2_0/routes.h"

#include "api/v2_0/render.h"
#include "api/v2_0/route_table.h"

namespace berth::api::v2_0 {

void AddRoutes(http::Router& router, RestContext& ctx, std::span<const RouteRow> rows) {
  for (const auto& r : rows) {
    RouteFn fn = r.handler;
    router.Add(r.method, r.pattern, [&ctx, fn](http::Exchange& ex) { return fn(ctx, ex); });
  }
}

void RegisterRoutes(http::Router& router, RestContext& ctx) {
  RegisterSystemRoutes(router, ctx);
  RegisterUserRoutes(router, ctx);
  RegisterProjectRoutes(router, ctx);
  RegisterProjectMetadataRoutes(router, ctx);
  RegisterMemberRoutes(router, ctx);
  RegisterUserGroupRoutes(router, ctx);
  RegisterRobotRoutes(router, ctx);
  RegisterArtifactRoutes(router, ctx);
  RegisterLdapRoutes(router, ctx);
  RegisterAuditRoutes(router, ctx);
  RegisterSessionRoutes(router, ctx);
  RegisterWebhookRoutes(router, ctx);
  RegisterWebhookTestRoutes(router, ctx);
  RegisterQuotaRoutes(router, ctx);
  router.SetErrorRenderer("/api", SendError);
}

}  // namespace berth::api::v2_0
