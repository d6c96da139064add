// The pure parts of the LDAP client (filter escaping, DN handling) and its failure modes without a
// directory. The directory itself is exercised end to end against a real slapd
// (tests/e2e/test_ldap.py).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "auth/ldap_client.h"
#include "test_util.h"

namespace berth::auth {
namespace {

using unit::IsErr;

TEST(LdapFilter, MetacharactersAreEscapedPerRfc4515) {
  EXPECT_EQ(LdapEscapeFilterValue("alice"), "alice");
  EXPECT_EQ(LdapEscapeFilterValue("*"), "\\2a");
  EXPECT_EQ(LdapEscapeFilterValue("a)(cn=*"), "a\\29\\28cn=\\2a");
  EXPECT_EQ(LdapEscapeFilterValue("back\\slash"), "back\\5cslash");
  EXPECT_EQ(LdapEscapeFilterValue(std::string("nul\0x", 5)), "nul\\00x");
  EXPECT_EQ(LdapEscapeFilterValue("caf\xc3\xa9"), "caf\\c3\\a9");
  EXPECT_EQ(LdapEscapeFilterValue(""), "");
}

TEST(LdapFilter, FiltersAreWrappedInParentheses) {
  EXPECT_EQ(LdapWrapFilter(""), "");
  EXPECT_EQ(LdapWrapFilter("objectClass=person"), "(objectClass=person)");
  EXPECT_EQ(LdapWrapFilter("(objectClass=person)"), "(objectClass=person)");
  EXPECT_EQ(LdapWrapFilter("(&(a=b)(c=d))"), "(&(a=b)(c=d))");
}

TEST(LdapDn, NormalizationIgnoresCaseAndSpacing) {
  EXPECT_EQ(LdapNormalizeDn("CN=Devs, OU=Groups,dc=Example,dc=org"), LdapNormalizeDn("cn=devs,ou=groups,dc=example,dc=org"));
  EXPECT_NE(LdapNormalizeDn("cn=devs,ou=groups,dc=example,dc=org"), LdapNormalizeDn("cn=ops,ou=groups,dc=example,dc=org"));
  EXPECT_TRUE(LdapValidDn("cn=devs,ou=groups,dc=example,dc=org"));
  EXPECT_TRUE(LdapValidDn(""));  // the root DSE
  EXPECT_FALSE(LdapValidDn("not a dn"));
  EXPECT_FALSE(LdapValidDn("cn=a,,dc=b"));
}

TEST(LdapSession, NeedsAUrl) {
  LdapConfig cfg;
  EXPECT_TRUE(IsErr(LdapSession::Open(cfg), Errc::kBadRequest));
  cfg.url = "http://example.com";
  EXPECT_FALSE(LdapSession::Open(cfg).has_value());
}

TEST(LdapSession, AnUnreachableDirectoryFailsWithinTheTimeout) {
  // A port nobody listens on: bind a socket, note its port, close it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  LdapConfig cfg;
  cfg.url = "ldap://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  cfg.timeout_seconds = 2;
  auto start = std::chrono::steady_clock::now();
  auto s = LdapSession::Open(cfg);
  EXPECT_TRUE(IsErr(s, Errc::kInternal));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace berth::auth
