#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "oci/reference.h"

namespace berth::oci {

TEST(RepositoryName, AcceptsSpecGrammar) {
  for (const char* ok : {"a", "library/ubuntu", "a/b/c/d", "foo.bar", "foo_bar", "foo__bar", "foo---bar",
                         "0x/1-2", "team.a/app_1/x"}) {
    EXPECT_TRUE(ValidateRepositoryName(ok)) << ok;
  }
}

TEST(RepositoryName, RejectsBadNames) {
  std::string long_component(129, 'a');
  std::string long_name;
  for (int i = 0; i < 30; ++i) long_name += "abcdefghi/";
  long_name += "x";
  for (const std::string& bad : {std::string(""), std::string("A"), std::string("Library/ubuntu"), std::string("a//b"),
                                std::string("../etc"), std::string("a/../b"), std::string("a/"), std::string("/a"),
                                std::string("a..b"), std::string("a___b"), std::string("-a"), std::string("a-"),
                                std::string("a b"), std::string("a\xff"), long_component, long_name}) {
    auto r = ValidateRepositoryName(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::kNameInvalid);
    }
  }
}

TEST(Tag, Grammar) {
  EXPECT_TRUE(IsValidTag("latest"));
  EXPECT_TRUE(IsValidTag("v1.0.0-rc_1"));
  EXPECT_TRUE(IsValidTag("_x"));
  EXPECT_TRUE(IsValidTag(std::string(128, 'a')));
  EXPECT_FALSE(IsValidTag(std::string(129, 'a')));
  EXPECT_FALSE(IsValidTag(".x"));
  EXPECT_FALSE(IsValidTag("-x"));
  EXPECT_FALSE(IsValidTag(""));
  EXPECT_FALSE(IsValidTag("a/b"));
}

TEST(Reference, TagOrDigest) {
  auto t = ParseReference("v1");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->is_digest());
  EXPECT_EQ(t->str(), "v1");
  auto d = ParseReference("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->is_digest());
  auto bad = ParseReference("sha256:nothex");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kDigestInvalid);
  auto badtag = ParseReference("-bad");
  ASSERT_FALSE(badtag);
  EXPECT_EQ(badtag.error().code, Errc::kManifestInvalid);
}

}  // namespace berth::oci

namespace berth::oci {
namespace {

TEST(HarborName, ProjectAndRobotNamesFollowHarborsPattern) {
  const std::vector<std::string> good = {"a", "team", "team-a", "a.b_c-d", "0x1", std::string(255, 'a')};
  const std::vector<std::string> bad = {"", "-a", "a-", "a--b", "a._b", "Team", "a/b", "a b", "ä", std::string(256, 'a')};
  for (const auto& n : good) EXPECT_TRUE(IsValidHarborName(n)) << n;
  for (const auto& n : bad) EXPECT_FALSE(IsValidHarborName(n)) << n;
}

}  // namespace
}  // namespace berth::oci
