#include "auth/ldap_identity.h"

#include <algorithm>
#include <optional>
#include <set>

#include "base/log.h"

namespace berth::auth {
namespace {

std::unexpected<Error> Denied() { return Fail(Errc::kUnauthorized, "invalid username or password"); }

}  // namespace

LdapConfig LdapIdentity::Config(const SystemConfig::Values& overrides) const {
  auto str = [&](const char* key) {
    auto it = overrides.find(key);
    return it != overrides.end() ? it->second.get<std::string>() : config_.String(key);
  };
  auto num = [&](const char* key) {
    auto it = overrides.find(key);
    return static_cast<int>(it != overrides.end() ? it->second.get<int64_t>() : config_.Int(key));
  };
  auto flag = [&](const char* key) {
    auto it = overrides.find(key);
    return it != overrides.end() ? it->second.get<bool>() : config_.Bool(key);
  };
  LdapConfig c;
  c.url = str("ldap_url");
  c.search_dn = str("ldap_search_dn");
  c.search_password = str("ldap_search_password");
  c.base_dn = str("ldap_base_dn");
  c.filter = str("ldap_filter");
  c.uid = str("ldap_uid");
  c.scope = num("ldap_scope");
  c.timeout_seconds = num("ldap_timeout");
  c.verify_cert = flag("ldap_verify_cert");
  c.group_base_dn = str("ldap_group_base_dn");
  c.group_search_filter = str("ldap_group_search_filter");
  c.group_attribute_name = str("ldap_group_attribute_name");
  c.group_admin_dn = str("ldap_group_admin_dn");
  c.group_membership_attribute = str("ldap_group_membership_attribute");
  c.group_search_scope = num("ldap_group_search_scope");
  return c;
}

Result<int64_t> LdapIdentity::Onboard(const LdapUser& entry) {
  auto existing = users_.FindByName(entry.username);
  if (!existing) return std::unexpected(existing.error());
  if (*existing) {
    store::UserRecord u = **existing;
    if (u.email != entry.email || u.realname != entry.realname) {
      u.email = entry.email;
      u.realname = entry.realname;
      if (auto r = users_.UpdateProfile(u); !r)  // e.g. the directory's email is taken locally
        spdlog::warn("ldap profile refresh failed user={} error={}", u.username, r.error().Message());
    }
    return u.id;
  }
  store::UserRecord u;
  u.username = entry.username;
  u.email = entry.email;
  u.realname = entry.realname;
  u.source = "ldap";
  u.ldap_dn = entry.dn;
  auto id = users_.Create(u);
  if (id) return *id;
  if (id.error().code != Errc::kConflict) return std::unexpected(id.error());
  // A concurrent first login created it, or the email belongs to someone else.
  auto again = users_.FindByName(entry.username);
  if (!again) return std::unexpected(again.error());
  if (*again) return (*again)->id;
  u.email.clear();
  auto retry = users_.Create(u);
  if (!retry) return std::unexpected(retry.error());
  return *retry;
}

Result<std::vector<int64_t>> LdapIdentity::KnownGroups(const std::vector<std::string>& dns) {
  std::set<int64_t> ids;
  std::optional<std::vector<store::GroupRecord>> all;  // loaded once, only if an exact match fails
  for (const auto& dn : dns) {
    auto exact = groups_.FindByDn(dn);
    if (!exact) return std::unexpected(exact.error());
    if (*exact) {
      if ((*exact)->group_type == 1) ids.insert((*exact)->id);
      continue;
    }
    if (!all) {
      auto list = groups_.List("", store::Paging{0, 1000000});
      if (!list) return std::unexpected(list.error());
      all = std::move(list->items);
    }
    std::string want = LdapNormalizeDn(dn);
    for (const auto& g : *all)
      if (g.group_type == 1 && !g.ldap_group_dn.empty() && LdapNormalizeDn(g.ldap_group_dn) == want) ids.insert(g.id);
  }
  return std::vector<int64_t>(ids.begin(), ids.end());
}

Result<ExternalVerifier::Login> LdapIdentity::Verify(std::string_view username, std::string_view password) {
  if (username.empty() || password.empty()) return Denied();
  LdapConfig cfg = Config();
  auto session = LdapSession::Open(cfg);
  if (!session) {
    spdlog::warn("ldap login failed user={} error={}", username, session.error().Message());
    return Denied();
  }
  auto found = (*session)->SearchUsers(username);
  if (!found) {
    spdlog::warn("ldap login failed user={} error={}", username, found.error().Message());
    return Denied();
  }
  if (found->size() != 1) {
    spdlog::info("ldap login refused user={} matches={}", username, found->size());
    return Denied();
  }
  LdapUser entry = std::move(found->front());
  // Group lookups run with the search identity, before the session rebinds as the user.
  std::vector<std::string> group_dns = entry.group_dns;
  if (auto more = (*session)->GroupsOfMember(entry.dn, entry.username); more)
    group_dns.insert(group_dns.end(), more->begin(), more->end());
  else
    spdlog::warn("ldap group search failed user={} error={}", username, more.error().Message());
  auto ok = (*session)->CheckPassword(entry.dn, password);
  if (!ok || !*ok) {
    if (!ok) spdlog::warn("ldap login failed user={} error={}", username, ok.error().Message());
    return Denied();
  }
  auto id = Onboard(entry);
  if (!id) return std::unexpected(id.error());
  auto groups = KnownGroups(group_dns);
  if (!groups) return std::unexpected(groups.error());
  if (auto r = groups_.SetUserGroups(*id, *groups); !r) return std::unexpected(r.error());
  Login login;
  login.user_id = *id;
  login.group_ids = std::move(*groups);
  if (!cfg.group_admin_dn.empty()) {
    std::string admin = LdapNormalizeDn(cfg.group_admin_dn);
    login.sysadmin = std::any_of(group_dns.begin(), group_dns.end(),
                                 [&](const std::string& dn) { return LdapNormalizeDn(dn) == admin; });
  }
  return login;
}

Result<std::vector<LdapIdentity::ImportFailure>> LdapIdentity::Import(const std::vector<std::string>& uids) {
  auto session = LdapSession::Open(Config());
  if (!session) return std::unexpected(session.error());
  std::vector<ImportFailure> failed;
  for (const auto& uid : uids) {
    if (uid.empty()) {
      failed.push_back({uid, "empty_uid"});
      continue;
    }
    auto found = (*session)->SearchUsers(uid);
    if (!found) {
      spdlog::warn("ldap import search failed uid={} error={}", uid, found.error().Message());
      failed.push_back({uid, "failed_search_user"});
      continue;
    }
    if (found->empty()) {
      failed.push_back({uid, "unknown_user"});
      continue;
    }
    auto id = Onboard(found->front());
    if (!id) {
      spdlog::warn("ldap import failed uid={} error={}", uid, id.error().Message());
      failed.push_back({uid, "failed to import user: " + uid});
    }
  }
  return failed;
}

}  // namespace berth::auth
