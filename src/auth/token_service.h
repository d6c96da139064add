// TokenService: the Docker registry token flow. Issues JWTs whose `access` claim is the
// intersection of the requested scopes and what RBAC grants the caller, and checks presented
// tokens for a repository action. A token's signature is verified once; its claims are then kept
// in a bounded in-memory map until it expires, so a client's many requests with one token cost a
// hash lookup each. Thread-safe: the map is guarded by mu_.
#pragma once
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <memory>

#include <nlohmann/json.hpp>

#include "auth/rbac.h"
#include "auth/token_signer.h"
#include "base/error.h"
#include "auth/project_lookup.h"

namespace berth::auth {

// "repository:team/app:pull,push" → {type, name, actions}.
struct Scope {
  std::string type;
  std::string name;
  std::vector<std::string> actions;
};
// Parses one or more space-separated scopes; malformed ones are skipped.
std::vector<Scope> ParseScopes(std::string_view text);

class TokenService {
 public:
  struct Options {
    std::string issuer = "harbor-token-issuer";
    std::string service = "harbor-registry";
    int64_t lifetime_seconds = 30 * 60;
    int64_t leeway_seconds = 60;
  };
  // Projects are read through `projects` (cached: see project_lookup.h).
  TokenService(const TokenSigner& signer, ProjectLookup& projects, Options opt)
      : signer_(signer), projects_(projects), opt_(std::move(opt)) {}

  // Grants each requested action the principal holds (pull, push, delete, scanner-pull on
  // repositories; registry:catalog:* for system admins). Unknown projects grant nothing.
  Result<std::vector<Scope>> Grant(const Principal& who, const std::vector<Scope>& requested);
  // {"token","access_token","expires_in","issued_at"} for the grants.
  nlohmann::ordered_json Issue(const Principal& who, const std::vector<Scope>& granted);
  // True when `token` is valid and grants `action` on repository `name` (or the catalog when
  // type is "registry"), and — as Harbor checks — was issued no earlier than the repository's
  // project was created (a token for a deleted project does not open a new one of the same name).
  // Errors: kUnauthorized for a bad or expired token.
  Result<bool> Permits(std::string_view token, std::string_view type, std::string_view name,
                       std::string_view action) const;

  // The `sub` claim of a valid token (empty for anonymous tokens). kUnauthorized when invalid.
  Result<std::string> Subject(std::string_view token) const;

  const Options& options() const { return opt_; }

 private:
  // Verified claims of a token (signature, issuer, audience checked), cached until `exp`.
  Result<std::shared_ptr<const nlohmann::json>> Verified(std::string_view token) const;

  Result<int64_t> ProjectCreatedAt(const std::string& project) const;

  const TokenSigner& signer_;
  ProjectLookup& projects_;
  Options opt_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, std::pair<int64_t, std::shared_ptr<const nlohmann::json>>> verified_;
};

}  // namespace berth::auth
