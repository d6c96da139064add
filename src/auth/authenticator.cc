#include "auth/authenticator.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "auth/password.h"
#include "base/clock.h"

namespace berth::auth {
namespace {

std::unexpected<Error> Denied() { return Fail(Errc::kUnauthorized, "invalid username or password"); }

}  // namespace

std::vector<RobotPermission> ParseRobotPermissions(std::string_view text) {
  std::vector<RobotPermission> out;
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_array()) return out;
  for (const auto& p : doc) {
    if (!p.is_object()) continue;
    std::string ns = p.value("kind", "") == "system" ? std::string("/") : p.value("namespace", "");
    auto access = p.find("access");
    if (access == p.end() || !access->is_array()) continue;
    for (const auto& a : *access) {
      if (!a.is_object() || a.value("effect", "allow") == "deny") continue;
      out.push_back({ns, a.value("resource", ""), a.value("action", "")});
    }
  }
  return out;
}

Authenticator::Authenticator(store::UserStore& users, store::RobotStore& robots, store::MemberStore& members,
                             store::ProjectStore& projects, Options opt)
    : users_(users), robots_(robots), members_(members), projects_(projects), opt_(std::move(opt)),
      throttle_(opt_.throttle) {
  hmac_key_.resize(32);
  RAND_bytes(reinterpret_cast<unsigned char*>(hmac_key_.data()), 32);
}

std::string Authenticator::CacheKey(std::string_view username, std::string_view password) const {
  std::string msg;
  msg.reserve(username.size() + password.size() + 1);
  msg.append(username).push_back('\0');
  msg.append(password);
  // Keyed BLAKE2b (libsodium): a MAC like HMAC-SHA256, without OpenSSL 3's per-call algorithm
  // fetch, which takes a process-wide lock on every request.
  unsigned char md[32];
  crypto_generichash(md, sizeof md, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                     reinterpret_cast<const unsigned char*>(hmac_key_.data()), hmac_key_.size());
  OPENSSL_cleanse(msg.data(), msg.size());
  return std::string(reinterpret_cast<char*>(md), sizeof md);
}

void Authenticator::Remember(const std::string& key, Entry e) {
  std::lock_guard lock(mu_);
  if (cache_.size() > 10000) {  // bounded: drop expired entries, then everything if still full
    auto now = std::chrono::steady_clock::now();
    std::erase_if(cache_, [&](const auto& kv) { return kv.second.expires < now; });
    if (cache_.size() > 10000) cache_.clear();
  }
  cache_[key] = e;
}

size_t Authenticator::cached_entries() const {
  std::lock_guard lock(mu_);
  return cache_.size();
}

void Authenticator::ClearCache() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

Result<Principal> Authenticator::UserPrincipal(const store::UserRecord& user, const std::vector<int64_t>& group_ids,
                                               bool admin_by_group) {
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.id = user.id;
  p.name = user.username;
  p.sysadmin = user.sysadmin || admin_by_group;
  auto roles = members_.RolesOf(user.id, group_ids);
  if (!roles) return std::unexpected(roles.error());
  for (const auto& [project, list] : *roles)
    for (int r : list) p.project_roles[project].push_back(static_cast<Role>(r));
  return p;
}

Result<Principal> Authenticator::RobotPrincipal(const store::RobotRecord& robot) {
  Principal p;
  p.kind = Principal::Kind::kRobot;
  p.id = robot.id;
  p.name = robot.name;
  p.robot_permissions = ParseRobotPermissions(robot.permissions_json);
  if (robot.level == "project") {
    // A project robot acts only in its own project, whatever its stored namespace says.
    auto project = projects_.FindById(robot.project_id);
    if (!project) return std::unexpected(project.error());
    if (!*project) return Denied();
    for (auto& perm : p.robot_permissions) perm.ns = (*project)->name;
  }
  return p;
}

Result<Principal> Authenticator::VerifyUser(std::string_view name, std::string_view password,
                                            const std::string& key) {
  auto user = users_.FindByName(name);
  if (!user) return std::unexpected(user.error());
  if (!*user || (*user)->source != "db" || (*user)->password_hash.empty()) return Denied();
  if (!VerifyPassword((*user)->password_hash, password)) return Denied();
  Remember(key, Entry{false, (*user)->id, (*user)->credential_version,
                      std::chrono::steady_clock::now() + opt_.cache_ttl});
  return UserPrincipal(**user);
}

// In ldap_auth mode every user but the built-in admin (id 1) belongs to the external source.
bool Authenticator::UsesExternal(std::string_view username) {
  if (external_ == nullptr || !external_->Enabled()) return false;
  auto user = users_.FindByName(username);
  return !(user && *user && (*user)->id == 1);
}

Result<Principal> Authenticator::VerifyExternal(std::string_view name, std::string_view password,
                                                const std::string& key) {
  auto login = external_->Verify(name, password);
  if (!login) return std::unexpected(login.error());
  auto user = users_.FindById(login->user_id);
  if (!user) return std::unexpected(user.error());
  if (!*user) return Denied();
  Entry e{false, (*user)->id, (*user)->credential_version, std::chrono::steady_clock::now() + opt_.cache_ttl};
  e.external = true;
  e.admin_by_group = login->sysadmin;
  e.group_ids = login->group_ids;
  Remember(key, e);
  return UserPrincipal(**user, login->group_ids, login->sysadmin);
}

Result<Principal> Authenticator::VerifyRobot(std::string_view name, std::string_view secret,
                                             const std::string& key) {
  auto robot = robots_.FindByName(name);
  if (!robot) return std::unexpected(robot.error());
  if (!*robot || (*robot)->disabled) return Denied();
  if ((*robot)->expires_at != -1 && (*robot)->expires_at <= NowUnixSeconds()) return Denied();
  if (!VerifyPassword((*robot)->secret_hash, secret)) return Denied();
  Entry e{true, (*robot)->id, (*robot)->credential_version, std::chrono::steady_clock::now() + opt_.cache_ttl};
  e.account_expires_at = (*robot)->expires_at;
  Remember(key, e);
  return RobotPrincipal(**robot);
}

Result<Principal> Authenticator::Basic(std::string_view username, std::string_view password) {
  if (username.empty() || password.empty()) return Denied();
  std::string key = CacheKey(username, password);
  // Read the generation before anything else: a principal computed from data newer than this
  // number is merely invalidated early, never kept too long.
  uint64_t gen = opt_.generation ? opt_.generation() : 0;
  std::optional<Entry> hit;
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      const Entry& e = it->second;
      auto now = std::chrono::steady_clock::now();
      if (e.expires <= now) {
        cache_.erase(it);
      } else if (opt_.generation && e.principal && e.generation == gen && e.principal_until > now &&
                 (e.account_expires_at == -1 || e.account_expires_at > NowUnixSeconds())) {
        return *e.principal;
      } else {
        hit = e;
      }
    }
  }
  auto who = BasicUncached(username, password, key, std::move(hit));
  if (who && opt_.generation) {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      it->second.principal = std::make_shared<const Principal>(*who);
      it->second.generation = gen;
      it->second.principal_until = std::chrono::steady_clock::now() + opt_.principal_ttl;
    }
  }
  return who;
}

Result<Principal> Authenticator::BasicUncached(std::string_view username, std::string_view password,
                                               const std::string& key, std::optional<Entry> hit) {
  bool robot = username.starts_with(opt_.robot_prefix);
  bool external = !robot && UsesExternal(username);
  if (hit && hit->robot == robot && hit->external == external) {
    // Re-read the account: the hit counts only while nothing about its credentials changed.
    if (robot) {
      auto r = robots_.FindById(hit->id);
      if (!r) return std::unexpected(r.error());
      if (*r && (*r)->credential_version == hit->credential_version && !(*r)->disabled &&
          ((*r)->expires_at == -1 || (*r)->expires_at > NowUnixSeconds())) {
        std::lock_guard lock(mu_);
        if (auto it = cache_.find(key); it != cache_.end()) it->second.account_expires_at = (*r)->expires_at;
        return RobotPrincipal(**r);
      }
    } else {
      auto u = users_.FindById(hit->id);
      if (!u) return std::unexpected(u.error());
      if (*u && (*u)->credential_version == hit->credential_version)
        return UserPrincipal(**u, hit->group_ids, hit->admin_by_group);
    }
    std::lock_guard lock(mu_);
    cache_.erase(key);
  }
  if (robot) return VerifyRobot(username, password, key);
  return external ? VerifyExternal(username, password, key) : VerifyUser(username, password, key);
}

Result<Principal> Authenticator::Login(std::string_view username, std::string_view password,
                                       std::string_view source) {
  if (int64_t wait = throttle_.RetryAfter(username, source); wait > 0)
    return Fail(Errc::kTooManyRequests,
                "too many failed logins; try again in " + std::to_string(wait) + " seconds");
  auto who = Basic(username, password);
  if (who) throttle_.Succeeded(username, source);
  else if (who.error().code == Errc::kUnauthorized) throttle_.Failed(username, source);
  return who;
}

Result<Principal> Authenticator::ForUser(std::string_view username) {
  auto user = users_.FindByName(username);
  if (!user) return std::unexpected(user.error());
  if (!*user) return Denied();
  if (external_ != nullptr && (*user)->source == "ldap") {
    auto groups = external_->GroupsOf((*user)->id);
    if (!groups) return std::unexpected(groups.error());
    return UserPrincipal(**user, *groups);
  }
  return UserPrincipal(**user);
}

}  // namespace berth::auth
