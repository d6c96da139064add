// LDAP client on the OpenLDAP C API (libldap): one synchronous session to a directory, used to
// find users and groups and to verify a user's password by binding as that user. Also the
// RFC 4515 filter escaping and the DN normalization the rest of the LDAP support relies on.
//
// Blocking: every call is synchronous, bounded by LdapConfig::timeout_seconds for the connection
// (LDAP_OPT_NETWORK_TIMEOUT) and for each operation (LDAP_OPT_TIMEOUT and the search time limit).
// Callers today are REST handlers and the Authenticator, which run on the HTTP server's coroutine
// threads, so an LDAP round trip (a few milliseconds against a healthy directory) holds that
// thread; a directory that does not answer holds it up to the timeout. Moving these calls to a
// separate thread pool is the known next step.
//
// LdapSession is not thread-safe (one libldap handle); open one per request. The free functions
// are pure and thread-safe.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::auth {

// The ldap_* settings (see auth/system_config.h for defaults and meaning).
struct LdapConfig {
  std::string url;              // ldap://host[:port] or ldaps://host[:port]; a bare host means ldap://
  std::string search_dn;        // empty: anonymous bind for searches
  std::string search_password;  // never logged
  std::string base_dn;
  std::string filter;           // extra user filter, e.g. (objectClass=person); parentheses optional
  std::string uid = "cn";       // attribute that holds the login name
  int scope = 2;                // 0 base, 1 one level, 2 subtree
  int timeout_seconds = 5;
  bool verify_cert = true;      // ldaps:// only
  std::string group_base_dn;
  std::string group_search_filter;
  std::string group_attribute_name;  // attribute holding a group's name; "cn" when empty
  std::string group_admin_dn;
  std::string group_membership_attribute = "memberof";
  int group_search_scope = 2;
};

struct LdapUser {
  std::string dn;
  std::string username;  // value of the uid attribute
  std::string email;     // mail (or email)
  std::string realname;  // displayName, else cn
  std::vector<std::string> group_dns;  // values of the membership attribute (memberOf)
};

struct LdapGroup {
  std::string dn;
  std::string name;
};

class LdapSession {
 public:
  // Connects and binds with search_dn/search_password (anonymously when search_dn is empty).
  // Errors (messages never contain the password): kBadRequest when the configuration is unusable
  // (no URL, bad URL) or the directory refuses the search bind; kInternal when the directory
  // cannot be reached or answers with an error.
  static Result<std::unique_ptr<LdapSession>> Open(const LdapConfig& cfg);
  ~LdapSession();
  LdapSession(const LdapSession&) = delete;
  LdapSession& operator=(const LdapSession&) = delete;

  // Users under base_dn matching filter and uid=<username> (username escaped; empty = every
  // user with the uid attribute).
  Result<std::vector<LdapUser>> SearchUsers(std::string_view username);
  // Binds as `dn` with `password`: true when the directory accepts, false when it refuses the
  // credentials. An empty password is refused here (it would be an unauthenticated bind that
  // many servers accept). Leaves the session bound as `dn`.
  Result<bool> CheckPassword(const std::string& dn, std::string_view password);
  // Groups under group_base_dn matching group_search_filter whose name attribute equals `name`.
  Result<std::vector<LdapGroup>> SearchGroupsByName(std::string_view name);
  // The group with this DN if it matches group_search_filter. kBadRequest for a malformed DN.
  Result<std::vector<LdapGroup>> SearchGroupsByDn(std::string_view dn);
  // DNs of the groups under group_base_dn (matching group_search_filter) that list the user as a
  // member (member / uniqueMember holding `user_dn`, or memberUid holding `username`). Empty when
  // group_base_dn is not set.
  Result<std::vector<std::string>> GroupsOfMember(std::string_view user_dn, std::string_view username);

 private:
  struct Impl;
  explicit LdapSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// RFC 4515 escaping of a value inside a filter: \ * ( ) NUL and every byte outside printable
// ASCII become \XX, so user input can never change a filter's structure.
std::string LdapEscapeFilterValue(std::string_view value);
// "(x=y)" stays; "x=y" becomes "(x=y)"; "" stays "".
std::string LdapWrapFilter(std::string_view filter);
// A comparable form of a DN: parsed and re-printed in LDAPv3 form, lower-cased (attribute types
// and values of the usual case-insensitive kinds). A string that does not parse is lower-cased.
std::string LdapNormalizeDn(std::string_view dn);
// Whether `dn` parses as an LDAPv3 DN.
bool LdapValidDn(std::string_view dn);

}  // namespace berth::auth
