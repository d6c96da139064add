// LdapIdentity: the directory as Berth's identity source when auth_mode is ldap_auth (Harbor's
// LDAP mode). It verifies logins for the Authenticator (search with the search DN, exactly one
// entry, bind as that entry), onboards the local user on first login (source "ldap", no usable
// local password), records which known LDAP groups (user_groups rows of type 1, matched by DN)
// the user is in, and reports ldap_group_admin_dn membership as system admin for the login. It
// also runs the directory operations behind /api/v2.0/ldap/* (user search, import, group search).
//
// Every call opens its own LdapSession from the current settings; see ldap_client.h about
// blocking. Thread-safe (no mutable state of its own; the stores are thread-safe).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "auth/ldap_client.h"
#include "auth/system_config.h"
#include "store/identity_store.h"
#include "store/settings_store.h"

namespace berth::auth {

class LdapIdentity final : public ExternalVerifier {
 public:
  LdapIdentity(SystemConfig& config, store::UserStore& users, store::GroupStore& groups)
      : config_(config), users_(users), groups_(groups) {}

  bool Enabled() override { return config_.LdapAuth(); }
  // Never says why a login failed; the reason is logged (never the password).
  Result<Login> Verify(std::string_view username, std::string_view password) override;
  Result<std::vector<int64_t>> GroupsOf(int64_t user_id) override { return groups_.GroupsOf(user_id); }

  // The ldap_* settings now, with `overrides` (already validated ldap_* keys) on top.
  LdapConfig Config(const SystemConfig::Values& overrides = {}) const;
  // Creates the local user for a directory entry, or refreshes email and realname of an existing
  // one with the same username; returns its id.
  Result<int64_t> Onboard(const LdapUser& entry);

  struct ImportFailure {
    std::string uid;
    std::string error;  // Harbor's codes: empty_uid, unknown_user, failed_search_user, failed to import user: <uid>
  };
  // Onboards each uid found in the directory; returns those that could not be. Errors: the
  // directory cannot be opened (see LdapSession::Open).
  Result<std::vector<ImportFailure>> Import(const std::vector<std::string>& uids);

 private:
  // Ids of LDAP user groups (type 1) whose DN is one of `dns` (compared normalized).
  Result<std::vector<int64_t>> KnownGroups(const std::vector<std::string>& dns);

  SystemConfig& config_;
  store::UserStore& users_;
  store::GroupStore& groups_;
};

}  // namespace berth::auth
