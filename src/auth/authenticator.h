// Authenticator: turns credentials into a Principal (see rbac.h) for database users and robot
// accounts, and builds principals for known users (token requests, UI sessions).
//
// argon2id is deliberately slow, so a successful verification is cached in memory for a short
// time, keyed by a keyed BLAKE2b hash of the credentials under a per-process random key (the cache never holds
// a password or anything that could be replayed elsewhere). A hit is honoured only while the
// account's credential_version is unchanged and the account is enabled and unexpired, so a
// password change, secret refresh or robot disable takes effect at once. Roles are read on every
// call (one indexed query), so membership changes take effect at once too.
//
// With an ExternalVerifier installed and enabled (auth_mode ldap_auth), every user except the
// built-in admin (id 1) is verified by it instead of the local password table, as in Harbor; its
// successes are cached the same way (so an account removed from the directory keeps working until
// its cache entry expires, at most cache_ttl), together with the groups and the admin-by-group
// flag it reported. Robots always verify locally.
//
// Failed logins are braked per (account, source address) and per source (see login_throttle.h).
//
// Thread-safe: the cache is guarded by mu_; the throttle guards itself.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/login_throttle.h"
#include "auth/rbac.h"
#include "base/error.h"
#include "store/identity_store.h"

namespace berth::auth {

// An identity source other than the local password table (LDAP). Implementations are thread-safe.
class ExternalVerifier {
 public:
  struct Login {
    int64_t user_id = 0;             // the local (onboarded) user
    std::vector<int64_t> group_ids;  // local user groups the user belongs to now
    bool sysadmin = false;           // system admin through a group, for this login only
  };
  virtual ~ExternalVerifier() = default;
  // Whether users other than the built-in admin authenticate here now. Cheap.
  virtual bool Enabled() = 0;
  // Verifies the credentials and onboards or updates the local user. kUnauthorized for wrong
  // credentials, unknown users and an unreachable source (with a message that does not say which).
  virtual Result<Login> Verify(std::string_view username, std::string_view password) = 0;
  // The groups recorded for a user at their last login.
  virtual Result<std::vector<int64_t>> GroupsOf(int64_t user_id) = 0;
};

class Authenticator {
 public:
  struct Options {
    std::chrono::seconds cache_ttl{60};
    std::string robot_prefix = "robot$";
    LoginThrottle::Options throttle;
    // The metadata store's write generation (bumped by every committed write). When set, a cache
    // hit also keeps the principal it produced (roles included) and reuses it for up to
    // principal_ttl while no write has happened since, so repeated Basic logins cost no query;
    // a write in this process (a membership, password or robot change among them) invalidates
    // every kept principal at once, a write by another process or node within principal_ttl.
    std::function<uint64_t()> generation;
    std::chrono::milliseconds principal_ttl{1000};
  };
  Authenticator(store::UserStore& users, store::RobotStore& robots, store::MemberStore& members,
                store::ProjectStore& projects, Options opt);

  // Basic credentials. Errors: kUnauthorized (unknown user, wrong password, disabled or expired
  // robot) with a message that does not say which.
  Result<Principal> Basic(std::string_view username, std::string_view password);
  // Basic() behind the failed-login brake: kTooManyRequests while (username, source) or source is
  // locked out; failures count towards the lockout. Every password entry point calls this.
  Result<Principal> Login(std::string_view username, std::string_view password, std::string_view source);
  // The principal of an existing user (roles included); kUnauthorized when the user is gone.
  Result<Principal> ForUser(std::string_view username);

  size_t cached_entries() const;
  // The login-name prefix of robot accounts ("robot$").
  const std::string& robot_prefix() const { return opt_.robot_prefix; }
  // Installs the external identity source (not owned; outlives this). Call before serving.
  void SetExternal(ExternalVerifier* external) { external_ = external; }
  // Drops every cached verification (after the identity configuration changed).
  void ClearCache();

 private:
  struct Entry {
    bool robot = false;
    int64_t id = 0;
    int64_t credential_version = 0;
    std::chrono::steady_clock::time_point expires;
    bool external = false;               // verified by external_
    bool admin_by_group = false;         // external only
    std::vector<int64_t> group_ids;      // external only
    int64_t account_expires_at = -1;     // robots: their expiry (unix seconds), -1 never
    std::shared_ptr<const Principal> principal;  // kept while the store's generation is unchanged
    uint64_t generation = 0;
    std::chrono::steady_clock::time_point principal_until;
  };
  Result<Principal> BasicUncached(std::string_view username, std::string_view password, const std::string& key,
                                  std::optional<Entry> hit);
  std::string CacheKey(std::string_view username, std::string_view password) const;
  Result<Principal> UserPrincipal(const store::UserRecord& user, const std::vector<int64_t>& group_ids = {},
                                  bool admin_by_group = false);
  bool UsesExternal(std::string_view username);
  Result<Principal> VerifyExternal(std::string_view name, std::string_view password, const std::string& key);
  Result<Principal> RobotPrincipal(const store::RobotRecord& robot);
  Result<Principal> VerifyRobot(std::string_view name, std::string_view secret, const std::string& key);
  Result<Principal> VerifyUser(std::string_view name, std::string_view password, const std::string& key);
  void Remember(const std::string& key, Entry e);

  store::UserStore& users_;
  store::RobotStore& robots_;
  store::MemberStore& members_;
  store::ProjectStore& projects_;
  Options opt_;
  ExternalVerifier* external_ = nullptr;
  std::string hmac_key_;
  LoginThrottle throttle_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;  // guarded by mu_
};

// Parses a robot's stored permission JSON ([{kind, namespace, access:[{resource, action}]}]).
std::vector<RobotPermission> ParseRobotPermissions(std::string_view json);

}  // namespace berth::auth
