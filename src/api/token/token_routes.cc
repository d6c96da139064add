#include "api/token/token_routes.h"

#include "api/v2_0/render.h"
#include "auth/basic_credentials.h"

namespace berth::api::token {
namespace {

http::Task<void> IssueToken(TokenContext& ctx, http::Exchange& ex) {
  const auto& q = ex.query();
  if (auto service = q.Get("service"); service && *service != ctx.tokens.options().service)
    co_return co_await v2_0::SendError(ex, Error(Errc::kBadRequest, "unknown service: " + *service));
  std::vector<auth::Scope> requested;
  for (const auto& s : q.GetAll("scope")) {
    auto parsed = auth::ParseScopes(s);
    requested.insert(requested.end(), parsed.begin(), parsed.end());
  }
  auth::Principal who;
  std::string_view header = ex.Header("Authorization");
  if (!header.empty()) {
    auto cred = auth::ParseBasicAuthorization(header);
    if (!cred) co_return co_await v2_0::SendError(ex, Error(Errc::kUnauthorized, "malformed credentials"));
    auto verified = ctx.authn.Login(cred->username, cred->password, ex.RemoteAddress());
    if (!verified) co_return co_await v2_0::SendError(ex, verified.error());
    who = std::move(*verified);
  } else if (requested.empty()) {
    co_return co_await v2_0::SendError(ex, Error(Errc::kUnauthorized, "credentials or a scope are required"));
  }
  auto granted = ctx.tokens.Grant(who, requested);
  if (!granted) co_return co_await v2_0::SendError(ex, granted.error());
  co_await v2_0::SendJson(ex, 200, ctx.tokens.Issue(who, *granted));
}

}  // namespace

void RegisterRoutes(http::Router& router, TokenContext& ctx) {
  router.Add(http::Verb::get, "/service/token", [&ctx](http::Exchange& ex) { return IssueToken(ctx, ex); });
  router.SetErrorRenderer("/service", v2_0::SendError);
}

}  // namespace berth::api::token
