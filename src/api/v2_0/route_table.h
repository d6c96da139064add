// A route table row for /api/v2.0 and the function that adds a table to the router. Each area of
// the API (users, projects, members, robots, ...) keeps its table next to its handlers and exposes
// one Register*Routes function; routes.cc calls them in order. Stateless.
#pragma once
#include <span>

#include "api/v2_0/context.h"
#include "http/router.h"

namespace berth::api::v2_0 {

using RouteFn = http::Task<void> (*)(RestContext&, http::Exchange&);

struct RouteRow {
  http::Verb method;
  const char* pattern;
  RouteFn handler;
};

void AddRoutes(http::Router& router, RestContext& ctx, std::span<const RouteRow> rows);

// The areas, each defined in its own *_handlers.cc.
void RegisterSystemRoutes(http::Router& router, RestContext& ctx);     // system_handlers.cc
void RegisterUserRoutes(http::Router& router, RestContext& ctx);       // user_handlers.cc
void RegisterProjectRoutes(http::Router& router, RestContext& ctx);    // project_handlers.cc
void RegisterProjectMetadataRoutes(http::Router& router, RestContext& ctx);  // project_metadata_handlers.cc
void RegisterMemberRoutes(http::Router& router, RestContext& ctx);     // member_handlers.cc
void RegisterUserGroupRoutes(http::Router& router, RestContext& ctx);  // usergroup_handlers.cc
void RegisterRobotRoutes(http::Router& router, RestContext& ctx);      // robot_handlers.cc
void RegisterArtifactRoutes(http::Router& router, RestContext& ctx);   // repository/artifact/label handlers
void RegisterLdapRoutes(http::Router& router, RestContext& ctx);       // ldap_handlers.cc (+ /configurations)
void RegisterAuditRoutes(http::Router& router, RestContext& ctx);      // audit_handlers.cc
void RegisterSessionRoutes(http::Router& router, RestContext& ctx);    // session_handlers.cc (/c/login)
void RegisterWebhookRoutes(http::Router& router, RestContext& ctx);    // webhook_handlers.cc
void RegisterWebhookTestRoutes(http::Router& router, RestContext& ctx);  // webhook_test_handler.cc
void RegisterQuotaRoutes(http::Router& router, RestContext& ctx);      // quota_handlers.cc

}  // namespace berth::api::v2_0
