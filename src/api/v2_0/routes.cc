#include "api/v2_0/routes.h"

#include "api/v2_0/handlers.h"
#include "api/v2_0/render.h"

namespace berth::api::v2_0 {

void RegisterRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  using Fn = http::Task<void> (*)(RestContext&, http::Exchange&);
  struct Row {
    Verb method;
    const char* pattern;
    Fn handler;
  };
  // HEAD /projects is its own route and comes before GET /projects (which would also serve HEAD).
  static const Row kRoutes[] = {
      {Verb::get, "/api/v2.0/health", Health},
      {Verb::get, "/api/v2.0/ping", Ping},
      {Verb::get, "/api/v2.0/systeminfo", SystemInfo},
      {Verb::get, "/api/v2.0/users/current", CurrentUser},
      {Verb::get, "/api/v2.0/users/search", SearchUsers},
      {Verb::get, "/api/v2.0/users", ListUsers},
      {Verb::post, "/api/v2.0/users", CreateUser},
      {Verb::get, "/api/v2.0/users/{user_id}", GetUser},
      {Verb::put, "/api/v2.0/users/{user_id}", UpdateUser},
      {Verb::delete_, "/api/v2.0/users/{user_id}", DeleteUser},
      {Verb::put, "/api/v2.0/users/{user_id}/password", ChangePassword},
      {Verb::put, "/api/v2.0/users/{user_id}/sysadmin", SetSysadmin},
      {Verb::head, "/api/v2.0/projects", HeadProject},
      {Verb::get, "/api/v2.0/projects", ListProjects},
      {Verb::post, "/api/v2.0/projects", CreateProject},
      {Verb::get, "/api/v2.0/projects/{project}", GetProject},
      {Verb::put, "/api/v2.0/projects/{project}", UpdateProject},
      {Verb::delete_, "/api/v2.0/projects/{project}", DeleteProject},
      {Verb::get, "/api/v2.0/projects/{project}/_deletable", ProjectDeletable},
      {Verb::get, "/api/v2.0/projects/{project}/summary", ProjectSummary},
  };
  for (const auto& r : kRoutes) {
    Fn fn = r.handler;
    router.Add(r.method, r.pattern, [&ctx, fn](http::Exchange& ex) { return fn(ctx, ex); });
  }
  router.SetErrorRenderer("/api", SendError);
}

}  // namespace berth::api::v2_0
