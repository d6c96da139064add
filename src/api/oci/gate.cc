#include "api/oci/gate.h"

#include <optional>

#include "api/oci/render.h"
#include "auth/authenticator.h"
#include "auth/token_service.h"
#include "auth/basic_credentials.h"
#include "oci/reference.h"
#include "auth/project_lookup.h"

namespace berth::api::oci {
namespace {

const char* ActionOf(Access a) {
  switch (a) {
    case Access::kPush: return "push";
    case Access::kDelete: return "delete";
    default: return "pull";
  }
}

// The actions a client should ask the token service for.
std::string ChallengeActions(Access a) {
  switch (a) {
    case Access::kPush: return "pull,push";
    case Access::kDelete: return "delete";
    default: return "pull";
  }
}

http::Task<void> Challenge(OciContext& ctx, http::Exchange& ex, std::string_view scope, const Error& err) {
  std::string host(ex.Header("Host"));
  if (host.empty()) host = "localhost";
  std::string value = "Bearer realm=\"http://" + host + "/service/token\",service=\"" +
                      ctx.tokens.options().service + "\"";
  if (!scope.empty()) value += ",scope=\"" + std::string(scope) + "\"";
  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("WWW-Authenticate", std::move(value));
  co_await SendError(ex, err, std::move(headers));
}

struct Credentials {
  enum class Kind { kNone, kBasic, kBearer, kBad } kind = Kind::kNone;
  std::string user, secret, token;
};

Credentials ReadCredentials(const http::Exchange& ex) {
  Credentials c;
  std::string_view h = ex.Header("Authorization");
  if (h.empty()) return c;
  if (h.starts_with("Bearer ") || h.starts_with("bearer ")) {
    c.kind = Credentials::Kind::kBearer;
    c.token = std::string(h.substr(7));
    return c;
  }
  auto basic = auth::ParseBasicAuthorization(h);
  if (!basic) {
    c.kind = Credentials::Kind::kBad;
    return c;
  }
  c.kind = Credentials::Kind::kBasic;
  c.user = std::move(basic->username);
  c.secret = std::move(basic->password);
  return c;
}

// Checks one repository action for a Basic-authenticated principal.
Result<void> CheckRepository(OciContext& ctx, const auth::Principal& who, const std::string& repo,
                             std::string_view action) {
  std::string project_name = repo.substr(0, repo.find('/'));
  auto project = ctx.projects.FindByName(project_name);
  if (!project) return std::unexpected(project.error());
  if (!*project) return Fail(Errc::kNameUnknown, "project " + project_name + " not found");
  auth::ProjectRef ref{(*project)->id, (*project)->name, (*project)->is_public};
  if (!auth::Allowed(who, ref, "repository", action))
    return Fail(Errc::kDenied, "requested access to " + repo + " (" + std::string(action) + ") is denied");
  return {};
}

// What the gate decided, computed without suspending: Admit() is a coroutine, and everything
// live across its co_awaits sits in its heap frame, so the work happens here and the frame holds
// only the answer (a large frame showed in profiles as malloc consolidation on every request).
struct Decision {
  enum class Kind { kAdmit, kChallenge, kRefuse } kind = Kind::kAdmit;
  std::optional<Error> error;
  std::string scope;
};

Decision Admitted() { return {}; }
Decision Challenged(std::string scope, Error err) { return {Decision::Kind::kChallenge, std::move(err), std::move(scope)}; }
Decision Refused(Error err) { return {Decision::Kind::kRefuse, std::move(err), {}}; }

Decision Decide(OciContext& ctx, http::Exchange& ex, Access access) {
  const std::string repo = ex.Param("name");
  if (access != Access::kPing && access != Access::kCatalog) {
    // A malformed name is a client error whoever asks; it never reaches a project lookup.
    if (auto valid = berth::oci::ValidateRepositoryName(repo); !valid) return Refused(valid.error());
  }
  std::string scope;
  if (access == Access::kCatalog) scope = "registry:catalog:*";
  else if (access != Access::kPing) scope = "repository:" + repo + ":" + ChallengeActions(access);
  // A mount reads from its source repository too.
  std::string mount_from;
  if (access == Access::kPush)
    if (auto from = ex.query().Get("from"); from && ex.query().Has("mount")) mount_from = *from;

  Credentials cred = ReadCredentials(ex);
  switch (cred.kind) {
    case Credentials::Kind::kNone:
      return Challenged(std::move(scope), Error(Errc::kUnauthorized, "authentication required"));
    case Credentials::Kind::kBad:
      return Challenged(std::move(scope), Error(Errc::kUnauthorized, "malformed credentials"));
    case Credentials::Kind::kBearer: {
      if (access == Access::kPing) {
        auto ok = ctx.tokens.Permits(cred.token, "", "", "");
        if (!ok) return Challenged(std::move(scope), ok.error());
        return Admitted();
      }
      auto ok = access == Access::kCatalog ? ctx.tokens.Permits(cred.token, "registry", "catalog", "*")
                                           : ctx.tokens.Permits(cred.token, "repository", repo, ActionOf(access));
      if (ok && *ok && !mount_from.empty() && !ctx.tokens.Permits(cred.token, "repository", mount_from, "pull").value_or(false))
        ex.SetParam("mount_denied", "1");
      if (!ok || !*ok) {
        // Expired, foreign or too narrow: ask the client to fetch a token for this scope.
        Error err = ok ? Error(Errc::kUnauthorized, "the token does not grant " + scope) : ok.error();
        return Challenged(std::move(scope), std::move(err));
      }
      ex.SetParam(kPrincipalParam, ctx.tokens.Subject(cred.token).value_or(""));
      return Admitted();
    }
    case Credentials::Kind::kBasic:
      break;
  }
  auto who = ctx.authn.Login(cred.user, cred.secret, ex.RemoteAddress());
  if (!who) {
    if (who.error().code == Errc::kTooManyRequests) return Refused(who.error());
    return Challenged(std::move(scope), who.error());
  }
  if (access == Access::kCatalog) {
    if (!auth::AllowedSystem(*who, "catalog", "read"))
      return Refused(Error(Errc::kDenied, "the catalog is for system administrators"));
  } else if (access != Access::kPing) {
    if (auto v = CheckRepository(ctx, *who, repo, ActionOf(access)); !v) return Refused(v.error());
    // Without read access to the source a mount is not an error: it falls back to an upload.
    if (!mount_from.empty() && !CheckRepository(ctx, *who, mount_from, "pull")) ex.SetParam("mount_denied", "1");
  }
  ex.SetParam(kPrincipalParam, who->name);
  return Admitted();
}

}  // namespace

http::Task<bool> Admit(OciContext& ctx, http::Exchange& ex, Access access) {
  Decision d = Decide(ctx, ex, access);
  if (d.kind == Decision::Kind::kAdmit) co_return true;
  if (d.kind == Decision::Kind::kChallenge) co_await Challenge(ctx, ex, d.scope, *d.error);
  else co_await SendError(ex, *d.error);
  co_return false;
}

}  // namespace berth::api::oci
