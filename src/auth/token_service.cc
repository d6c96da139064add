#include "auth/token_service.h"

#include <chrono>
#include <climits>

#include <openssl/rand.h>

#include <algorithm>

#include "base/clock.h"

namespace berth::auth {
namespace {

std::vector<std::string> SplitActions(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    auto a = s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!a.empty() && std::find(out.begin(), out.end(), a) == out.end()) out.emplace_back(a);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string RandomJti() {
  static const char* kAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  std::string s;
  for (unsigned char c : b) s.push_back(kAlphabet[c % 62]);
  return s;
}

}  // namespace

std::vector<Scope> ParseScopes(std::string_view text) {
  std::vector<Scope> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t sp = text.find(' ', start);
    std::string_view one = text.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start);
    start = sp == std::string_view::npos ? text.size() : sp + 1;
    // type:name:actions — the name may itself contain ':' (a registry host with a port).
    size_t first = one.find(':'), last = one.rfind(':');
    if (first == std::string_view::npos || first == last) continue;
    Scope s{std::string(one.substr(0, first)), std::string(one.substr(first + 1, last - first - 1)),
            SplitActions(one.substr(last + 1))};
    if (!s.type.empty() && !s.name.empty()) out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<Scope>> TokenService::Grant(const Principal& who, const std::vector<Scope>& requested) {
  std::vector<Scope> granted;
  for (const auto& req : requested) {
    Scope g{req.type, req.name, {}};
    if (req.type == "registry" && req.name == "catalog") {
      if (AllowedSystem(who, "catalog", "read")) g.actions = req.actions;
    } else if (req.type == "repository") {
      std::string project_name = req.name.substr(0, req.name.find('/'));
      auto project = projects_.FindByName(project_name);
      if (!project) return std::unexpected(project.error());
      if (*project) {
        ProjectRef ref{(*project)->id, (*project)->name, (*project)->is_public};
        for (const auto& a : req.actions) {
          std::string action = a == "*" ? "delete" : a;
          if ((action == "pull" || action == "push" || action == "delete" || action == "scanner-pull") &&
              Allowed(who, ref, "repository", action == "scanner-pull" ? "pull" : action))
            g.actions.push_back(a);
        }
      }
    }
    granted.push_back(std::move(g));
  }
  return granted;
}

nlohmann::ordered_json TokenService::Issue(const Principal& who, const std::vector<Scope>& granted) {
  int64_t now = NowUnixSeconds();
  nlohmann::json access = nlohmann::json::array();
  for (const auto& g : granted)
    access.push_back({{"type", g.type}, {"name", g.name}, {"actions", g.actions}});
  nlohmann::json claims = {{"iss", opt_.issuer}, {"sub", who.name},      {"aud", opt_.service},
                           {"exp", now + opt_.lifetime_seconds},        {"nbf", now},
                           {"iat", now},    {"jti", RandomJti()},       {"access", access}};
  std::string token = signer_.Sign(claims);
  nlohmann::ordered_json out;
  out["token"] = token;
  out["access_token"] = "";
  out["expires_in"] = opt_.lifetime_seconds;
  out["issued_at"] = FormatRfc3339(now);
  return out;
}

Result<std::shared_ptr<const nlohmann::json>> TokenService::Verified(std::string_view token) const {
  int64_t now = NowUnixSeconds();
  std::string key(token);
  {
    std::lock_guard lock(mu_);
    auto it = verified_.find(key);
    if (it != verified_.end()) {
      if (now <= it->second.first + opt_.leeway_seconds) return it->second.second;
      verified_.erase(it);
      return Fail(Errc::kUnauthorized, "token expired");
    }
  }
  auto claims = signer_.Verify(token, now, opt_.leeway_seconds);
  if (!claims) return std::unexpected(claims.error());
  if (claims->value("aud", "") != opt_.service || claims->value("iss", "") != opt_.issuer)
    return Fail(Errc::kUnauthorized, "the token is for another service");
  auto shared = std::make_shared<const nlohmann::json>(std::move(*claims));
  int64_t exp = shared->value("exp", int64_t{0});
  std::lock_guard lock(mu_);
  if (verified_.size() >= 10000) {  // bounded: drop the expired, then everything if still full
    std::erase_if(verified_, [&](const auto& kv) { return now > kv.second.first + opt_.leeway_seconds; });
    if (verified_.size() >= 10000) verified_.clear();
  }
  verified_.emplace(std::move(key), std::make_pair(exp, shared));
  return shared;
}

Result<bool> TokenService::Permits(std::string_view token, std::string_view type, std::string_view name,
                                   std::string_view action) const {
  auto verified = Verified(token);
  if (!verified) return std::unexpected(verified.error());
  const nlohmann::json& claims = **verified;
  auto access = claims.find("access");
  if (access == claims.end() || !access->is_array()) return false;
  bool granted = false;
  for (const auto& a : *access) {
    if (!a.is_object() || a.value("type", "") != type || a.value("name", "") != name) continue;
    auto actions = a.find("actions");
    if (actions == a.end() || !actions->is_array()) continue;
    for (const auto& act : *actions)
      if (act.is_string() && (act.get<std::string>() == action || act.get<std::string>() == "*")) granted = true;
  }
  if (!granted || type != "repository") return granted;
  // A token issued before its project was (re)created speaks of another project of the same name.
  std::string project(name.substr(0, name.find('/')));
  auto created = ProjectCreatedAt(project);
  if (!created) return std::unexpected(created.error());
  return claims.value("iat", int64_t{0}) >= *created;
}

Result<int64_t> TokenService::ProjectCreatedAt(const std::string& project) const {
  auto found = projects_.FindByName(project);
  if (!found) return std::unexpected(found.error());
  // A missing project: no token can be good for it (a push there fails on the project anyway).
  return *found ? (*found)->created_at : INT64_MAX;
}

Result<std::string> TokenService::Subject(std::string_view token) const {
  auto verified = Verified(token);
  if (!verified) return std::unexpected(verified.error());
  auto sub = (*verified)->find("sub");
  return (sub != (*verified)->end() && sub->is_string()) ? sub->get<std::string>() : std::string();
}

}  // namespace berth::auth
