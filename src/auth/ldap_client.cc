#include "auth/ldap_client.h"

#include <ldap.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>

namespace berth::auth {

struct LdapSession::Impl {
  LDAP* ld = nullptr;
  LdapConfig cfg;
  ~Impl() {
    if (ld) ldap_unbind_ext_s(ld, nullptr, nullptr);
  }
};

namespace {

std::unexpected<Error> LdapFail(Errc code, std::string_view what, int rc) {
  return Fail(code, "ldap: " + std::string(what) + ": " + ldap_err2string(rc));
}

std::string NormalizeUrl(const std::string& url) {
  if (url.find("://") == std::string::npos) return "ldap://" + url;
  return url;
}

int ScopeOf(int scope) {
  switch (scope) {
    case 0: return LDAP_SCOPE_BASE;
    case 1: return LDAP_SCOPE_ONELEVEL;
    default: return LDAP_SCOPE_SUBTREE;
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// One search with the configured limits; `visit` sees every entry. Referrals are not chased.
template <class Visit>
Result<void> Search(LDAP* ld, const LdapConfig& cfg, const std::string& base, int scope, const std::string& filter,
                    const std::vector<std::string>& attrs, Visit&& visit) {
  std::vector<char*> attr_ptrs;
  for (const auto& a : attrs) attr_ptrs.push_back(const_cast<char*>(a.c_str()));
  attr_ptrs.push_back(nullptr);
  timeval tv{cfg.timeout_seconds, 0};
  LDAPMessage* res = nullptr;
  int rc = ldap_search_ext_s(ld, base.c_str(), scope, filter.c_str(), attr_ptrs.data(), 0, nullptr, nullptr, &tv,
                             1000, &res);
  std::unique_ptr<LDAPMessage, int (*)(LDAPMessage*)> guard(res, ldap_msgfree);
  if (rc == LDAP_NO_SUCH_OBJECT) return {};  // the base does not exist: nothing found
  if (rc == LDAP_FILTER_ERROR) return Fail(Errc::kBadRequest, "ldap: the search filter is invalid: " + filter);
  if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) return LdapFail(Errc::kInternal, "search failed", rc);
  for (LDAPMessage* e = ldap_first_entry(ld, res); e != nullptr; e = ldap_next_entry(ld, e)) {
    char* dn = ldap_get_dn(ld, e);
    std::string dn_str = dn ? dn : "";
    if (dn) ldap_memfree(dn);
    // attribute (lower-case) → values
    std::vector<std::pair<std::string, std::vector<std::string>>> values;
    BerElement* ber = nullptr;
    for (char* a = ldap_first_attribute(ld, e, &ber); a != nullptr; a = ldap_next_attribute(ld, e, ber)) {
      std::vector<std::string> vals;
      if (berval** bv = ldap_get_values_len(ld, e, a)) {
        for (int i = 0; bv[i] != nullptr; ++i) vals.emplace_back(bv[i]->bv_val, bv[i]->bv_len);
        ldap_value_free_len(bv);
      }
      values.emplace_back(Lower(a), std::move(vals));
      ldap_memfree(a);
    }
    if (ber) ber_free(ber, 0);
    visit(dn_str, values);
  }
  return {};
}

using Attrs = std::vector<std::pair<std::string, std::vector<std::string>>>;

const std::vector<std::string>* Values(const Attrs& attrs, std::string_view name) {
  std::string want = Lower(name);
  for (const auto& [k, v] : attrs)
    if (k == want) return &v;
  return nullptr;
}

std::string First(const Attrs& attrs, std::string_view name) {
  auto* v = Values(attrs, name);
  return v && !v->empty() ? v->front() : std::string();
}

std::string GroupNameAttribute(const LdapConfig& cfg) {
  return cfg.group_attribute_name.empty() ? std::string("cn") : cfg.group_attribute_name;
}

}  // namespace

std::string LdapEscapeFilterValue(std::string_view value) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (c == '\\' || c == '*' || c == '(' || c == ')' || c < 0x20 || c >= 0x7f) {
      out.push_back('\\');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string LdapWrapFilter(std::string_view filter) {
  if (filter.empty() || filter.front() == '(') return std::string(filter);
  return "(" + std::string(filter) + ")";
}

bool LdapValidDn(std::string_view dn) {
  LDAPDN parsed = nullptr;
  std::string copy(dn);
  berval bv{static_cast<ber_len_t>(copy.size()), copy.data()};
  int rc = ldap_bv2dn(&bv, &parsed, LDAP_DN_FORMAT_LDAPV3);
  if (parsed) ldap_dnfree(parsed);
  return rc == LDAP_SUCCESS;
}

std::string LdapNormalizeDn(std::string_view dn) {
  LDAPDN parsed = nullptr;
  std::string copy(dn);
  berval bv{static_cast<ber_len_t>(copy.size()), copy.data()};
  if (ldap_bv2dn(&bv, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS) {
    if (parsed) ldap_dnfree(parsed);
    return Lower(dn);
  }
  char* out = nullptr;
  int rc = ldap_dn2str(parsed, &out, LDAP_DN_FORMAT_LDAPV3);
  ldap_dnfree(parsed);
  std::string result = rc == LDAP_SUCCESS && out ? Lower(out) : Lower(dn);
  if (out) ldap_memfree(out);
  return result;
}

LdapSession::LdapSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LdapSession::~LdapSession() = default;

Result<std::unique_ptr<LdapSession>> LdapSession::Open(const LdapConfig& cfg) {
  if (cfg.url.empty()) return Fail(Errc::kBadRequest, "ldap: ldap_url is not configured");
  auto impl = std::make_unique<Impl>();
  impl->cfg = cfg;
  std::string url = NormalizeUrl(cfg.url);
  int rc = ldap_initialize(&impl->ld, url.c_str());
  if (rc != LDAP_SUCCESS || impl->ld == nullptr) return LdapFail(Errc::kBadRequest, "invalid ldap_url", rc);
  int version = LDAP_VERSION3;
  ldap_set_option(impl->ld, LDAP_OPT_PROTOCOL_VERSION, &version);
  ldap_set_option(impl->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
  timeval tv{cfg.timeout_seconds, 0};
  ldap_set_option(impl->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
  ldap_set_option(impl->ld, LDAP_OPT_TIMEOUT, &tv);
  int limit = cfg.timeout_seconds;
  ldap_set_option(impl->ld, LDAP_OPT_TIMELIMIT, &limit);
  if (url.starts_with("ldaps://")) {
    int require = cfg.verify_cert ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER;
    ldap_set_option(impl->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require);
    int is_server = 0;
    ldap_set_option(impl->ld, LDAP_OPT_X_TLS_NEWCTX, &is_server);  // apply to this handle's context
  }
  berval cred{static_cast<ber_len_t>(cfg.search_password.size()), const_cast<char*>(cfg.search_password.data())};
  rc = ldap_sasl_bind_s(impl->ld, cfg.search_dn.empty() ? nullptr : cfg.search_dn.c_str(), LDAP_SASL_SIMPLE, &cred,
                        nullptr, nullptr, nullptr);
  if (rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INVALID_DN_SYNTAX || rc == LDAP_UNWILLING_TO_PERFORM ||
      rc == LDAP_INAPPROPRIATE_AUTH)
    return LdapFail(Errc::kBadRequest, "the search bind was refused", rc);
  if (rc != LDAP_SUCCESS) return LdapFail(Errc::kInternal, "cannot bind to " + url, rc);
  return std::unique_ptr<LdapSession>(new LdapSession(std::move(impl)));
}

Result<std::vector<LdapUser>> LdapSession::SearchUsers(std::string_view username) {
  const LdapConfig& cfg = impl_->cfg;
  std::string uid_filter = "(" + cfg.uid + "=" + (username.empty() ? "*" : LdapEscapeFilterValue(username)) + ")";
  std::string filter = cfg.filter.empty() ? uid_filter : "(&" + LdapWrapFilter(cfg.filter) + uid_filter + ")";
  std::vector<std::string> attrs = {cfg.uid, "cn", "displayName", "mail", "email"};
  if (!cfg.group_membership_attribute.empty()) attrs.push_back(cfg.group_membership_attribute);
  std::vector<LdapUser> out;
  auto r = Search(impl_->ld, cfg, cfg.base_dn, ScopeOf(cfg.scope), filter, attrs,
                  [&](const std::string& dn, const Attrs& a) {
                    LdapUser u;
                    u.dn = dn;
                    u.username = First(a, cfg.uid);
                    u.email = First(a, "mail");
                    if (u.email.empty()) u.email = First(a, "email");
                    u.realname = First(a, "displayName");
                    if (u.realname.empty()) u.realname = First(a, "cn");
                    if (!cfg.group_membership_attribute.empty())
                      if (auto* g = Values(a, cfg.group_membership_attribute)) u.group_dns = *g;
                    if (!u.username.empty()) out.push_back(std::move(u));
                  });
  if (!r) return std::unexpected(r.error());
  return out;
}

Result<bool> LdapSession::CheckPassword(const std::string& dn, std::string_view password) {
  if (password.empty() || dn.empty()) return false;
  std::string pw(password);
  berval cred{static_cast<ber_len_t>(pw.size()), pw.data()};
  int rc = ldap_sasl_bind_s(impl_->ld, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
  std::fill(pw.begin(), pw.end(), '\0');
  if (rc == LDAP_SUCCESS) return true;
  if (rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INAPPROPRIATE_AUTH || rc == LDAP_UNWILLING_TO_PERFORM ||
      rc == LDAP_INVALID_DN_SYNTAX || rc == LDAP_NO_SUCH_OBJECT)
    return false;
  return LdapFail(Errc::kInternal, "user bind failed", rc);
}

Result<std::vector<LdapGroup>> LdapSession::SearchGroupsByName(std::string_view name) {
  const LdapConfig& cfg = impl_->cfg;
  std::string attr = GroupNameAttribute(cfg);
  std::string name_filter = "(" + attr + "=" + LdapEscapeFilterValue(name) + ")";
  std::string filter = cfg.group_search_filter.empty()
                           ? name_filter
                           : "(&" + LdapWrapFilter(cfg.group_search_filter) + name_filter + ")";
  std::vector<LdapGroup> out;
  auto r = Search(impl_->ld, cfg, cfg.group_base_dn, ScopeOf(cfg.group_search_scope), filter, {attr},
                  [&](const std::string& dn, const Attrs& a) { out.push_back({dn, First(a, attr)}); });
  if (!r) return std::unexpected(r.error());
  return out;
}

Result<std::vector<LdapGroup>> LdapSession::SearchGroupsByDn(std::string_view dn) {
  if (!LdapValidDn(dn)) return Fail(Errc::kBadRequest, "invalid group DN: " + std::string(dn));
  const LdapConfig& cfg = impl_->cfg;
  std::string attr = GroupNameAttribute(cfg);
  std::string filter = cfg.group_search_filter.empty() ? "(objectClass=*)" : LdapWrapFilter(cfg.group_search_filter);
  std::vector<LdapGroup> out;
  auto r = Search(impl_->ld, cfg, std::string(dn), LDAP_SCOPE_BASE, filter, {attr},
                  [&](const std::string& found, const Attrs& a) { out.push_back({found, First(a, attr)}); });
  if (!r) return std::unexpected(r.error());
  return out;
}

Result<std::vector<std::string>> LdapSession::GroupsOfMember(std::string_view user_dn, std::string_view username) {
  const LdapConfig& cfg = impl_->cfg;
  std::vector<std::string> out;
  if (cfg.group_base_dn.empty()) return out;
  std::string dn = LdapEscapeFilterValue(user_dn);
  std::string member = "(|(member=" + dn + ")(uniqueMember=" + dn + ")(memberUid=" + LdapEscapeFilterValue(username) + "))";
  std::string filter = cfg.group_search_filter.empty()
                           ? member
                           : "(&" + LdapWrapFilter(cfg.group_search_filter) + member + ")";
  auto r = Search(impl_->ld, cfg, cfg.group_base_dn, ScopeOf(cfg.group_search_scope), filter, {"1.1"},
                  [&](const std::string& found, const Attrs&) { out.push_back(found); });
  if (!r) return std::unexpected(r.error());
  return out;
}

}  // namespace berth::auth
